//! An export as the API shows it, read from its row.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mesdonnees_db::Export;
use mesdonnees_shared::exports::ExportStatus;
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::{ExportKind, TableSpec};
use serde::Serialize;

use super::parts::{AppOutcomeView, DeliveryView};
use crate::error::ApiError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportProgress {
    files_done: i64,
    files_total: i64,
    bytes_done: i64,
    bytes_total: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportError {
    code: String,
    message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportView {
    id: String,
    name: String,
    apps: Vec<String>,
    status: ExportStatus,
    progress: ExportProgress,
    filters: ExportFilters,
    kind: ExportKind,
    /// A table export's table, or an archive's index.
    table: Option<TableSpec>,
    /// Size in bytes of the archive (or the table), once ready.
    size: Option<i64>,
    /// Hex SHA-256 of the archive, once ready (also its ETag).
    sha256: Option<String>,
    outcomes: BTreeMap<String, AppOutcomeView>,
    error: Option<ExportError>,
    /// The size asked for each part of an export written in parts (`part_size_bytes`); its
    /// parts are at `GET /exports/{id}/parts`, and `size` is then the first part's.
    part_size_bytes: Option<u64>,
    /// Present when the export was asked with `deliver_to`.
    delivery: Option<DeliveryView>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

impl ExportView {
    /// The view of a row; a row whose stored JSON does not decode is an internal error.
    pub(crate) fn read(e: Export) -> Result<Self, ApiError> {
        let corrupt = |c| ApiError::from(mesdonnees_core::Error::from(c));
        let outcomes = e.outcomes().map_err(corrupt)?;
        let options = e.export_options().map_err(corrupt)?;
        let apps = e.app_ids().map_err(corrupt)?;
        Ok(Self {
            apps,
            status: ExportStatus::parse(&e.status).unwrap_or(ExportStatus::Failed),
            progress: ExportProgress {
                files_done: e.files_done,
                files_total: e.files_total,
                bytes_done: e.bytes_done,
                bytes_total: e.bytes_total,
            },
            filters: options.filters,
            kind: options.kind,
            table: options.table,
            size: e.size,
            sha256: e.sha256,
            outcomes: outcomes.into_iter().map(|(id, app)| (id, AppOutcomeView::of(app))).collect(),
            error: match (e.error_code, e.error_message) {
                (Some(code), message) => {
                    Some(ExportError { code, message: message.unwrap_or_default() })
                }
                _ => None,
            },
            part_size_bytes: options.part_size_bytes,
            delivery: DeliveryView::of(
                options.deliver_to,
                e.delivered_document_id,
                e.delivery_error,
            ),
            created_at: e.created_at.and_utc(),
            started_at: e.started_at.map(|t| t.and_utc()),
            finished_at: e.finished_at.map(|t| t.and_utc()),
            expires_at: e.expires_at.map(|t| t.and_utc()),
            id: e.id,
            name: e.name,
        })
    }
}
