//! The user's timeline.

use diesel::prelude::*;

use crate::models::{Notification, now};
use crate::schema::notifications;
use crate::{DbConnection, DbError, Page};

pub fn insert(conn: &mut DbConnection, notification: &Notification) -> Result<(), DbError> {
    diesel::insert_into(notifications::table).values(notification).execute(conn)?;
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    user: &str,
    page: Page,
) -> Result<(Vec<Notification>, i64), DbError> {
    let total =
        notifications::table.filter(notifications::user_id.eq(user)).count().get_result(conn)?;
    let items = notifications::table
        .filter(notifications::user_id.eq(user))
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(page.size)
        .offset(page.offset())
        .select(Notification::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn count_unread(conn: &mut DbConnection, user: &str) -> Result<i64, DbError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks one of the user's notifications read; `None` when it is not theirs.
pub fn mark_read(
    conn: &mut DbConnection,
    user: &str,
    id: &str,
) -> Result<Option<Notification>, DbError> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::user_id.eq(user))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(now())))
    .execute(conn)?;
    Ok(notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user))
        .select(Notification::as_select())
        .first(conn)
        .optional()?)
}
