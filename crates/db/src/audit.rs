//! The audit log of the admin API: appended to, read newest first, never changed.

use diesel::prelude::*;

use crate::models::AuditEntry;
use crate::schema::audit_log;
use crate::{DbConnection, DbError, Page};

pub fn record(conn: &mut DbConnection, entry: &AuditEntry) -> Result<(), DbError> {
    diesel::insert_into(audit_log::table).values(entry).execute(conn)?;
    Ok(())
}

/// Entries newest first, optionally only those about one user, with their count.
pub fn list(
    conn: &mut DbConnection,
    target: Option<&str>,
    page: Page,
) -> Result<(Vec<AuditEntry>, i64), DbError> {
    let filtered = || {
        let mut query = audit_log::table.into_boxed();
        if let Some(target) = target {
            query = query.filter(audit_log::target_user_id.eq(target.to_owned()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .limit(page.size)
        .offset(page.offset())
        .select(AuditEntry::as_select())
        .load(conn)?;
    Ok((items, total))
}
