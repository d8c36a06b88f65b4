//! `[queue]`: how jobs reach workers, and how a lost one is found again.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// How jobs reach workers, and how a lost or stuck job is found again.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// `redis://…`; empty means the in-process queue (recovered from the database at start).
    pub redis_url: String,
    /// Redis key namespace of the queue; set explicitly on producer and consumer.
    pub name: String,
    /// Jobs one worker process runs at once; further messages wait for a free place, neither
    /// lost nor failed. Also what a Redis worker fetches in one batch.
    pub max_concurrent_jobs: usize,
    /// How often a running job proves it is alive.
    pub heartbeat_secs: u64,
    /// A running job whose heartbeat is older than this is taken over by another worker.
    pub stale_after_secs: u64,
    /// How often the reconciler looks for lost jobs.
    pub reconcile_interval_secs: u64,
    /// How often a Redis worker looks for new jobs, in milliseconds (50 to 10000).
    pub poll_interval_ms: u64,
    /// Attempts before a job is marked failed: a run that fails (an error, not a worker that
    /// died) spends one.
    pub max_attempts: i32,
    /// Times a job may be taken over from a worker that stopped answering (killed, cut off:
    /// its heartbeat went stale) before it is marked failed. A takeover resumes the same
    /// attempt and spends none of `max_attempts`.
    pub max_takeovers: i32,
    /// Finished job rows are removed after this many hours.
    pub keep_finished_hours: u64,
    /// Seconds running jobs get to finish on shutdown; a job still running then is interrupted
    /// (an export aborts its upload) and handed back to the queue for any worker to resume.
    pub shutdown_grace_secs: u64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            redis_url: String::new(),
            name: "mesdonnees-jobs".to_owned(),
            max_concurrent_jobs: 4,
            heartbeat_secs: 5,
            stale_after_secs: 30,
            reconcile_interval_secs: 15,
            poll_interval_ms: 250,
            max_attempts: 5,
            max_takeovers: 20,
            keep_finished_hours: 24 * 7,
            shutdown_grace_secs: 20,
        }
    }
}

impl Section for QueueConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.max_concurrent_jobs == 0 {
            return ConfigError::invalid("queue.max_concurrent_jobs must be at least 1");
        }
        if self.heartbeat_secs == 0 || self.stale_after_secs <= self.heartbeat_secs {
            return ConfigError::invalid(
                "queue.stale_after_secs must be greater than queue.heartbeat_secs > 0",
            );
        }
        if !(50..=10_000).contains(&self.poll_interval_ms) {
            return ConfigError::invalid("queue.poll_interval_ms must be between 50 and 10000");
        }
        if self.max_attempts < 1 {
            return ConfigError::invalid("queue.max_attempts must be at least 1");
        }
        if self.max_takeovers < 0 {
            return ConfigError::invalid("queue.max_takeovers must not be negative");
        }
        Ok(())
    }
}
