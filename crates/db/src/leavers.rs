//! Queries of `leavers`: the users whose account closes at a date, and the steps of their
//! window (export prepared, notified, reminded, downloaded, expired).
//!
//! Each step is taken by a conditional `UPDATE` of its own column (`export_id` still empty,
//! `notified_at` still empty, `reminded_days` still above the delay, `expired_at` still empty),
//! run in the transaction that writes what the step makes: with any number of workers, a step
//! is made once. A declaration takes the user's lock first, so two at once make one row.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::models::Leaver;
use crate::schema::{exports, leavers};
use crate::{DbConnection, DbError, Page};

/// Serialises the declarations of one user on Postgres (SQLite's transaction already holds the
/// write lock): two at once would both find no row and both insert.
pub fn lock(conn: &mut DbConnection, user: &str) -> Result<(), DbError> {
    if let DbConnection::Pg(pg) = conn {
        crate::static_sql::AdvisoryXactLock { key: format!("leavers:{user}") }.execute(pg)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, user: &str) -> Result<Option<Leaver>, DbError> {
    Ok(leavers::table.find(user).select(Leaver::as_select()).first(conn).optional()?)
}

/// The leaver whose prepared export this is.
pub fn find_by_export(conn: &mut DbConnection, export_id: &str) -> Result<Option<Leaver>, DbError> {
    Ok(leavers::table
        .filter(leavers::export_id.eq(export_id))
        .select(Leaver::as_select())
        .first(conn)
        .optional()?)
}

/// Writes a declaration: the row as the rules made it, new or replacing the user's.
pub fn save(conn: &mut DbConnection, leaver: &Leaver) -> Result<(), DbError> {
    let updated = diesel::update(leavers::table.find(&leaver.user_id))
        .set((
            leavers::until_at.eq(leaver.until_at),
            leavers::email.eq(&leaver.email),
            leavers::guardian_email.eq(&leaver.guardian_email),
            leavers::lang.eq(&leaver.lang),
            leavers::export_id.eq(&leaver.export_id),
            leavers::export_error.eq(&leaver.export_error),
            leavers::link_id.eq(&leaver.link_id),
            leavers::link_revoked_at.eq(leaver.link_revoked_at),
            leavers::notified_at.eq(leaver.notified_at),
            leavers::reminded_days.eq(leaver.reminded_days),
            leavers::downloaded_at.eq(leaver.downloaded_at),
            leavers::expired_at.eq(leaver.expired_at),
            leavers::declared_by.eq(&leaver.declared_by),
            leavers::updated_at.eq(leaver.updated_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(leavers::table).values(leaver).execute(conn)?;
    }
    Ok(())
}

/// Leavers by closing date, then user, with their count.
pub fn list(conn: &mut DbConnection, page: Page) -> Result<(Vec<Leaver>, i64), DbError> {
    let total = leavers::table.count().get_result(conn)?;
    let items = leavers::table
        .order((leavers::until_at.asc(), leavers::user_id.asc()))
        .limit(page.size)
        .offset(page.offset())
        .select(Leaver::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// The status of each of these exports that still has a row.
pub fn export_statuses(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    Ok(exports::table
        .filter(exports::id.eq_any(ids))
        .select((exports::id, exports::status))
        .load(conn)?)
}

/// Leavers whose export is still to be made, their window open.
pub fn to_prepare(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Leaver>, DbError> {
    Ok(leavers::table
        .filter(leavers::export_id.is_null())
        .filter(leavers::export_error.is_null())
        .filter(leavers::expired_at.is_null())
        .filter(leavers::until_at.gt(now))
        .order(leavers::until_at.asc())
        .limit(limit)
        .select(Leaver::as_select())
        .load(conn)?)
}

/// Takes the preparation: the export made (or reused) for the leaver. `false` when another
/// worker prepared one first.
pub fn attach_export(
    conn: &mut DbConnection,
    user: &str,
    export_id: &str,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        leavers::table
            .find(user)
            .filter(leavers::export_id.is_null())
            .filter(leavers::export_error.is_null()),
    )
    .set(leavers::export_id.eq(Some(export_id)))
    .execute(conn)?;
    if updated == 1 {
        keep_until_closing(conn, export_id)?;
    }
    Ok(updated == 1)
}

/// Records why the leaver's export could not be made; `false` when another worker made it.
pub fn refuse(conn: &mut DbConnection, user: &str, code: &str) -> Result<bool, DbError> {
    let updated = diesel::update(
        leavers::table
            .find(user)
            .filter(leavers::export_id.is_null())
            .filter(leavers::export_error.is_null()),
    )
    .set(leavers::export_error.eq(Some(code)))
    .execute(conn)?;
    Ok(updated == 1)
}

/// A leaver's ready export stays until the closing date rather than the usual expiry; called
/// when it is attached and as it becomes ready (`exports::mark_ready`).
pub fn keep_until_closing(conn: &mut DbConnection, export_id: &str) -> Result<(), DbError> {
    let until: Option<NaiveDateTime> = leavers::table
        .filter(leavers::export_id.eq(export_id))
        .filter(leavers::expired_at.is_null())
        .select(leavers::until_at)
        .first(conn)
        .optional()?;
    if let Some(until) = until {
        diesel::update(exports::table.find(export_id).filter(exports::status.eq("ready")))
            .set(exports::expires_at.eq(Some(until)))
            .execute(conn)?;
    }
    Ok(())
}

/// Leavers whose export is ready and who were not told yet, their link not revoked.
pub fn to_notify(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Leaver>, DbError> {
    let ready = exports::table.filter(exports::status.eq("ready")).select(exports::id);
    Ok(leavers::table
        .filter(leavers::notified_at.is_null())
        .filter(leavers::expired_at.is_null())
        .filter(leavers::link_revoked_at.is_null())
        .filter(leavers::until_at.gt(now))
        .filter(leavers::export_id.assume_not_null().eq_any(ready))
        .order(leavers::until_at.asc())
        .limit(limit)
        .select(Leaver::as_select())
        .load(conn)?)
}

/// Takes the first notice; `covered` is the shortest reminder delay it stands for (a leaver
/// declared 20 days before the date gets no 30-day reminder after it).
pub fn claim_notice(
    conn: &mut DbConnection,
    user: &str,
    at: NaiveDateTime,
    covered: Option<i32>,
) -> Result<bool, DbError> {
    let updated = diesel::update(leavers::table.find(user).filter(leavers::notified_at.is_null()))
        .set((leavers::notified_at.eq(Some(at)), leavers::reminded_days.eq(covered)))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Notified leavers who have not downloaded, their window open, closing before `horizon`: the
/// ones a reminder may be due for.
pub fn to_remind(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    horizon: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Leaver>, DbError> {
    Ok(leavers::table
        .filter(leavers::notified_at.is_not_null())
        .filter(leavers::downloaded_at.is_null())
        .filter(leavers::expired_at.is_null())
        .filter(leavers::link_revoked_at.is_null())
        .filter(leavers::until_at.gt(now))
        .filter(leavers::until_at.le(horizon))
        .order(leavers::until_at.asc())
        .limit(limit)
        .select(Leaver::as_select())
        .load(conn)?)
}

/// Takes the reminder `days` before the date; `false` when it (or a later one) was sent, or
/// the leaver downloaded meanwhile.
pub fn claim_reminder(conn: &mut DbConnection, user: &str, days: i32) -> Result<bool, DbError> {
    let updated = diesel::update(
        leavers::table
            .find(user)
            .filter(leavers::downloaded_at.is_null())
            .filter(leavers::reminded_days.is_null().or(leavers::reminded_days.gt(days))),
    )
    .set(leavers::reminded_days.eq(Some(days)))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Records the first download of a leaver's export; the leaver's user when this was it.
pub fn mark_downloaded(
    conn: &mut DbConnection,
    export_id: &str,
    at: NaiveDateTime,
) -> Result<Option<String>, DbError> {
    let updated = diesel::update(
        leavers::table
            .filter(leavers::export_id.eq(export_id))
            .filter(leavers::downloaded_at.is_null())
            .filter(leavers::expired_at.is_null()),
    )
    .set(leavers::downloaded_at.eq(Some(at)))
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    Ok(find_by_export(conn, export_id)?.map(|l| l.user_id))
}

/// Leavers whose date has come and whose window is not closed yet.
pub fn to_expire(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Leaver>, DbError> {
    Ok(leavers::table
        .filter(leavers::expired_at.is_null())
        .filter(leavers::until_at.le(now))
        .order(leavers::until_at.asc())
        .limit(limit)
        .select(Leaver::as_select())
        .load(conn)?)
}

/// Closes the window: the leaver `expired`, their ready export made to expire at `export_at`,
/// which the cleanup then deletes as any other. `false` when another worker closed it.
pub fn claim_expired(
    conn: &mut DbConnection,
    user: &str,
    at: NaiveDateTime,
    export_at: NaiveDateTime,
) -> Result<bool, DbError> {
    let updated = diesel::update(leavers::table.find(user).filter(leavers::expired_at.is_null()))
        .set(leavers::expired_at.eq(Some(at)))
        .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    if let Some(export_id) = find(conn, user)?.and_then(|l| l.export_id) {
        diesel::update(exports::table.find(export_id).filter(exports::status.eq("ready")))
            .set(exports::expires_at.eq(Some(export_at)))
            .execute(conn)?;
    }
    Ok(true)
}

/// Revokes every link given so far: a new link id, and the time. `false` when no such leaver.
pub fn revoke_link(
    conn: &mut DbConnection,
    user: &str,
    new_link_id: &str,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    let updated = diesel::update(leavers::table.find(user))
        .set((
            leavers::link_id.eq(new_link_id),
            leavers::link_revoked_at.eq(Some(at)),
            leavers::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::now;
    use crate::testing::each_backend;

    fn leaver(user: &str, until: NaiveDateTime) -> Leaver {
        let at = now();
        Leaver {
            user_id: user.to_owned(),
            until_at: until,
            email: None,
            guardian_email: None,
            lang: "fr".to_owned(),
            export_id: None,
            export_error: None,
            link_id: "l1".to_owned(),
            link_revoked_at: None,
            notified_at: None,
            reminded_days: None,
            downloaded_at: None,
            expired_at: None,
            declared_by: "root".to_owned(),
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn each_step_is_taken_once() {
        each_backend(|conn| {
            let start = now();
            let until = start + chrono::TimeDelta::days(60);
            save(conn, &leaver("ann", until)).expect("save");
            save(conn, &leaver("ann", until)).expect("saved again: still one row");
            assert_eq!(list(conn, Page::new(None, None, 50)).expect("list").1, 1);
            assert_eq!(to_prepare(conn, start, 10).expect("to prepare").len(), 1);
            assert!(attach_export(conn, "ann", "e1").expect("attach"), "the first worker");
            assert!(!attach_export(conn, "ann", "e2").expect("attach"), "not the second");
            assert!(!refuse(conn, "ann", "archive_quota_exceeded").expect("refuse"));
            assert!(claim_notice(conn, "ann", start, None).expect("notice"));
            assert!(!claim_notice(conn, "ann", start, None).expect("notice"), "told once");
            assert!(claim_reminder(conn, "ann", 30).expect("remind"));
            assert!(!claim_reminder(conn, "ann", 30).expect("remind"), "reminded once");
            assert!(claim_reminder(conn, "ann", 10).expect("remind"), "the next delay");
            assert_eq!(mark_downloaded(conn, "e1", start).expect("down"), Some("ann".into()));
            assert_eq!(mark_downloaded(conn, "e1", start).expect("down"), None, "once");
            assert!(!claim_reminder(conn, "ann", 5).expect("remind"), "none once downloaded");
            assert!(to_expire(conn, start, 10).expect("to expire").is_empty());
            assert!(claim_expired(conn, "ann", until, until).expect("expire"));
            assert!(!claim_expired(conn, "ann", until, until).expect("expire"), "closed once");
        });
    }
}
