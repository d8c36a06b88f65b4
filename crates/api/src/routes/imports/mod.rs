mod create_import;
mod delete_import;
mod get_import;
mod launch_import;
mod list_imports;

pub use create_import::*;
pub use delete_import::*;
pub use get_import::*;
pub use launch_import::*;
pub use list_imports::*;

use chrono::{DateTime, Utc};
use mesdonnees_db::{Import, imports, jobs};
use mesdonnees_shared::ImportId;
use mesdonnees_shared::imports::{Analysis, ImportReport, ImportStatus};
use mesdonnees_shared::jobs::JobPayload;
use serde::Serialize;

use crate::error::ApiError;
use crate::routes::Ctx;

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

impl From<Import> for ImportView {
    fn from(i: Import) -> Self {
        Self {
            status: ImportStatus::parse(&i.status).unwrap_or(ImportStatus::Failed),
            progress: ImportProgress {
                files_done: i.files_done,
                files_total: i.files_total,
                bytes_done: i.bytes_done,
                bytes_total: i.bytes_total,
            },
            analysis: i.analysis.as_deref().and_then(|a| serde_json::from_str(a).ok()),
            selected_apps: i
                .selected_apps
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_default(),
            report: i.report.as_deref().and_then(|r| serde_json::from_str(r).ok()),
            error: i
                .error_code
                .map(|code| ImportError { code, message: i.error_message.unwrap_or_default() }),
            created_at: i.created_at.and_utc(),
            started_at: i.started_at.map(|t| t.and_utc()),
            finished_at: i.finished_at.map(|t| t.and_utc()),
            id: i.id,
            file_name: i.file_name,
            size: i.size,
        }
    }
}

/// The user's import with this id; anything else is a 404.
pub(crate) async fn owned_import(ctx: &Ctx, owner: &str, raw_id: &str) -> Result<Import, ApiError> {
    let id = ImportId::parse(raw_id).map_err(|_| ApiError::NotFound("import"))?.to_string();
    let owner = owner.to_owned();
    ctx.db
        .run(move |conn| imports::find_owned(conn, &owner, &id))
        .await?
        .ok_or(ApiError::NotFound("import"))
}

/// Stops one of `owner`'s imports (`imports::request_cancel`); the upload of one that had not
/// started importing is purged. Answers the import as it now stands.
pub(crate) async fn cancel_for(ctx: &Ctx, owner: &str, raw_id: &str) -> Result<Import, ApiError> {
    let import = owned_import(ctx, owner, raw_id).await?;
    let max_attempts = ctx.config.queue.max_attempts;
    let id = import.id.clone();
    let (row, purge) = ctx
        .db
        .transaction(move |conn| {
            let purge = match imports::request_cancel(conn, &id)? {
                imports::Cancel::Ended { upload: Some(key) } => {
                    let payload = JobPayload::PurgeObjects { keys: vec![key] };
                    Some(jobs::create(conn, &payload, max_attempts)?)
                }
                _ => None,
            };
            Ok((imports::find(conn, &id)?, purge))
        })
        .await?;
    if let Some(job) = purge
        && let Err(e) = ctx.queue.push(job).await
    {
        tracing::warn!(job_id = %job, error = %e, "purge job not enqueued now; the reconciler will");
    }
    row.ok_or(ApiError::NotFound("import"))
}
