mod create_export;
mod create_export_link;
mod delete_export;
mod download_export;
mod estimate_export;
mod get_export;
mod list_export_entries;
mod list_exports;

pub use create_export::*;
pub use create_export_link::*;
pub use delete_export::*;
pub use download_export::*;
pub use estimate_export::*;
pub use get_export::*;
pub use list_export_entries::*;
pub use list_exports::*;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mesdonnees_db::{Export, exports};
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::archive::{AppOutcome, ManifestApp};
use mesdonnees_shared::exports::ExportStatus;
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::{ExportKind, TableSpec};
use serde::Serialize;

use crate::error::ApiError;
use crate::routes::{Ctx, parse_document_id};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportProgress {
    files_done: i64,
    files_total: i64,
    bytes_done: i64,
    bytes_total: i64,
}

/// How one app of the export went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppOutcomeView {
    /// `ok`, or `failed` with a code and a reason: the other apps are still in the archive.
    status: &'static str,
    code: Option<String>,
    message: Option<String>,
    entries: u64,
    bytes: u64,
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
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

impl From<Export> for ExportView {
    fn from(e: Export) -> Self {
        let outcomes: BTreeMap<String, ManifestApp> = e
            .app_outcomes
            .as_deref()
            .and_then(|o| serde_json::from_str(o).ok())
            .unwrap_or_default();
        let options: mesdonnees_shared::exports::ExportOptions =
            serde_json::from_str(&e.options).unwrap_or_default();
        Self {
            apps: serde_json::from_str(&e.apps).unwrap_or_default(),
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
            outcomes: outcomes
                .into_iter()
                .map(|(id, app)| {
                    let (status, code, message) = match app.outcome {
                        AppOutcome::Ok => ("ok", None, None),
                        AppOutcome::Failed { code, message } => {
                            ("failed", Some(code), Some(message))
                        }
                    };
                    (
                        id,
                        AppOutcomeView {
                            status,
                            code,
                            message,
                            entries: app.entries,
                            bytes: app.bytes,
                        },
                    )
                })
                .collect(),
            error: match (e.error_code, e.error_message) {
                (Some(code), message) => {
                    Some(ExportError { code, message: message.unwrap_or_default() })
                }
                _ => None,
            },
            created_at: e.created_at.and_utc(),
            started_at: e.started_at.map(|t| t.and_utc()),
            finished_at: e.finished_at.map(|t| t.and_utc()),
            expires_at: e.expires_at.map(|t| t.and_utc()),
            id: e.id,
            name: e.name,
        }
    }
}

/// The user's export with this id; anything else is a 404.
pub(crate) async fn owned_export(ctx: &Ctx, owner: &str, raw_id: &str) -> Result<Export, ApiError> {
    let id = parse_document_id(raw_id).map_err(|_| ApiError::NotFound("export"))?.to_string();
    let owner = owner.to_owned();
    ctx.db
        .run(move |conn| exports::find_owned(conn, &owner, &id))
        .await?
        .ok_or(ApiError::NotFound("export"))
}

/// What an export is of, as a request or a template gives it: every part optional.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportSettings {
    /// App ids; every exportable app when absent.
    pub apps: Option<Vec<String>>,
    pub filters: Option<ExportFilters>,
    /// `archive` (the zip, the default) or `table` (one spreadsheet listing the files and app
    /// resources).
    pub kind: Option<ExportKind>,
    /// A `table` export's format and columns; with an archive, an index written at its root as
    /// `index.<format>`.
    pub table: Option<TableSpec>,
}

/// Settings checked and completed: the apps, normalised filters, the kind and its table.
#[derive(Debug, Clone)]
pub(crate) struct Settled {
    pub apps: Vec<String>,
    pub filters: ExportFilters,
    pub kind: ExportKind,
    pub table: Option<TableSpec>,
}

impl ExportSettings {
    /// `self`, with what it leaves out taken from `defaults` (a template).
    pub(crate) fn or(self, defaults: ExportSettings) -> Self {
        Self {
            apps: self.apps.or(defaults.apps),
            filters: self.filters.or(defaults.filters),
            kind: self.kind.or(defaults.kind),
            table: self.table.or(defaults.table),
        }
    }

    pub(crate) fn settle(self, ctx: &Ctx) -> Result<Settled, ApiError> {
        let apps = resolve_apps(ctx, self.apps)?;
        let filters =
            self.filters.unwrap_or_default().validate(Utc::now()).map_err(|e| filter_error(&e))?;
        let kind = self.kind.unwrap_or_default();
        if kind == ExportKind::Table && self.table.is_none() {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidTable,
                "a table export needs `table`: its format and columns",
            ));
        }
        if let Some(table) = &self.table {
            table
                .validate(|app, field| {
                    apps.iter().any(|a| a == app)
                        && ctx
                            .remote_app(app)
                            .is_some_and(|a| a.table_fields.iter().any(|f| f.field == field))
                })
                .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidTable, e.to_string()))?;
        }
        Ok(Settled { apps, filters, kind, table: self.table })
    }
}

/// The apps asked for, checked against the catalogue; all of them when none is named.
pub(crate) fn resolve_apps(ctx: &Ctx, asked: Option<Vec<String>>) -> Result<Vec<String>, ApiError> {
    let known: Vec<String> = ctx.apps().into_iter().map(|a| a.id).collect();
    let Some(asked) = asked else { return Ok(known) };
    if asked.is_empty() {
        return Err(ApiError::unprocessable(ErrorCode::UnknownApp, "name at least one app"));
    }
    let unknown: Vec<&str> =
        asked.iter().filter(|a| !known.contains(a)).map(String::as_str).collect();
    if !unknown.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::UnknownApp,
            format!("unknown apps: {}", unknown.join(", ")),
        ));
    }
    let mut apps = asked;
    apps.sort();
    apps.dedup();
    Ok(apps)
}

/// What an export of these apps would hold now: files (with the metadata files) and bytes.
pub(crate) async fn estimate(
    ctx: &Ctx,
    owner: &str,
    apps: &[String],
    filters: &ExportFilters,
) -> Result<(u64, u64), ApiError> {
    let (owner, apps, filters) = (owner.to_owned(), apps.to_vec(), filters.clone());
    Ok(ctx.db.run(move |conn| estimate_in(conn, &owner, &apps, &filters)).await?)
}

/// [`estimate`] on a connection already held.
pub(crate) fn estimate_in(
    conn: &mut mesdonnees_db::DbConnection,
    owner: &str,
    apps: &[String],
    filters: &ExportFilters,
) -> Result<(u64, u64), mesdonnees_db::DbError> {
    if !apps.iter().any(|a| a == mesdonnees_shared::apps::WORKSPACE_APP) {
        return Ok((0, 0));
    }
    let (count, bytes) = mesdonnees_db::workspace::totals(conn, owner, filters)?;
    Ok((count + 1, bytes))
}

pub(crate) fn filter_error(e: &mesdonnees_shared::filters::FilterError) -> ApiError {
    ApiError::unprocessable(ErrorCode::InvalidFilter, e.to_string())
}
