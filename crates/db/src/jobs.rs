//! The `jobs` table: the truth about background work. The queue only carries job ids; a job is
//! claimed here atomically, so a message delivered twice runs the job once.
//!
//! `attempts` counts runs started from the queue, and only a run that fails spends one: a run
//! taken over because its worker stopped answering (killed, cut off) goes on as the same
//! attempt, counted in `takeovers` and bounded by its own limit, so that workers killed again
//! and again never fail a job whose runs never failed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use mesdonnees_shared::JobId;
use mesdonnees_shared::jobs::JobPayload;

use crate::models::now;
use crate::schema::jobs;
use crate::{DbConnection, DbError, Job};

/// Inserts a job row inside the caller's transaction, next to the rows that need it. Push the
/// returned id to the queue after the transaction commits; if that push is lost, the
/// reconciler enqueues it again.
pub fn create(
    conn: &mut DbConnection,
    payload: &JobPayload,
    max_attempts: i32,
) -> Result<JobId, DbError> {
    let id = JobId::new();
    let json = serde_json::to_string(payload)?;
    insert(conn, &id.to_string(), payload.kind(), &json, max_attempts)?;
    Ok(id)
}

fn insert(
    conn: &mut DbConnection,
    id: &str,
    kind: &str,
    payload: &str,
    max_attempts: i32,
) -> Result<(), DbError> {
    let at = now();
    let job = Job {
        id: id.to_owned(),
        kind: kind.to_owned(),
        payload: payload.to_owned(),
        status: "queued".to_owned(),
        attempts: 0,
        max_attempts,
        heartbeat_at: None,
        last_error: None,
        created_at: at,
        updated_at: at,
        finished_at: None,
        takeovers: 0,
    };
    diesel::insert_into(jobs::table).values(&job).execute(conn)?;
    Ok(())
}

/// How long a job that ended is left to the worker that ended it: that worker marks the job's
/// row first, then the export's or import's, and a cleanup pass between the two must not call
/// the owner's row stuck and overwrite the run's own failure code.
pub const OWNER_RECORD_GRACE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Why the job a row waits on will never finish it (`what`: "export", "import"…), or `None`
/// while it is queued or running, or ended less than [`OWNER_RECORD_GRACE`] ago.
pub fn why_stuck(
    conn: &mut DbConnection,
    job_id: Option<&str>,
    what: &str,
) -> Result<Option<String>, DbError> {
    let job = match job_id {
        Some(id) => find(conn, id)?,
        None => None,
    };
    let recent = now() - OWNER_RECORD_GRACE;
    Ok(match job {
        Some(job) if matches!(job.status.as_str(), "queued" | "running") => None,
        Some(job) if job.updated_at > recent => None,
        Some(job) if job.status == "failed" => {
            Some(job.last_error.unwrap_or_else(|| format!("the {what} job failed")))
        }
        Some(_) => Some(format!("the {what} job ended without finishing the {what}")),
        None => Some(format!("the {what} job was lost")),
    })
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Job>, DbError> {
    Ok(jobs::table.find(id).select(Job::as_select()).first(conn).optional()?)
}

/// Takes a job for this worker: queued (a new attempt), or running with a heartbeat older than
/// `stale_before` (its worker died: a takeover of the same attempt, while fewer than
/// `max_takeovers` were made). Returns `None` when another worker holds it, it is finished, or
/// it is out of takeovers (the reconciler fails it).
pub fn claim(
    conn: &mut DbConnection,
    id: &str,
    stale_before: NaiveDateTime,
    max_takeovers: i32,
) -> Result<Option<Job>, DbError> {
    let at = now();
    let started =
        diesel::update(jobs::table.filter(jobs::id.eq(id)).filter(jobs::status.eq("queued")))
            .set((
                jobs::status.eq("running"),
                jobs::attempts.eq(jobs::attempts + 1),
                jobs::heartbeat_at.eq(Some(at)),
                jobs::updated_at.eq(at),
            ))
            .execute(conn)?;
    let taken_over = if started == 0 {
        diesel::update(
            jobs::table
                .filter(jobs::id.eq(id))
                .filter(jobs::status.eq("running"))
                .filter(jobs::heartbeat_at.lt(stale_before))
                .filter(jobs::takeovers.lt(max_takeovers)),
        )
        .set((
            jobs::takeovers.eq(jobs::takeovers + 1),
            jobs::heartbeat_at.eq(Some(at)),
            jobs::updated_at.eq(at),
        ))
        .execute(conn)?
    } else {
        0
    };
    if started + taken_over == 0 {
        return Ok(None);
    }
    find(conn, id)
}

/// Proves the job is still being worked on; returns false when the row is no longer this run's
/// (finished or taken over), so the worker can stop.
pub fn heartbeat(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    let at = now();
    let updated =
        diesel::update(jobs::table.filter(jobs::id.eq(id)).filter(jobs::status.eq("running")))
            .set((jobs::heartbeat_at.eq(Some(at)), jobs::updated_at.eq(at)))
            .execute(conn)?;
    Ok(updated == 1)
}

pub fn mark_done(conn: &mut DbConnection, id: &str) -> Result<(), DbError> {
    let at = now();
    diesel::update(jobs::table.find(id))
        .set((
            jobs::status.eq("done"),
            jobs::last_error.eq(None::<String>),
            jobs::updated_at.eq(at),
            jobs::finished_at.eq(Some(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives back a job this worker cannot finish (it is shutting down): the row is queued again at
/// once, without waiting for its heartbeat to go stale, and the cut attempt does not count
/// against its attempts. Returns false when the row was no longer running.
pub fn hand_back(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    let at = now();
    let updated =
        diesel::update(jobs::table.filter(jobs::id.eq(id)).filter(jobs::status.eq("running")))
            .set((
                jobs::status.eq("queued"),
                jobs::attempts.eq(jobs::attempts - 1),
                jobs::heartbeat_at.eq(None::<NaiveDateTime>),
                jobs::updated_at.eq(at),
            ))
            .execute(conn)?;
    Ok(updated == 1)
}

/// Records a failed attempt: back to `queued` while attempts remain, `failed` after.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    id: &str,
    error: &str,
    permanent: bool,
) -> Result<bool, DbError> {
    let at = now();
    let Some(job) = find(conn, id)? else {
        return Ok(false);
    };
    let give_up = permanent || job.attempts >= job.max_attempts;
    diesel::update(jobs::table.find(id))
        .set((
            jobs::status.eq(if give_up { "failed" } else { "queued" }),
            jobs::last_error.eq(Some(error)),
            jobs::updated_at.eq(at),
            jobs::finished_at.eq(give_up.then_some(at)),
        ))
        .execute(conn)?;
    Ok(!give_up)
}

/// Jobs that should be in the queue but may not be: queued and untouched since
/// `queued_before`, or running with a heartbeat older than `stale_before`. Running jobs out of
/// takeovers (`max_takeovers`) are failed here rather than run again.
pub fn due_for_requeue(
    conn: &mut DbConnection,
    queued_before: NaiveDateTime,
    stale_before: NaiveDateTime,
    max_takeovers: i32,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    let at = now();
    diesel::update(
        jobs::table
            .filter(jobs::status.eq("running"))
            .filter(jobs::heartbeat_at.lt(stale_before))
            .filter(jobs::takeovers.ge(max_takeovers)),
    )
    .set((
        jobs::status.eq("failed"),
        jobs::last_error.eq(Some(
            "the workers running this job stopped answering more times than queue.max_takeovers allows",
        )),
        jobs::updated_at.eq(at),
        jobs::finished_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(jobs::table
        .filter(
            jobs::status
                .eq("queued")
                .and(jobs::updated_at.lt(queued_before))
                .or(jobs::status.eq("running").and(jobs::heartbeat_at.lt(stale_before))),
        )
        .order(jobs::created_at.asc())
        .limit(limit)
        .select(jobs::id)
        .load(conn)?)
}

/// Counts by status, for readiness and tests.
pub fn count_with_status(conn: &mut DbConnection, status: &str) -> Result<i64, DbError> {
    Ok(jobs::table.filter(jobs::status.eq(status)).count().get_result(conn)?)
}

/// Rows per status among `statuses`; a status with no rows is left out.
pub fn count_by_status(
    conn: &mut DbConnection,
    statuses: &[&str],
) -> Result<Vec<(String, i64)>, DbError> {
    Ok(jobs::table
        .filter(jobs::status.eq_any(statuses))
        .group_by(jobs::status)
        .select((jobs::status, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Drops finished jobs older than `before` so the table does not grow without end.
pub fn vacuum(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(
        jobs::table
            .filter(jobs::status.eq("done").or(jobs::status.eq("failed")))
            .filter(jobs::finished_at.lt(before)),
    )
    .execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::each_backend;

    fn queued(conn: &mut DbConnection) -> String {
        create(conn, &JobPayload::PurgeObjects { keys: vec![] }, 3).expect("job").to_string()
    }

    #[test]
    fn a_handed_back_job_is_claimable_at_once_with_its_attempt_returned() {
        each_backend(|conn| {
            let id = queued(conn);
            let long_ago = now() - chrono::Duration::hours(1);
            let job = claim(conn, &id, long_ago, 5).expect("claim").expect("claimed");
            assert_eq!((job.status.as_str(), job.attempts), ("running", 1));
            // Its heartbeat is fresh: nobody else could take it over yet.
            assert!(claim(conn, &id, long_ago, 5).expect("claim").is_none());
            assert!(hand_back(conn, &id).expect("hand back"));
            let job = find(conn, &id).expect("find").expect("row");
            assert_eq!((job.status.as_str(), job.attempts), ("queued", 0));
            assert_eq!(job.heartbeat_at, None);
            let job = claim(conn, &id, long_ago, 5).expect("claim").expect("claimed again");
            assert_eq!(job.attempts, 1);
            mark_done(conn, &id).expect("done");
            assert!(!hand_back(conn, &id).expect("hand back"), "a finished job stays finished");
        });
    }

    #[test]
    fn a_takeover_spends_no_attempt_and_has_its_own_bound() {
        each_backend(|conn| {
            // Three attempts, four takeovers.
            let id = queued(conn);
            let long_ago = now() - chrono::Duration::hours(1);
            let job = claim(conn, &id, long_ago, 4).expect("claim").expect("claimed");
            assert_eq!((job.attempts, job.takeovers), (1, 0));
            // Its worker dies four times, more than the attempts allow: each run is taken over
            // as the same attempt, and the reconciler neither fails it nor forgets it.
            for takeover in 1..=4 {
                let stale = now() + chrono::Duration::seconds(1);
                let due = due_for_requeue(conn, long_ago, stale, 4, 10).expect("due");
                assert_eq!(due, std::slice::from_ref(&id), "a dead worker's job is pushed again");
                let job = claim(conn, &id, stale, 4).expect("claim").expect("taken over");
                assert_eq!(
                    (job.status.as_str(), job.attempts, job.takeovers),
                    ("running", 1, takeover)
                );
            }
            // The fifth death is one too many.
            let stale = now() + chrono::Duration::seconds(1);
            assert!(claim(conn, &id, stale, 4).expect("claim").is_none(), "out of takeovers");
            assert!(due_for_requeue(conn, long_ago, stale, 4, 10).expect("due").is_empty());
            let job = find(conn, &id).expect("find").expect("row");
            assert_eq!(job.status, "failed");
            assert!(job.last_error.expect("why").contains("queue.max_takeovers"));
            // A failed run still spends an attempt.
            let other = queued(conn);
            claim(conn, &other, long_ago, 4).expect("claim").expect("claimed");
            assert!(mark_attempt_failed(conn, &other, "boom", false).expect("failed"));
            let job = claim(conn, &other, long_ago, 4).expect("claim").expect("claimed");
            assert_eq!((job.attempts, job.takeovers), (2, 0));
        });
    }

    #[test]
    fn a_job_that_just_ended_is_left_to_its_worker_before_its_owner_is_called_stuck() {
        each_backend(|conn| {
            let id = queued(conn);
            claim(conn, &id, now(), 5).expect("claim").expect("claimed");
            assert_eq!(why_stuck(conn, Some(&id), "export").expect("why"), None, "running");
            assert!(!mark_attempt_failed(conn, &id, "boom", true).expect("failed"));
            assert_eq!(why_stuck(conn, Some(&id), "export").expect("why"), None, "just ended");
            let long_ago = now() - OWNER_RECORD_GRACE - chrono::TimeDelta::seconds(1);
            diesel::update(jobs::table.find(&id))
                .set(jobs::updated_at.eq(long_ago))
                .execute(conn)
                .expect("age the row");
            assert_eq!(why_stuck(conn, Some(&id), "export").expect("why").as_deref(), Some("boom"));
            assert!(why_stuck(conn, Some("no-such-job"), "export").expect("why").is_some(), "lost");
        });
    }

    #[test]
    fn rows_are_counted_by_status() {
        each_backend(|conn| {
            assert!(count_by_status(conn, &["queued", "running"]).expect("count").is_empty());
            let ids: Vec<String> = (0..3).map(|_| queued(conn)).collect();
            claim(conn, &ids[0], now(), 5).expect("claim");
            let done = queued(conn);
            claim(conn, &done, now(), 5).expect("claim");
            mark_done(conn, &done).expect("done");
            let mut counts = count_by_status(conn, &["queued", "running"]).expect("count");
            counts.sort();
            assert_eq!(counts, [("queued".to_owned(), 2), ("running".to_owned(), 1)]);
        });
    }
}
