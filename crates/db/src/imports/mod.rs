//! Queries of imports. Each status change is one conditional `UPDATE` that says whether it
//! applied, so the API and the jobs never act on a row another party has moved on.

mod app_results;
mod items;
mod lookup;
mod operator;
pub mod parts;
pub mod scans;

pub use app_results::{app_results, record_app_result};
pub use items::{
    DoneItem, created_by_kind, done_items, failed_items, find_item, imported_bytes, items_count,
    outcome_counts, record_item,
};
pub use lookup::lookup_owned;
pub use operator::{Cancel, end_cancelled, launch_with_job, request_cancel};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mesdonnees_shared::imports::ImportStatus;

use crate::models::{Import, now};
use crate::schema::{import_app_results, import_items, imports};
use crate::{DbConnection, DbError, Page};

/// Statuses of an import that holds its owner's one import slot.
pub const ACTIVE: [&str; 4] = ["uploaded", "analysing", "queued", "running"];
/// Statuses from which nothing moves on.
pub const FINAL: [&str; 2] = ["done", "failed"];

/// Error code of an analysed import whose upload was removed before it was launched.
pub const UPLOAD_EXPIRED: &str = "upload_expired";

/// Inserts a new import; `Ok(false)` when the user already has one in progress (the partial
/// unique index says so, which makes the check race-free).
pub fn insert(conn: &mut DbConnection, import: &Import) -> Result<bool, DbError> {
    let inserted =
        unless_duplicate(conn, |c| diesel::insert_into(imports::table).values(import).execute(c))?;
    Ok(inserted.is_some())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Import>, DbError> {
    Ok(imports::table.find(id).select(Import::as_select()).first(conn).optional()?)
}

pub fn find_owned(
    conn: &mut DbConnection,
    owner: &str,
    id: &str,
) -> Result<Option<Import>, DbError> {
    Ok(imports::table
        .filter(imports::id.eq(id))
        .filter(imports::owner_id.eq(owner))
        .select(Import::as_select())
        .first(conn)
        .optional()?)
}

/// The user's import in progress, if any.
pub fn find_active(conn: &mut DbConnection, owner: &str) -> Result<Option<Import>, DbError> {
    Ok(imports::table
        .filter(imports::owner_id.eq(owner))
        .filter(imports::status.eq_any(ACTIVE))
        .select(Import::as_select())
        .first(conn)
        .optional()?)
}

/// The user's imports, newest first, and how many there are.
pub fn list(
    conn: &mut DbConnection,
    owner: &str,
    page: Page,
) -> Result<(Vec<Import>, i64), DbError> {
    let total = imports::table.filter(imports::owner_id.eq(owner)).count().get_result(conn)?;
    let items = imports::table
        .filter(imports::owner_id.eq(owner))
        .order((imports::created_at.desc(), imports::id.desc()))
        .limit(page.size)
        .offset(page.offset())
        .select(Import::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn set_job(conn: &mut DbConnection, id: &str, job_id: &str) -> Result<bool, DbError> {
    let updated = diesel::update(imports::table.find(id))
        .set((imports::job_id.eq(Some(job_id)), imports::updated_at.eq(now())))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Moves `id` from one of `from` to `to`, touching `updated_at`; whether it applied.
fn transition(
    conn: &mut DbConnection,
    id: &str,
    from: &[&str],
    to: ImportStatus,
) -> Result<bool, DbError> {
    let updated = diesel::update(imports::table.find(id).filter(imports::status.eq_any(from)))
        .set((imports::status.eq(to.as_str()), imports::updated_at.eq(now())))
        .execute(conn)?;
    Ok(updated == 1)
}

/// The analysis job takes the import: uploaded → analysing. An import already analysing is
/// taken again, since only a new attempt of the same job asks (the previous one died).
pub fn start_analysis(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    transition(conn, id, &["uploaded", "analysing"], ImportStatus::Analysing)
}

/// Stores the analysis (JSON): analysing → analysed. `false` when the import was deleted or
/// failed meanwhile.
pub fn save_analysis(conn: &mut DbConnection, id: &str, analysis: &str) -> Result<bool, DbError> {
    let updated = diesel::update(imports::table.find(id).filter(imports::status.eq("analysing")))
        .set((
            imports::status.eq(ImportStatus::Analysed.as_str()),
            imports::analysis.eq(Some(analysis)),
            imports::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// What became of a launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Launch {
    Queued,
    /// The import is not (or no longer) analysed.
    NotAnalysed,
    /// Another import of the user is in progress: one at a time.
    OtherActive,
}

/// The user chose apps (JSON array) whose entries and bytes add up to the totals: analysed →
/// queued, unless another import of the user is in progress (it may have been uploaded while
/// this one waited).
pub fn launch(
    conn: &mut DbConnection,
    id: &str,
    selected_apps: &str,
    files_total: i64,
    bytes_total: i64,
) -> Result<Launch, DbError> {
    let update = |c: &mut DbConnection| {
        diesel::update(imports::table.find(id).filter(imports::status.eq("analysed")))
            .set((
                imports::status.eq(ImportStatus::Queued.as_str()),
                imports::selected_apps.eq(Some(selected_apps)),
                imports::files_total.eq(files_total),
                imports::bytes_total.eq(bytes_total),
                imports::updated_at.eq(now()),
            ))
            .execute(c)
    };
    // The one-active index may refuse the update.
    Ok(match unless_duplicate(conn, update)? {
        Some(1) => Launch::Queued,
        Some(_) => Launch::NotAnalysed,
        None => Launch::OtherActive,
    })
}

/// The import job takes the import: queued → running. An import already running is taken
/// again by a new attempt, which resumes from its items; `started_at` keeps the first start.
pub fn start(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    if !transition(conn, id, &["queued", "running"], ImportStatus::Running)? {
        return Ok(false);
    }
    diesel::update(imports::table.find(id).filter(imports::started_at.is_null()))
        .set(imports::started_at.eq(Some(now())))
        .execute(conn)?;
    Ok(true)
}

/// Records progress of a running import; returns the status and whether a stop was asked,
/// so the job learns that the import failed, vanished (`None`) or is to stop meanwhile.
pub fn progress(
    conn: &mut DbConnection,
    id: &str,
    files: i64,
    bytes: i64,
) -> Result<Option<(String, bool)>, DbError> {
    diesel::update(imports::table.find(id).filter(imports::status.eq("running")))
        .set((
            imports::files_done.eq(files),
            imports::bytes_done.eq(bytes),
            imports::updated_at.eq(now()),
        ))
        .execute(conn)?;
    let found: Option<(String, Option<NaiveDateTime>)> = imports::table
        .find(id)
        .select((imports::status, imports::cancel_requested_at))
        .first(conn)
        .optional()?;
    Ok(found.map(|(status, cancel)| (status, cancel.is_some())))
}

/// Stores the report (JSON): running → done, unless a stop was asked since the job last
/// looked: the stop was answered as taken, so the caller ends it with [`end_cancelled`].
pub fn finish(conn: &mut DbConnection, id: &str, report: &str) -> Result<bool, DbError> {
    let at = now();
    let running = imports::table
        .find(id)
        .filter(imports::status.eq("running"))
        .filter(imports::cancel_requested_at.is_null());
    let updated = diesel::update(running)
        .set((
            imports::status.eq(ImportStatus::Done.as_str()),
            imports::report.eq(Some(report)),
            imports::finished_at.eq(Some(at)),
            imports::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Fails an import that has not finished, whatever it was doing.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    code: &str,
    message: &str,
) -> Result<bool, DbError> {
    let at = now();
    let updated = diesel::update(imports::table.find(id).filter(imports::status.ne_all(FINAL)))
        .set((
            imports::status.eq(ImportStatus::Failed.as_str()),
            imports::error_code.eq(Some(code)),
            imports::error_message.eq(Some(message)),
            imports::finished_at.eq(Some(at)),
            imports::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Deletes an import and its items unless it is running: an import that has started creating
/// content runs to its end. A job that finds its import gone stops.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    let deleted = diesel::delete(imports::table.find(id).filter(imports::status.ne("running")))
        .execute(conn)?;
    Ok(deleted == 1)
}

/// Imports in progress, oldest first, for the cleanup's stuck-row check.
pub fn active(conn: &mut DbConnection, limit: i64) -> Result<Vec<Import>, DbError> {
    Ok(imports::table
        .filter(imports::status.eq_any(ACTIVE))
        .order(imports::created_at.asc())
        .limit(limit)
        .select(Import::as_select())
        .load(conn)?)
}

/// Imports still holding an upload that nobody needs since before `before`: analysed but never
/// launched, or finished. Oldest first.
pub fn lapsed_uploads(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Import>, DbError> {
    Ok(imports::table
        .filter(imports::object_key.is_not_null())
        .filter(imports::status.eq_any(["analysed", "done", "failed"]))
        .filter(imports::updated_at.lt(before))
        .order(imports::updated_at.asc())
        .limit(limit)
        .select(Import::as_select())
        .load(conn)?)
}

/// Forgets the upload of a lapsed import, once its object is deleted (a crash in between leaves
/// a row whose upload is gone, which the import reports as such, never an object nobody points
/// at). An analysed import fails
/// with [`UPLOAD_EXPIRED`]; a finished one also drops its items, which only served to resume.
/// `false` when the import was launched or deleted meanwhile.
pub fn drop_upload(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    let at = now();
    let expired = diesel::update(imports::table.find(id).filter(imports::status.eq("analysed")))
        .set((
            imports::status.eq(ImportStatus::Failed.as_str()),
            imports::object_key.eq(None::<String>),
            imports::error_code.eq(Some(UPLOAD_EXPIRED)),
            imports::error_message
                .eq(Some("the archive was not imported in time and has been removed")),
            imports::finished_at.eq(Some(at)),
            imports::updated_at.eq(at),
        ))
        .execute(conn)?;
    if expired == 1 {
        scans::forget(conn, id)?;
        return Ok(true);
    }
    let dropped = diesel::update(imports::table.find(id).filter(imports::status.eq_any(FINAL)))
        .set((imports::object_key.eq(None::<String>), imports::updated_at.eq(at)))
        .execute(conn)?;
    if dropped == 0 {
        return Ok(false);
    }
    scans::forget(conn, id)?;
    diesel::delete(import_items::table.filter(import_items::import_id.eq(id))).execute(conn)?;
    diesel::delete(import_app_results::table.filter(import_app_results::import_id.eq(id)))
        .execute(conn)?;
    Ok(true)
}

/// Runs `statement` in a savepoint; `None` when a unique index refuses it. The multi backend
/// has no `ON CONFLICT`, and on Postgres a failed statement would otherwise abort the caller's
/// transaction.
fn unless_duplicate<T>(
    conn: &mut DbConnection,
    statement: impl FnOnce(&mut DbConnection) -> QueryResult<T>,
) -> Result<Option<T>, DbError> {
    use diesel::result::{DatabaseErrorKind, Error};
    match conn.transaction(statement) {
        Ok(done) => Ok(Some(done)),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests;
