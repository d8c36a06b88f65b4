//! Claims a job row, runs its handler with a heartbeat, and records the outcome.
//!
//! A handler interrupted by a shutdown often fails with a transient error (its stream or upload
//! cut by the stop): that counts as the interruption, so the row is handed back without using
//! up an attempt rather than charged a retry it did not cause.

use std::time::{Duration, Instant};

use chrono::Utc;
use mesdonnees_db::jobs;
use mesdonnees_infra::Context;
use mesdonnees_infra::metrics::JobResult;
use mesdonnees_shared::JobId;
use mesdonnees_shared::jobs::JobPayload;
use tracing::{Instrument, info_span};

use crate::error::JobError;
use crate::handlers;
use crate::shutdown::Shutdown;

/// How long an interrupted handler gets to let go of what it holds (an export aborts its
/// upload) before it is dropped where it stands.
const LET_GO: Duration = Duration::from_secs(5);

/// What one delivery of a job id came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    /// Failed this time; the row went back to `queued` and a retry was scheduled.
    Retrying,
    Failed,
    /// Interrupted by a shutdown and queued again for any worker to resume.
    HandedBack,
    /// Another worker holds it, it is finished, or it no longer exists: nothing to do.
    NotClaimed,
}

/// Runs job rows. Cheap to clone; one per worker process.
#[derive(Clone, Debug)]
pub struct Runner {
    ctx: Context,
    shutdown: Shutdown,
}

impl Runner {
    pub fn new(ctx: Context, shutdown: Shutdown) -> Self {
        Self { ctx, shutdown }
    }

    pub(crate) fn queue(&self) -> &mesdonnees_infra::queue::JobQueue {
        &self.ctx.queue
    }

    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Claims the row, runs it with a heartbeat, records the outcome.
    pub async fn run(&self, job_id: JobId) -> JobOutcome {
        let span = info_span!("job", job_id = %job_id, kind = tracing::field::Empty);
        self.run_inner(job_id).instrument(span).await
    }

    async fn run_inner(&self, job_id: JobId) -> JobOutcome {
        if self.shutdown.is_draining() {
            // The row stays queued: the reconciler of a running worker offers it again.
            return JobOutcome::NotClaimed;
        }
        let queue = &self.ctx.config.queue;
        let stale_before = stale_before(queue.stale_after_secs);
        let id = job_id.to_string();
        let max_takeovers = queue.max_takeovers;
        let claimed =
            self.ctx.db.run(move |conn| jobs::claim(conn, &id, stale_before, max_takeovers)).await;
        let job = match claimed {
            Ok(Some(job)) => job,
            Ok(None) => return JobOutcome::NotClaimed,
            Err(e) => {
                // The reconciler will offer it again once the database answers.
                tracing::error!(error = ?e, "cannot claim job");
                return JobOutcome::NotClaimed;
            }
        };
        tracing::Span::current().record("kind", job.kind.as_str());
        tracing::info!(attempt = job.attempts, takeovers = job.takeovers, "job started");
        let started = Instant::now();

        let payload = serde_json::from_str::<JobPayload>(&job.payload);
        let result = match &payload {
            Ok(payload) => {
                let work = handlers::run(&self.ctx, payload, self.shutdown.interrupted());
                self.with_heartbeat(job_id, work).await
            }
            Err(e) => Err(JobError::Permanent(format!("unreadable payload: {e}"))),
        };
        let (outcome, label) =
            self.record(job_id, job.attempts, payload.as_ref().ok(), result).await;
        self.ctx.metrics.record_job(&job.kind, label, started.elapsed());
        outcome
    }

    /// Writes the run's outcome to the row; says it for the caller and for the metrics.
    async fn record(
        &self,
        job_id: JobId,
        attempts: i32,
        payload: Option<&JobPayload>,
        result: Result<(), JobError>,
    ) -> (JobOutcome, JobResult) {
        let id = job_id.to_string();
        match result {
            Ok(()) => {
                if let Err(e) = self.ctx.db.run(move |conn| jobs::mark_done(conn, &id)).await {
                    tracing::error!(error = ?e, "job finished but its row could not be updated");
                }
                tracing::info!("job done");
                (JobOutcome::Done, JobResult::Done)
            }
            Err(JobError::Interrupted) => {
                self.hand_back(job_id).await;
                (JobOutcome::HandedBack, JobResult::HandedBack)
            }
            Err(err) => {
                let permanent = err.is_permanent();
                let message = err.to_string();
                tracing::warn!(error = %message, permanent, "job attempt failed");
                let retry = self
                    .ctx
                    .db
                    .run(move |conn| jobs::mark_attempt_failed(conn, &id, &message, permanent))
                    .await
                    .unwrap_or(false);
                if retry {
                    self.schedule_retry(job_id, attempts);
                    return (JobOutcome::Retrying, JobResult::Retried);
                }
                if let Some(payload) = payload {
                    handlers::give_up(&self.ctx, payload, &err).await;
                }
                (JobOutcome::Failed, if permanent { JobResult::Failed } else { JobResult::GivenUp })
            }
        }
    }

    /// Queues the row again at once, and offers it to the other workers of a shared queue; an
    /// in-process queue's next start finds it in the database.
    async fn hand_back(&self, job_id: JobId) {
        let id = job_id.to_string();
        match self.ctx.db.run(move |conn| jobs::hand_back(conn, &id)).await {
            Ok(true) => {
                if self.ctx.queue.is_redis()
                    && let Err(e) = self.ctx.queue.push(job_id).await
                {
                    tracing::warn!(error = %e, "handed-back job not enqueued; the reconciler will");
                }
                tracing::info!("job interrupted by the shutdown and handed back");
            }
            Ok(false) => tracing::info!("job interrupted; its row had already moved on"),
            Err(e) => {
                tracing::warn!(
                    error = ?e,
                    "job interrupted but not handed back; it will be taken over once stale"
                );
            }
        }
    }

    /// Drives the handler while refreshing the row's heartbeat, so other workers can tell a slow
    /// job from a dead one.
    async fn with_heartbeat<F>(&self, job_id: JobId, work: F) -> Result<(), JobError>
    where
        F: Future<Output = Result<(), JobError>>,
    {
        let every = Duration::from_secs(self.ctx.config.queue.heartbeat_secs);
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tokio::pin!(work);
        loop {
            tokio::select! {
                // The handler sees the token too, and may fail of the stop (an upload it
                // aborted) before this loop sees the token: the same hand-back then.
                result = &mut work => return self.stopped(result),
                () = self.shutdown.interrupted().cancelled() => {
                    // The handler saw the same token; it may still finish or clean up.
                    return match tokio::time::timeout(LET_GO, &mut work).await {
                        Ok(result) => self.stopped(result),
                        Err(_) => Err(JobError::Interrupted),
                    };
                }
                _ = ticker.tick() => {
                    let id = job_id.to_string();
                    match self.ctx.db.run(move |conn| jobs::heartbeat(conn, &id)).await {
                        Ok(true) => {}
                        Ok(false) => {
                            return Err(JobError::Transient("the job row was taken over".into()));
                        }
                        Err(e) => tracing::warn!(error = ?e, "heartbeat not recorded"),
                    }
                }
            }
        }
    }

    /// A transient error once the shutdown has begun is the stop's doing (an aborted upload, a
    /// closed stream): the job is handed back rather than charged an attempt.
    fn stopped(&self, result: Result<(), JobError>) -> Result<(), JobError> {
        match result {
            Err(JobError::Transient(e)) if self.shutdown.interrupted().is_cancelled() => {
                tracing::info!(error = %e, "job stopped by the shutdown");
                Err(JobError::Interrupted)
            }
            other => other,
        }
    }

    /// Re-pushes the job after an exponential backoff (1 s, 2 s, 4 s … capped at 5 min). If this
    /// process dies first, the reconciler finds the queued row.
    fn schedule_retry(&self, job_id: JobId, attempts: i32) {
        let exp = u32::try_from(attempts.clamp(1, 9) - 1).unwrap_or(0);
        let delay = Duration::from_secs(2_u64.pow(exp).min(300));
        let queue = self.ctx.queue.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if let Err(e) = queue.push(job_id).await {
                tracing::warn!(%job_id, error = %e, "retry not enqueued; the reconciler will");
            }
        });
    }
}

pub(crate) fn stale_before(stale_after_secs: u64) -> chrono::NaiveDateTime {
    let secs = i64::try_from(stale_after_secs).unwrap_or(i64::MAX);
    (Utc::now() - chrono::Duration::seconds(secs)).naive_utc()
}
