//! The queries, each on a connection the caller holds (so an import can run them inside its
//! transaction).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sqlite::{Sqlite, SqliteConnection};

use crate::models::{Attachment, Entry, ImportItem, Share};
use crate::schema::{attachments, entries, entry_shares, import_items};

/// What a user may do with an entry they can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Owner,
    Reader,
}

/// Entries `user` owns or that are shared with them.
fn visible(user: &str) -> entries::BoxedQuery<'_, Sqlite> {
    let shared =
        entry_shares::table.filter(entry_shares::user_id.eq(user)).select(entry_shares::entry_id);
    entries::table.filter(entries::owner_id.eq(user).or(entries::id.eq_any(shared))).into_boxed()
}

pub fn insert_entry(conn: &mut SqliteConnection, entry: &Entry) -> QueryResult<()> {
    diesel::insert_into(entries::table).values(entry).execute(conn).map(drop)
}

pub fn find_visible(
    conn: &mut SqliteConnection,
    user: &str,
    id: &str,
) -> QueryResult<Option<(Entry, Access)>> {
    let entry = visible(user)
        .filter(entries::id.eq(id))
        .select(Entry::as_select())
        .first(conn)
        .optional()?;
    Ok(entry.map(|e| {
        let access = if e.owner_id == user { Access::Owner } else { Access::Reader };
        (e, access)
    }))
}

/// Every entry the user sees, newest first.
pub fn list_visible(conn: &mut SqliteConnection, user: &str) -> QueryResult<Vec<Entry>> {
    visible(user)
        .order((entries::created_at.desc(), entries::id.desc()))
        .select(Entry::as_select())
        .load(conn)
}

/// One page of an export: entries after `after` in id order, so a page is found by the primary
/// key whatever changes meanwhile.
pub fn export_page(
    conn: &mut SqliteConnection,
    user: &str,
    since: Option<NaiveDateTime>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Entry>> {
    let mut query = visible(user);
    if let Some(since) = since {
        query = query.filter(entries::updated_at.ge(since));
    }
    if let Some(after) = after {
        query = query.filter(entries::id.gt(after));
    }
    query.order(entries::id.asc()).limit(limit).select(Entry::as_select()).load(conn)
}

/// Each entry with its attachments, oldest first.
pub fn with_attachments(
    conn: &mut SqliteConnection,
    entries: Vec<Entry>,
) -> QueryResult<Vec<(Entry, Vec<Attachment>)>> {
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    let mut attachments = attachments_of(conn, &ids)?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let files = attachments.remove(&e.id).unwrap_or_default();
            (e, files)
        })
        .collect())
}

fn attachments_of(
    conn: &mut SqliteConnection,
    entry_ids: &[&str],
) -> QueryResult<HashMap<String, Vec<Attachment>>> {
    let rows = attachments::table
        .filter(attachments::entry_id.eq_any(entry_ids))
        .order((attachments::entry_id, attachments::created_at, attachments::id))
        .select(Attachment::as_select())
        .load(conn)?;
    let mut by_entry: HashMap<String, Vec<Attachment>> = HashMap::new();
    for row in rows {
        by_entry.entry(row.entry_id.clone()).or_default().push(row);
    }
    Ok(by_entry)
}

pub fn count_attachments(conn: &mut SqliteConnection, entry_id: &str) -> QueryResult<i64> {
    attachments::table.filter(attachments::entry_id.eq(entry_id)).count().get_result(conn)
}

pub fn find_attachment(
    conn: &mut SqliteConnection,
    entry_id: &str,
    id: &str,
) -> QueryResult<Option<Attachment>> {
    attachments::table
        .filter(attachments::entry_id.eq(entry_id).and(attachments::id.eq(id)))
        .select(Attachment::as_select())
        .first(conn)
        .optional()
}

/// Adds the attachment and marks its entry changed, so an export `since` then includes it.
pub fn insert_attachment(conn: &mut SqliteConnection, attachment: &Attachment) -> QueryResult<()> {
    diesel::insert_into(attachments::table).values(attachment).execute(conn)?;
    touch(conn, &attachment.entry_id, attachment.created_at)
}

/// Shares an entry (again: no error); the entry counts as changed for the new reader's exports.
pub fn share(conn: &mut SqliteConnection, share: &Share) -> QueryResult<()> {
    let added = diesel::insert_or_ignore_into(entry_shares::table).values(share).execute(conn)?;
    if added > 0 {
        touch(conn, &share.entry_id, share.created_at)?;
    }
    Ok(())
}

fn touch(conn: &mut SqliteConnection, entry_id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(entries::table.find(entry_id))
        .set(entries::updated_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn recorded_item(
    conn: &mut SqliteConnection,
    import_id: &str,
    path: &str,
) -> QueryResult<Option<ImportItem>> {
    import_items::table
        .find((import_id, path))
        .select(ImportItem::as_select())
        .first(conn)
        .optional()
}

pub fn record_item(conn: &mut SqliteConnection, item: &ImportItem) -> QueryResult<()> {
    diesel::insert_into(import_items::table).values(item).execute(conn).map(drop)
}
