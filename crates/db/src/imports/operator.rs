//! What an operator does to imports beyond what their owner does: launching the apps chosen
//! before the analysis, and stopping an import wherever it stands.

use diesel::prelude::*;
use mesdonnees_shared::JobId;
use mesdonnees_shared::imports::{IMPORT_CANCELLED, ImportStatus, Selection};
use mesdonnees_shared::jobs::JobPayload;

use super::{Launch, launch, set_job};
use crate::models::now;
use crate::schema::imports;
use crate::{DbConnection, DbError, jobs};

/// Launches `selection` and creates its `import` job, in the caller's transaction: what
/// `POST /imports/{id}/launch` does and what the analysis does for an operator's import.
pub fn launch_with_job(
    conn: &mut DbConnection,
    id: &str,
    selection: &Selection,
    max_attempts: i32,
) -> Result<Result<JobId, Launch>, DbError> {
    let selected = serde_json::to_string(&selection.apps).unwrap_or_else(|_| "[]".to_owned());
    let files = i64::try_from(selection.files).unwrap_or(i64::MAX);
    let bytes = i64::try_from(selection.bytes).unwrap_or(i64::MAX);
    match launch(conn, id, &selected, files, bytes)? {
        Launch::Queued => {}
        other => return Ok(Err(other)),
    }
    let payload = JobPayload::Import { import_id: id.to_owned() };
    let job = jobs::create(conn, &payload, max_attempts)?;
    set_job(conn, id, &job.to_string())?;
    Ok(Ok(job))
}

/// What asking an import to stop came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancel {
    /// It had not started importing: it is failed with `import_cancelled` now, its key NULL;
    /// its upload (the key, if any) is for the caller to remove.
    Ended { upload: Option<String> },
    /// It is running: its job stops between two entries and reports what it did.
    Requested,
    /// It had already ended.
    Finished,
}

/// Stops an import: one that has not started importing ends at once, a running one is asked
/// to stop. Each branch is one conditional `UPDATE`, so a race with the job picks one.
pub fn request_cancel(conn: &mut DbConnection, id: &str) -> Result<Cancel, DbError> {
    let at = now();
    let waiting = ["uploaded", "analysing", "analysed", "queued"];
    let ended = diesel::update(imports::table.find(id).filter(imports::status.eq_any(waiting)))
        .set((
            imports::status.eq(ImportStatus::Failed.as_str()),
            imports::error_code.eq(Some(IMPORT_CANCELLED)),
            imports::error_message.eq(Some("cancelled before anything was imported")),
            imports::finished_at.eq(Some(at)),
            imports::updated_at.eq(at),
        ))
        .execute(conn)?;
    if ended == 1 {
        // The caller removes the upload (a purge job in the same transaction): the row no
        // longer names it.
        let upload: Option<String> =
            imports::table.find(id).select(imports::object_key).first(conn)?;
        diesel::update(imports::table.find(id))
            .set(imports::object_key.eq(None::<String>))
            .execute(conn)?;
        return Ok(Cancel::Ended { upload });
    }
    let asked = diesel::update(imports::table.find(id).filter(imports::status.eq("running")))
        .set((imports::cancel_requested_at.eq(Some(at)), imports::updated_at.eq(at)))
        .execute(conn)?;
    Ok(if asked == 1 { Cancel::Requested } else { Cancel::Finished })
}

/// Ends a running import whose stop was asked: failed with `import_cancelled`, with the report
/// (JSON) of what it had done.
pub fn end_cancelled(conn: &mut DbConnection, id: &str, report: &str) -> Result<bool, DbError> {
    let at = now();
    let updated = diesel::update(imports::table.find(id).filter(imports::status.eq("running")))
        .set((
            imports::status.eq(ImportStatus::Failed.as_str()),
            imports::report.eq(Some(report)),
            imports::error_code.eq(Some(IMPORT_CANCELLED)),
            imports::error_message.eq(Some("cancelled; the report lists what was imported")),
            imports::finished_at.eq(Some(at)),
            imports::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}
