//! The consumer: apalis workers fed by the queue, bounded by `queue.max_concurrent_jobs`.
//!
//! apalis-core 1.0 marks a backend whose fetch fails `Dead` and ends the worker's stream, so a
//! Redis hiccup would stop consuming for good: the consumer is started again, under a new
//! worker name and after a growing delay, instead of restarting the process.

use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::*;
use futures_util::SinkExt;
use mesdonnees_infra::Context;
use mesdonnees_shared::jobs::JobMessage;
use tokio::sync::watch;

use crate::runner::Runner;
use crate::shutdown::Shutdown;

/// Handles one queue message. Errors are recorded on the job row, never returned to apalis:
/// its own retries would run on top of ours. Once the row has taken the message, whatever
/// came of the run, the message is acknowledged so nothing of it stays in Redis.
async fn handle(
    message: JobMessage,
    runner: Data<Runner>,
    task: Option<TaskId>,
    worker: WorkerContext,
) -> Result<(), BoxDynError> {
    runner.run(message.job_id).await;
    if let Some(task) = task
        && let Err(e) = runner.queue().acknowledge(worker.name(), &task.to_string()).await
    {
        // Its traces stay until the key is removed by hand; the job itself is safe in its row.
        tracing::warn!(error = %e, "queue message not acknowledged");
    }
    Ok(())
}

/// Longest pause before a Redis consumer that lost its connection starts again.
const MAX_RESTART_DELAY: Duration = Duration::from_secs(30);

/// Consumes the queue until `shutdown` resolves, then claims nothing more and gives running
/// jobs `queue.shutdown_grace_secs` to finish; those still running then are interrupted and
/// handed back. Returns once no job runs. A Redis consumer whose connection fails is started
/// again with a growing delay; jobs are not lost meanwhile, their rows wait in the database.
pub async fn run_consumer(
    ctx: Context,
    worker_name: String,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), anyhow::Error> {
    let control = Shutdown::default();
    let runner = Runner::new(ctx.clone(), control.clone());
    let grace = Duration::from_secs(ctx.config.queue.shutdown_grace_secs);
    let (stop_tx, stop_rx) = watch::channel(false);
    let supervise = async move {
        shutdown.await;
        control.drain();
        let _ = stop_tx.send(true);
        // apalis returns once its running jobs are done; those past the grace are cut short.
        tokio::time::sleep(grace).await;
        tracing::info!(?grace, "grace period over; interrupting running jobs");
        control.interrupt();
        // Ends only with the consumer, which waits for the interrupted jobs to let go.
        std::future::pending::<()>().await;
    };
    tokio::select! {
        result = consume(&ctx, worker_name, runner, stop_rx) => result,
        () = supervise => Ok(()),
    }
}

async fn consume(
    ctx: &Context,
    worker_name: String,
    runner: Runner,
    stop_rx: watch::Receiver<bool>,
) -> Result<(), anyhow::Error> {
    let concurrency = ctx.config.queue.max_concurrent_jobs;
    let stop_requested = stop_rx.clone();
    let signal = move || {
        let mut stop_rx = stop_rx.clone();
        async move {
            let _ = stop_rx.wait_for(|stop| *stop).await;
            Ok::<(), std::io::Error>(())
        }
    };
    if ctx.queue.is_redis() {
        let mut delay = Duration::from_millis(500);
        let mut restarts = 0_u32;
        loop {
            let Some(storage) = ctx.queue.redis_storage() else { break };
            let name = if restarts == 0 {
                worker_name.clone()
            } else {
                format!("{worker_name}-r{restarts}")
            };
            let stop = signal();
            let result = WorkerBuilder::new(name)
                .backend(storage)
                .concurrency(concurrency)
                .data(runner.clone())
                .build(handle)
                .run_until(stop)
                .await;
            if *stop_requested.borrow() {
                break;
            }
            tracing::error!(error = ?result.err(), ?delay, "the Redis consumer stopped; starting it again");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(MAX_RESTART_DELAY);
            restarts += 1;
        }
        return Ok(());
    }
    let Some((sender, receiver)) = ctx.queue.take_memory_consumer() else {
        anyhow::bail!("the in-process queue already has a consumer");
    };
    let sink = sender.sink_map_err(MemoryStorageError::from);
    let sink = MemorySink::new(Arc::new(futures_util::lock::Mutex::new(Box::new(sink))));
    let storage = MemoryStorage::new_with(sink, Box::pin(receiver));
    WorkerBuilder::new(worker_name)
        .backend(storage)
        .concurrency(concurrency)
        .data(runner)
        .build(handle)
        .run_until(signal())
        .await?;
    Ok(())
}
