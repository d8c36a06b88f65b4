//! The log of exports and imports created, behind the per-user rate limit on creations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::creations;
use crate::{DbConnection, DbError};

/// The rolling window the rate limit counts over.
pub const WINDOW: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Inside the transaction that creates an export or an import: waits for the owner's other
/// creations to commit, then says how long the owner must wait when over `limit` (see
/// [`wait_secs`]). The caller records its creation in the same transaction.
pub fn admit(
    conn: &mut DbConnection,
    owner: &str,
    limit: u32,
    now: NaiveDateTime,
) -> Result<Option<u64>, DbError> {
    lock_owner(conn, owner, now)?;
    wait_secs(conn, owner, limit, now)
}

/// Makes the owner's other creations wait until this transaction ends, so that counting and
/// recording cannot interleave between two requests, whichever API process serves them. On
/// SQLite this also forgets the owner's creations that left the window.
fn lock_owner(conn: &mut DbConnection, owner: &str, now: NaiveDateTime) -> Result<(), DbError> {
    if let DbConnection::Pg(pg) = conn {
        // A hash collision only makes two users wait for each other, never miscounts. The
        // creations that left the window are forgotten by the periodic cleanup.
        crate::static_sql::AdvisoryXactLock { key: format!("creations:{owner}") }.execute(pg)?;
        return Ok(());
    }
    // On SQLite a write statement takes the database's one write lock at once, even when it
    // deletes nothing: that is the serialisation there.
    diesel::delete(
        creations::table
            .filter(creations::owner_id.eq(owner))
            .filter(creations::created_at.le(now - WINDOW)),
    )
    .execute(conn)?;
    Ok(())
}

/// Seconds until the owner may create again, when their last `limit` creations all fall in the
/// window ending at `now`; `None` when they may create now.
pub fn wait_secs(
    conn: &mut DbConnection,
    owner: &str,
    limit: u32,
    now: NaiveDateTime,
) -> Result<Option<u64>, DbError> {
    let Some(offset) = i64::from(limit).checked_sub(1) else { return Ok(Some(1)) };
    // The `limit`-th most recent creation is the one whose leaving the window frees a place.
    let freeing: Option<NaiveDateTime> = creations::table
        .filter(creations::owner_id.eq(owner))
        .filter(creations::created_at.gt(now - WINDOW))
        .order(creations::created_at.desc())
        .offset(offset)
        .select(creations::created_at)
        .first(conn)
        .optional()?;
    Ok(freeing.map(|at| {
        let micros = (at + WINDOW - now).num_microseconds().unwrap_or(0);
        // Rounded up: a client retrying after exactly this long is let through.
        u64::try_from(micros).unwrap_or(0).div_ceil(1_000_000).max(1)
    }))
}

/// Records the creation of the export or import `id`.
pub fn record(
    conn: &mut DbConnection,
    id: &str,
    owner: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(creations::table)
        .values((
            creations::id.eq(id),
            creations::owner_id.eq(owner),
            creations::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets every creation older than `before`, for users who stopped creating.
pub fn forget_before(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(creations::table.filter(creations::created_at.lt(before))).execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::now;
    use crate::testing::each_backend;

    #[test]
    fn the_limit_counts_the_window_only() {
        each_backend(|conn| {
            let start = now();
            let at = |secs: i64| start + chrono::TimeDelta::seconds(secs);
            assert_eq!(wait_secs(conn, "ann", 2, at(0)).expect("count"), None);
            record(conn, "e1", "ann", at(0)).expect("record");
            record(conn, "i1", "ann", at(20)).expect("record");
            assert_eq!(wait_secs(conn, "bob", 2, at(21)).expect("count"), None);
            assert_eq!(wait_secs(conn, "ann", 2, at(21)).expect("count"), Some(39));
            assert_eq!(wait_secs(conn, "ann", 1, at(21)).expect("count"), Some(59));
            assert_eq!(wait_secs(conn, "ann", 3, at(21)).expect("count"), None);
            assert_eq!(wait_secs(conn, "ann", 2, at(60)).expect("count"), None);
            conn.transaction(|tx| lock_owner(tx, "ann", at(60))).expect("lock");
            // SQLite's lock is a delete of what left the window (e1); Postgres leaves it to
            // the cleanup.
            let left = if matches!(conn, DbConnection::Sqlite(_)) { 1 } else { 2 };
            assert_eq!(forget_before(conn, at(61)).expect("forget"), left);
        });
    }
}
