//! The imports API: upload an archive, follow its analysis, launch it, list, delete.

mod add_import_part;
mod archive_body;
mod create_import;
mod delete_import;
mod get_import;
mod launch_import;
mod list_imports;

pub use add_import_part::*;
pub use create_import::*;
pub use delete_import::*;
pub use get_import::*;
pub use launch_import::*;
pub use list_imports::*;

use chrono::{DateTime, Utc};
use mesdonnees_db::Import;
use mesdonnees_shared::imports::{Analysis, ImportParts, ImportReport, ImportStatus};
use serde::Serialize;

use crate::error::ApiError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportProgress {
    files_done: i64,
    files_total: i64,
    bytes_done: i64,
    bytes_total: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportError {
    code: String,
    message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportView {
    id: String,
    /// The name the archive was uploaded under.
    file_name: String,
    /// Bytes uploaded.
    size: i64,
    status: ImportStatus,
    progress: ImportProgress,
    /// For an archive in parts (`GET /imports/{id}` and `POST /imports/{id}/parts` say it):
    /// the parts received, those the analysis still waits for, those refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    parts: Option<ImportParts>,
    /// What the archive holds and what of it can be imported, once analysed.
    analysis: Option<Analysis>,
    /// The apps chosen at launch.
    selected_apps: Vec<String>,
    /// Per app: what was imported, renamed, failed; once done.
    report: Option<ImportReport>,
    error: Option<ImportError>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

impl TryFrom<Import> for ImportView {
    type Error = ApiError;

    /// Fails on a row whose stored JSON does not decode (logged), rather than hiding it.
    fn try_from(i: Import) -> Result<Self, ApiError> {
        let json = |e| ApiError::from(mesdonnees_core::Error::from(e));
        Ok(Self {
            status: ImportStatus::parse(&i.status).unwrap_or(ImportStatus::Failed),
            progress: ImportProgress {
                files_done: i.files_done,
                files_total: i.files_total,
                bytes_done: i.bytes_done,
                bytes_total: i.bytes_total,
            },
            parts: None,
            analysis: i.analysis().map_err(json)?,
            selected_apps: i.selected_apps().map_err(json)?,
            report: i.report().map_err(json)?,
            error: i
                .error_code
                .map(|code| ImportError { code, message: i.error_message.unwrap_or_default() }),
            created_at: i.created_at.and_utc(),
            started_at: i.started_at.map(|t| t.and_utc()),
            finished_at: i.finished_at.map(|t| t.and_utc()),
            id: i.id,
            file_name: i.file_name,
            size: i.size,
        })
    }
}

impl ImportView {
    /// The view with what the import received of an archive in parts.
    pub(crate) fn with_parts(row: Import, parts: Option<ImportParts>) -> Result<Self, ApiError> {
        Ok(Self { parts, ..Self::try_from(row)? })
    }
}
