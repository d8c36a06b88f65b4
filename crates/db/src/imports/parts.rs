//! Queries of the parts an import of an archive in parts receives. A part arriving and the
//! analysis deciding to wait both begin by updating the import's row, so one waits for the
//! other (a row lock on Postgres, the one writer on SQLite): the analysis never starts waiting
//! while a part it has not judged is there, and a part never lands on a waiting import without
//! waking it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::models::{Import, ImportPart, now};
use crate::schema::{import_parts, imports};
use crate::{DbConnection, DbError};

/// What became of a part sent to an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// Recorded; `wake` when the import was waiting, so its analysis is to be queued again.
    Recorded { wake: bool },
    /// The import takes no parts: not (or no longer) analysing.
    NotAnalysing,
    /// The import has received as many archives as one may.
    TooMany,
}

/// Records a part received for an import that is analysing (or waiting for parts), unless it
/// has `max` already.
pub fn add(conn: &mut DbConnection, part: &ImportPart, max: u64) -> Result<Added, DbError> {
    let id = part.import_id.as_str();
    let taken = diesel::update(imports::table.find(id).filter(imports::status.eq("analysing")))
        .set(imports::updated_at.eq(now()))
        .execute(conn)?;
    if taken == 0 {
        return Ok(Added::NotAnalysing);
    }
    let count: i64 =
        import_parts::table.filter(import_parts::import_id.eq(id)).count().get_result(conn)?;
    if u64::try_from(count).unwrap_or(u64::MAX) >= max {
        return Ok(Added::TooMany);
    }
    diesel::insert_into(import_parts::table).values(part).execute(conn)?;
    let woken =
        diesel::update(imports::table.find(id).filter(imports::waiting_since.is_not_null()))
            .set(imports::waiting_since.eq(None::<NaiveDateTime>))
            .execute(conn)?;
    Ok(Added::Recorded { wake: woken == 1 })
}

/// Every archive an import received as a part, oldest first.
pub fn list(conn: &mut DbConnection, import_id: &str) -> Result<Vec<ImportPart>, DbError> {
    Ok(import_parts::table
        .filter(import_parts::import_id.eq(import_id))
        .order((import_parts::created_at.asc(), import_parts::object_key.asc()))
        .select(ImportPart::as_select())
        .load(conn)?)
}

/// Records the import's main upload as part `part`, unless an earlier attempt did.
pub fn record_first(conn: &mut DbConnection, part: &ImportPart) -> Result<(), DbError> {
    let found: i64 = import_parts::table
        .filter(import_parts::import_id.eq(&part.import_id))
        .filter(import_parts::object_key.eq(&part.object_key))
        .count()
        .get_result(conn)?;
    if found == 0 {
        diesel::insert_into(import_parts::table).values(part).execute(conn)?;
    }
    Ok(())
}

/// Says which writing the import's parts come from and how many make it.
pub fn set_parts(
    conn: &mut DbConnection,
    import_id: &str,
    set: &str,
    count: i64,
) -> Result<(), DbError> {
    diesel::update(imports::table.find(import_id))
        .set((imports::parts_set.eq(Some(set)), imports::parts_count.eq(Some(count))))
        .execute(conn)?;
    Ok(())
}

/// The analysis's judgement of a part: its number, or the code it was refused with.
pub fn judge(
    conn: &mut DbConnection,
    import_id: &str,
    object_key: &str,
    judged: Result<i64, &str>,
) -> Result<(), DbError> {
    let (part, code) = match judged {
        Ok(part) => (Some(part), None),
        Err(code) => (None, Some(code)),
    };
    diesel::update(
        import_parts::table
            .filter(import_parts::import_id.eq(import_id))
            .filter(import_parts::object_key.eq(object_key)),
    )
    .set((import_parts::part.eq(part), import_parts::error_code.eq(code)))
    .execute(conn)?;
    Ok(())
}

/// The analysis waits for parts still missing, unless a part it has not judged arrived
/// meanwhile (`false`: judge it first).
pub fn wait(conn: &mut DbConnection, import_id: &str) -> Result<bool, DbError> {
    let at = now();
    let waiting = diesel::update(
        imports::table
            .find(import_id)
            .filter(imports::status.eq("analysing"))
            .filter(imports::waiting_since.is_null()),
    )
    .set((imports::waiting_since.eq(Some(at)), imports::updated_at.eq(at)))
    .execute(conn)?;
    let unjudged: i64 = import_parts::table
        .filter(import_parts::import_id.eq(import_id))
        .filter(import_parts::part.is_null())
        .filter(import_parts::error_code.is_null())
        .count()
        .get_result(conn)?;
    if unjudged > 0 && waiting == 1 {
        diesel::update(imports::table.find(import_id))
            .set(imports::waiting_since.eq(None::<NaiveDateTime>))
            .execute(conn)?;
    }
    Ok(unjudged == 0)
}

/// Imports that have waited for parts since before `before`, oldest first.
pub fn waiting_since_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Import>, DbError> {
    Ok(imports::table
        .filter(imports::status.eq("analysing"))
        .filter(imports::waiting_since.lt(before))
        .order(imports::waiting_since.asc())
        .limit(limit)
        .select(Import::as_select())
        .load(conn)?)
}
