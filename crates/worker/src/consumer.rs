use std::sync::Arc;

use apalis::prelude::*;
use futures_util::SinkExt;
use mesdonnees_infra::Context;
use mesdonnees_shared::jobs::JobMessage;

use crate::runner::Runner;

/// Handles one queue message. Errors are recorded on the job row, never returned to apalis:
/// its own retries would run on top of ours.
async fn handle(message: JobMessage, runner: Data<Runner>) -> Result<(), BoxDynError> {
    runner.run(message.job_id).await;
    Ok(())
}

/// Consumes the queue until `shutdown` resolves, then lets running jobs finish.
pub async fn run_consumer(
    ctx: Context,
    worker_name: String,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), anyhow::Error> {
    let runner = Runner::new(ctx.clone());
    let concurrency = ctx.config.queue.concurrency;
    let signal = async move {
        shutdown.await;
        Ok::<(), std::io::Error>(())
    };
    if let Some(storage) = ctx.queue.redis_storage() {
        WorkerBuilder::new(worker_name)
            .backend(storage)
            .concurrency(concurrency)
            .data(runner)
            .build(handle)
            .run_until(signal)
            .await?;
    } else if let Some((sender, receiver)) = ctx.queue.take_memory_consumer() {
        let sink = sender.sink_map_err(MemoryStorageError::from);
        let sink = MemorySink::new(Arc::new(futures_util::lock::Mutex::new(Box::new(sink))));
        let storage = MemoryStorage::new_with(sink, Box::pin(receiver));
        WorkerBuilder::new(worker_name)
            .backend(storage)
            .concurrency(concurrency)
            .data(runner)
            .build(handle)
            .run_until(signal)
            .await?;
    } else {
        anyhow::bail!("the in-process queue already has a consumer");
    }
    Ok(())
}
