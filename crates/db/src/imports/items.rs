//! Queries of `import_items`: what became of each entry of an import's archive. They make an
//! import resumable: a new attempt skips the entries already recorded.

use diesel::prelude::*;
use mesdonnees_shared::imports::ItemOutcome;

use super::unless_duplicate;
use crate::models::ImportItem;
use crate::schema::import_items;
use crate::{DbConnection, DbError};

/// Records what became of an entry. Recording a path twice is a no-op that returns the row
/// recorded first (`None` when this call recorded it), so an attempt that redoes an entry learns
/// what the previous one created.
pub fn record_item(
    conn: &mut DbConnection,
    item: &ImportItem,
) -> Result<Option<ImportItem>, DbError> {
    let insert =
        |c: &mut DbConnection| diesel::insert_into(import_items::table).values(item).execute(c);
    match unless_duplicate(conn, insert)? {
        Some(_) => Ok(None),
        None => find_item(conn, &item.import_id, &item.path),
    }
}

pub fn find_item(
    conn: &mut DbConnection,
    import_id: &str,
    path: &str,
) -> Result<Option<ImportItem>, DbError> {
    Ok(import_items::table
        .find((import_id, path))
        .select(ImportItem::as_select())
        .first(conn)
        .optional()?)
}

/// What an earlier attempt made of an entry: the id it became, the name it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneItem {
    pub created_id: Option<String>,
    pub final_name: Option<String>,
}

/// Every entry an import recorded, by archive path: loaded once when an attempt starts, so that
/// it skips what is done without a query per entry.
pub fn done_items(
    conn: &mut DbConnection,
    import_id: &str,
) -> Result<std::collections::HashMap<String, DoneItem>, DbError> {
    let rows: Vec<(String, Option<String>, Option<String>)> = import_items::table
        .filter(import_items::import_id.eq(import_id))
        .select((import_items::path, import_items::created_id, import_items::final_name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(path, created_id, final_name)| (path, DoneItem { created_id, final_name }))
        .collect())
}

pub fn items_count(conn: &mut DbConnection, import_id: &str) -> Result<i64, DbError> {
    Ok(import_items::table
        .filter(import_items::import_id.eq(import_id))
        .count()
        .get_result(conn)?)
}

/// How many entries of each app ended in each outcome, ordered by app then outcome: the
/// counts of the report, rebuilt from the items so a resumed import reports every entry.
pub fn outcome_counts(
    conn: &mut DbConnection,
    import_id: &str,
) -> Result<Vec<(String, ItemOutcome, i64)>, DbError> {
    let rows: Vec<(String, String, i64)> = import_items::table
        .filter(import_items::import_id.eq(import_id))
        .group_by((import_items::app, import_items::outcome))
        .select((import_items::app, import_items::outcome, diesel::dsl::count_star()))
        .order((import_items::app.asc(), import_items::outcome.asc()))
        .load(conn)?;
    // The table's CHECK admits only known outcomes.
    Ok(rows
        .into_iter()
        .filter_map(|(app, outcome, n)| Some((app, ItemOutcome::parse(&outcome)?, n)))
        .collect())
}

/// How many entries of each app became a document of each [`crate::DocumentKind`], renamed
/// ones included, ordered by app then kind: files and folders are counted apart, since the
/// analysis counts only files and the report must say the same number.
pub fn created_by_kind(
    conn: &mut DbConnection,
    import_id: &str,
) -> Result<Vec<(String, String, i64)>, DbError> {
    let created = [ItemOutcome::Imported.as_str(), ItemOutcome::Renamed.as_str()];
    Ok(import_items::table
        .filter(import_items::import_id.eq(import_id))
        .filter(import_items::outcome.eq_any(created))
        .group_by((import_items::app, import_items::kind))
        .select((import_items::app, import_items::kind, diesel::dsl::count_star()))
        .order((import_items::app.asc(), import_items::kind.asc()))
        .load(conn)?)
}

/// Bytes of the documents an app's entries became (imported or renamed files).
pub fn imported_bytes(conn: &mut DbConnection, import_id: &str, app: &str) -> Result<i64, DbError> {
    use crate::schema::documents;
    Ok(import_items::table
        .inner_join(documents::table.on(import_items::created_id.eq(documents::id.nullable())))
        .filter(import_items::import_id.eq(import_id))
        .filter(import_items::app.eq(app))
        .filter(import_items::kind.eq("file"))
        .select(crate::static_sql::Aggregate::<diesel::sql_types::BigInt>::new(
            "CAST(COALESCE(SUM(documents.size), 0) AS BIGINT)",
        ))
        .first(conn)?)
}

/// The failed entries of one app, by path, at most `limit` of them.
pub fn failed_items(
    conn: &mut DbConnection,
    import_id: &str,
    app: &str,
    limit: i64,
) -> Result<Vec<ImportItem>, DbError> {
    Ok(import_items::table
        .filter(import_items::import_id.eq(import_id))
        .filter(import_items::app.eq(app))
        .filter(import_items::outcome.eq(ItemOutcome::Failed.as_str()))
        .order(import_items::path.asc())
        .limit(limit)
        .select(ImportItem::as_select())
        .load(conn)?)
}
