//! Queries of `export_schedules` and `export_schedule_runs`: recurring exports. Every query a
//! user's request leads to names the owner, so another user's schedule is never found.
//!
//! An occurrence is claimed by [`claim`], a conditional `UPDATE` that moves `next_run_at` from
//! the due time the worker read to the next one: run in the transaction that creates the export,
//! it lets exactly one worker make that occurrence's export, whatever the number of workers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::models::ExportSchedule;
use crate::schema::{export_schedule_runs, export_schedules, exports};
use crate::{DbConnection, DbError, Page};

/// Most schedules one user may keep.
pub const MAX_PER_OWNER: i64 = 10;

/// Counts, then inserts: run it in a transaction (`Database::transaction`, which on SQLite
/// takes the write lock before the count; on Postgres the owner's lock below does). `false`
/// when the owner has [`MAX_PER_OWNER`] schedules already.
pub fn insert(conn: &mut DbConnection, schedule: &ExportSchedule) -> Result<bool, DbError> {
    if let DbConnection::Pg(pg) = conn {
        // Two inserts of one owner at once would both count one under the bound.
        crate::static_sql::AdvisoryXactLock { key: format!("schedules:{}", schedule.owner_id) }
            .execute(pg)?;
    }
    let count: i64 = export_schedules::table
        .filter(export_schedules::owner_id.eq(&schedule.owner_id))
        .count()
        .get_result(conn)?;
    if count >= MAX_PER_OWNER {
        return Ok(false);
    }
    diesel::insert_into(export_schedules::table).values(schedule).execute(conn)?;
    Ok(true)
}

/// Replaces what the owner may change of a schedule; `false` when there is no such schedule.
pub fn update(conn: &mut DbConnection, schedule: &ExportSchedule) -> Result<bool, DbError> {
    let updated = diesel::update(
        export_schedules::table
            .find(&schedule.id)
            .filter(export_schedules::owner_id.eq(&schedule.owner_id)),
    )
    .set((
        export_schedules::template_id.eq(&schedule.template_id),
        export_schedules::apps.eq(&schedule.apps),
        export_schedules::options.eq(&schedule.options),
        export_schedules::every_months.eq(schedule.every_months),
        export_schedules::anchor_at.eq(schedule.anchor_at),
        export_schedules::until_at.eq(schedule.until_at),
        export_schedules::next_run_at.eq(schedule.next_run_at),
        export_schedules::keep_runs.eq(schedule.keep_runs),
        export_schedules::lang.eq(&schedule.lang),
        export_schedules::updated_at.eq(schedule.updated_at),
        export_schedules::deliver_to.eq(&schedule.deliver_to),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn find_owned(
    conn: &mut DbConnection,
    owner: &str,
    id: &str,
) -> Result<Option<ExportSchedule>, DbError> {
    Ok(export_schedules::table
        .find(id)
        .filter(export_schedules::owner_id.eq(owner))
        .select(ExportSchedule::as_select())
        .first(conn)
        .optional()?)
}

/// The owner's schedules, oldest first, with their count.
pub fn list(
    conn: &mut DbConnection,
    owner: &str,
    page: Page,
) -> Result<(Vec<ExportSchedule>, i64), DbError> {
    let total = export_schedules::table
        .filter(export_schedules::owner_id.eq(owner))
        .count()
        .get_result(conn)?;
    let items = export_schedules::table
        .filter(export_schedules::owner_id.eq(owner))
        .order((export_schedules::created_at.asc(), export_schedules::id.asc()))
        .limit(page.size)
        .offset(page.offset())
        .select(ExportSchedule::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Deletes the owner's schedule; the exports it made stay as they are.
pub fn delete(conn: &mut DbConnection, owner: &str, id: &str) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        export_schedules::table.find(id).filter(export_schedules::owner_id.eq(owner)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// Schedules whose next occurrence is due at `now` and before their end, earliest first.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<ExportSchedule>, DbError> {
    Ok(export_schedules::table
        .filter(export_schedules::next_run_at.le(now))
        .filter(export_schedules::next_run_at.lt(export_schedules::until_at))
        .order(export_schedules::next_run_at.asc())
        .limit(limit)
        .select(ExportSchedule::as_select())
        .load(conn)?)
}

/// Takes the occurrence due at `due` by moving the schedule to `next`; `false` when another
/// worker took it first (or the schedule was changed or deleted meanwhile).
pub fn claim(
    conn: &mut DbConnection,
    id: &str,
    due: NaiveDateTime,
    next: NaiveDateTime,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        export_schedules::table.find(id).filter(export_schedules::next_run_at.eq(due)),
    )
    .set(export_schedules::next_run_at.eq(next))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Records that the occurrence due at `due` made this export, in the transaction that writes
/// it.
pub fn record_run(
    conn: &mut DbConnection,
    schedule_id: &str,
    export_id: &str,
    due: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(export_schedule_runs::table)
        .values((
            export_schedule_runs::export_id.eq(export_id),
            export_schedule_runs::schedule_id.eq(schedule_id),
            export_schedule_runs::due_at.eq(due),
        ))
        .execute(conn)?;
    Ok(())
}

/// The exports a schedule made, newest occurrence first.
pub fn runs(conn: &mut DbConnection, schedule_id: &str) -> Result<Vec<String>, DbError> {
    Ok(export_schedule_runs::table
        .filter(export_schedule_runs::schedule_id.eq(schedule_id))
        .order(export_schedule_runs::due_at.desc())
        .select(export_schedule_runs::export_id)
        .load(conn)?)
}

/// When `export_id` is a run of a schedule that does not keep its runs, makes the schedule's
/// other ready runs expire at `at`; the cleanup then removes them. Called as the run is
/// published, in the same transaction.
pub fn expire_previous(
    conn: &mut DbConnection,
    export_id: &str,
    at: NaiveDateTime,
) -> Result<usize, DbError> {
    let schedule: Option<(String, bool)> = export_schedule_runs::table
        .inner_join(export_schedules::table)
        .filter(export_schedule_runs::export_id.eq(export_id))
        .select((export_schedules::id, export_schedules::keep_runs))
        .first(conn)
        .optional()?;
    let Some((schedule_id, false)) = schedule else { return Ok(0) };
    let others = export_schedule_runs::table
        .filter(export_schedule_runs::schedule_id.eq(schedule_id))
        .filter(export_schedule_runs::export_id.ne(export_id))
        .select(export_schedule_runs::export_id);
    Ok(diesel::update(
        exports::table.filter(exports::status.eq("ready")).filter(exports::id.eq_any(others)),
    )
    .set(exports::expires_at.eq(Some(at)))
    .execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::now;
    use crate::testing::each_backend;

    fn schedule(id: &str, at: NaiveDateTime) -> ExportSchedule {
        ExportSchedule {
            id: id.to_owned(),
            owner_id: "ann".to_owned(),
            owner_name: None,
            template_id: None,
            apps: Some("[\"workspace\"]".to_owned()),
            options: Some("{}".to_owned()),
            every_months: 1,
            anchor_at: at,
            until_at: at + chrono::TimeDelta::days(365),
            next_run_at: at,
            keep_runs: false,
            lang: "fr".to_owned(),
            created_at: at,
            updated_at: at,
            deliver_to: None,
        }
    }

    #[test]
    fn an_occurrence_is_claimed_once() {
        each_backend(|conn| {
            let start = now();
            let next = start + chrono::TimeDelta::days(31);
            assert!(insert(conn, &schedule("s1", start)).expect("insert"));
            assert_eq!(due(conn, start, 10).expect("due").len(), 1);
            assert!(claim(conn, "s1", start, next).expect("claim"), "the first worker has it");
            assert!(!claim(conn, "s1", start, next).expect("claim"), "the second does not");
            assert!(due(conn, start, 10).expect("due").is_empty(), "not due until the next");
            assert_eq!(due(conn, next, 10).expect("due").len(), 1);
        });
    }

    #[test]
    fn an_owner_keeps_a_bounded_number_of_schedules() {
        each_backend(|conn| {
            let start = now();
            for n in 0..MAX_PER_OWNER {
                assert!(insert(conn, &schedule(&format!("s{n}"), start)).expect("insert"));
            }
            assert!(!insert(conn, &schedule("one-more", start)).expect("insert"), "refused");
        });
    }
}
