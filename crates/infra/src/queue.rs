//! The job queue: a wake-up channel carrying job ids. Redis (apalis-redis) when configured, an
//! in-process channel otherwise. Losing a message is harmless: the reconciler finds the job row.
//!
//! apalis-redis 1.0: the queue name defaults to the Rust type path, so it is set explicitly on
//! both sides. New jobs are fetched only when its heartbeat fires, so the heartbeat is the
//! poll interval, and the missed-beat count makes its orphan timeout `queue.stale_after_secs`
//! (its default hides a dead worker's message for five minutes). With `persist_results(false)`
//! a finished task is never acknowledged and its keys stay in Redis; its own retries (25 by
//! default) are not used: handlers always succeed to apalis, the job row says what happened.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use apalis_core::backend::TaskSink;
use apalis_core::task::Task;
use apalis_redis::{ConnectionManager, RedisStorage};
use futures_channel::mpsc;
use mesdonnees_shared::JobId;
use mesdonnees_shared::jobs::JobMessage;

use crate::config::QueueConfig;

pub type MemoryReceiver = mpsc::UnboundedReceiver<Task<JobMessage>>;
pub type MemorySender = mpsc::UnboundedSender<Task<JobMessage>>;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("cannot reach Redis")]
    Redis(#[from] redis::RedisError),
    #[error("cannot push to the queue: {0}")]
    Push(String),
    #[error("the in-process queue is closed")]
    Closed,
}

#[derive(Clone)]
pub struct JobQueue {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Redis {
        // Boxed: the storage is large next to the in-process variant.
        storage: Box<RedisStorage<JobMessage>>,
        conn: ConnectionManager,
    },
    Memory {
        sender: MemorySender,
        receiver: Arc<Mutex<Option<MemoryReceiver>>>,
    },
}

impl std::fmt::Debug for JobQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.inner {
            Inner::Redis { .. } => "JobQueue::Redis",
            Inner::Memory { .. } => "JobQueue::Memory",
        })
    }
}

impl JobQueue {
    pub async fn connect(config: &QueueConfig) -> Result<Self, QueueError> {
        if config.redis_url.is_empty() {
            return Ok(Self::in_process());
        }
        let client = redis::Client::open(config.redis_url.as_str())?;
        let conn = tokio::time::timeout(Duration::from_secs(10), client.get_connection_manager())
            .await
            .map_err(|_| {
                QueueError::Redis(redis::RedisError::from((
                    redis::ErrorKind::Io,
                    "timed out connecting to Redis",
                )))
            })??;
        let storage = Box::new(RedisStorage::new(conn.clone()).with_config(redis_config(config)));
        Ok(Self { inner: Inner::Redis { storage, conn } })
    }

    pub fn in_process() -> Self {
        let (sender, receiver) = mpsc::unbounded();
        Self { inner: Inner::Memory { sender, receiver: Arc::new(Mutex::new(Some(receiver))) } }
    }

    pub fn is_redis(&self) -> bool {
        matches!(self.inner, Inner::Redis { .. })
    }

    pub async fn push(&self, job_id: JobId) -> Result<(), QueueError> {
        let message = JobMessage { job_id };
        match &self.inner {
            Inner::Redis { storage, .. } => {
                let mut storage = storage.clone();
                storage.push(message).await.map_err(|e| QueueError::Push(e.to_string()))
            }
            Inner::Memory { sender, .. } => {
                sender.unbounded_send(Task::new(message)).map_err(|_| QueueError::Closed)
            }
        }
    }

    pub async fn ping(&self) -> Result<(), QueueError> {
        match &self.inner {
            Inner::Redis { conn, .. } => {
                let mut conn = conn.clone();
                let _: String = tokio::time::timeout(
                    Duration::from_secs(3),
                    redis::cmd("PING").query_async(&mut conn),
                )
                .await
                .map_err(|_| QueueError::Push("Redis did not answer PING in time".into()))??;
                Ok(())
            }
            Inner::Memory { sender, .. } if sender.is_closed() => Err(QueueError::Closed),
            Inner::Memory { .. } => Ok(()),
        }
    }

    /// The consumer side of a Redis queue, for a worker.
    pub fn redis_storage(&self) -> Option<RedisStorage<JobMessage>> {
        match &self.inner {
            Inner::Redis { storage, .. } => Some((**storage).clone()),
            Inner::Memory { .. } => None,
        }
    }

    /// The consumer side of the in-process queue; only one worker may take it.
    pub fn take_memory_consumer(&self) -> Option<(MemorySender, MemoryReceiver)> {
        match &self.inner {
            Inner::Memory { sender, receiver } => {
                receiver.lock().ok().and_then(|mut slot| slot.take()).map(|rx| (sender.clone(), rx))
            }
            Inner::Redis { .. } => None,
        }
    }
}

fn redis_config(config: &QueueConfig) -> apalis_redis::Config {
    // apalis-redis fetches new jobs only when its heartbeat fires, so its heartbeat is our poll
    // interval; its orphan timeout (interval × missed beats) is set to our stale-after window.
    // Its default (30 s × 10) would leave a dead worker's message hidden for five minutes.
    let poll_ms = config.poll_interval_ms.max(1);
    let missed = usize::try_from(config.stale_after_secs.saturating_mul(1000) / poll_ms)
        .unwrap_or(usize::MAX)
        .max(2);
    apalis_redis::Config::default()
        .queue(&config.name)
        .batch_size(config.max_concurrent_jobs)
        .heartbeat_interval(Duration::from_millis(poll_ms))
        .missed_heartbeats(missed)
        .persist_results(false)
        .emit_events(false)
}
