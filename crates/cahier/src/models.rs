//! Rows of the tables, read and written whole.

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use diesel::prelude::*;

use crate::schema::{attachments, entries, entry_shares, import_items};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = entries, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Entry {
    pub id: String,
    pub owner_id: String,
    pub title: String,
    pub subject: String,
    pub due_date: NaiveDate,
    pub content_html: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Attachment {
    pub id: String,
    pub entry_id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub object_key: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = entry_shares)]
pub struct Share {
    pub entry_id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = import_items, check_for_backend(diesel::sqlite::Sqlite))]
pub struct ImportItem {
    pub import_id: String,
    pub path: String,
    pub new_id: String,
    pub old_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Now, to the microsecond: what every timestamp column holds (UTC).
pub fn now() -> NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1000 * 1000).unwrap_or(now)
}
