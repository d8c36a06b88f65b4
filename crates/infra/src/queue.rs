//! The job queue: a wake-up channel carrying job ids. Redis (apalis-redis) when configured, an
//! in-process channel otherwise. Losing a message is harmless: the reconciler finds the job row.
//!
//! apalis-redis 1.0: the queue name defaults to the Rust type path, so it is set explicitly on
//! both sides. New jobs are fetched only when its heartbeat fires, so the heartbeat is the
//! poll interval, and the missed-beat count makes its orphan timeout `queue.stale_after_secs`
//! (its default hides a dead worker's message for five minutes). Its own retries (25 by
//! default) are not used: handlers always succeed to apalis, the job row says what happened.
//!
//! What apalis-redis keeps per message, and why nothing of it grows: `persist_results(true)`
//! would acknowledge a task by moving it into a `done` set and rewriting its `meta:<id>` hash,
//! both kept forever; with it off nothing is acknowledged at all. So results are off, leases
//! too (a lease is taken asynchronously and would fail on a message already acknowledged), and
//! the consumer acknowledges each message itself once its job row has taken it
//! ([`JobQueue::acknowledge`]: its id in the worker's in-flight set, its `data` entry, its
//! `meta:<id>` hash). A dead worker's in-flight ids are pushed again by the live workers'
//! heartbeats, which also drop it from the workers set; its metadata hash, which apalis never
//! removes (nor on a clean stop: its `poll_close` removes the wrong member), is removed by the
//! reconciler ([`JobQueue::forget_gone_workers`]).

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

    /// Removes what Redis keeps of message `task_id` taken by `worker`, once its job row has
    /// taken it whatever the run came to: the row, not the message, is the truth from then on.
    /// Nothing to do for the in-process queue.
    pub async fn acknowledge(&self, worker: &str, task_id: &str) -> Result<(), QueueError> {
        let Inner::Redis { storage, conn } = &self.inner else { return Ok(()) };
        let config = storage.get_config();
        let mut conn = conn.clone();
        redis::pipe()
            .atomic()
            .srem(format!("{}:{worker}", config.inflight_jobs_set()), task_id)
            .ignore()
            .hdel(config.job_data_hash(), task_id)
            .ignore()
            .del(format!("{}:{task_id}", config.job_meta_hash()))
            .ignore()
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    /// Removes the metadata of workers no longer in the queue's workers set (dead, or stopped);
    /// how many. Nothing to do for the in-process queue.
    pub async fn forget_gone_workers(&self) -> Result<usize, QueueError> {
        let Inner::Redis { storage, conn } = &self.inner else { return Ok(0) };
        let config = storage.get_config();
        let prefix = format!("{}:workers:metadata:", config.queue.as_ref());
        let mut conn = conn.clone();
        let keys = scan(&mut conn, &format!("{}*", glob_escape(&prefix))).await?;
        let mut removed = 0;
        for key in keys {
            let Some(worker) = key.strip_prefix(&prefix) else { continue };
            let seen: Option<f64> = redis::cmd("ZSCORE")
                .arg(config.workers_set())
                .arg(worker)
                .query_async(&mut conn)
                .await?;
            if seen.is_none() {
                let _: () = redis::cmd("DEL").arg(&key).query_async(&mut conn).await?;
                removed += 1;
            }
        }
        Ok(removed)
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
        .lock_tasks(false)
        .emit_events(false)
}

/// Every key matching the glob `pattern`, by `SCAN` (which, unlike `KEYS`, never blocks the
/// server for long).
pub async fn scan(
    conn: &mut impl redis::aio::ConnectionLike,
    pattern: &str,
) -> Result<Vec<String>, redis::RedisError> {
    let mut keys = Vec::new();
    let mut cursor = 0_u64;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(500)
            .query_async(conn)
            .await?;
        keys.extend(batch);
        if next == 0 {
            return Ok(keys);
        }
        cursor = next;
    }
}

/// `text` matched literally by a Redis glob pattern.
fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
