//! The reconciler: the database is the truth, the queue only a wake-up. At worker start it
//! re-pushes every queued row, since an in-process queue starts empty and a Redis one may have
//! been flushed; then, each interval, rows queued too long and rows running with a stale
//! heartbeat (their worker died). Pushing twice is harmless: the claim is a conditional update.

use std::time::Duration;

use chrono::Utc;
use mesdonnees_db::jobs;
use mesdonnees_infra::Context;
use mesdonnees_shared::JobId;

use crate::runner::stale_before;

/// Most jobs re-enqueued in one pass; the next pass takes the rest.
const BATCH: i64 = 500;

/// One pass: pushes every job row that should be in the queue but may not be. `queued_grace`
/// is how long a queued row may wait before its message counts as lost; at start it is zero,
/// since an in-process queue starts empty.
pub async fn reconcile_once(ctx: &Context, queued_grace: Duration) -> Result<usize, anyhow::Error> {
    let grace = chrono::Duration::from_std(queued_grace)?;
    let queued_before = (Utc::now() - grace).naive_utc();
    let stale = stale_before(ctx.config.queue.stale_after_secs);
    let max_takeovers = ctx.config.queue.max_takeovers;
    let ids = ctx
        .db
        .run(move |conn| jobs::due_for_requeue(conn, queued_before, stale, max_takeovers, BATCH))
        .await?;
    let mut pushed = 0;
    for id in &ids {
        let Ok(job_id) = JobId::parse(id) else {
            continue;
        };
        match ctx.queue.push(job_id).await {
            Ok(()) => pushed += 1,
            Err(e) => tracing::warn!(%job_id, error = %e, "job not re-enqueued"),
        }
    }
    if pushed > 0 {
        tracing::info!(pushed, "re-enqueued jobs found in the database");
    }
    match ctx.queue.forget_gone_workers().await {
        Ok(0) => {}
        Ok(gone) => tracing::debug!(gone, "metadata of gone queue workers removed"),
        Err(e) => tracing::warn!(error = %e, "metadata of gone queue workers not removed"),
    }
    let keep = chrono::Duration::hours(i64::try_from(ctx.config.queue.keep_finished_hours)?);
    let before = (Utc::now() - keep).naive_utc();
    let removed = ctx.db.run(move |conn| jobs::vacuum(conn, before)).await?;
    if removed > 0 {
        tracing::debug!(removed, "finished jobs removed");
    }
    Ok(pushed)
}

/// Runs [`reconcile_once`] at start and then every `queue.reconcile_interval_secs`, the
/// export, import and scratch-folder cleanup every `exports.cleanup_interval_secs`, and the
/// sweep of the store's abandoned staging files (`staging`), until `shutdown` resolves.
pub async fn run_reconciler(ctx: Context, shutdown: impl Future<Output = ()>) {
    let every = Duration::from_secs(ctx.config.queue.reconcile_interval_secs.max(1));
    let cleanup_every = Duration::from_secs(ctx.config.exports.cleanup_interval_secs.max(1));
    let mut last_cleanup: Option<std::time::Instant> = None;
    let staging_every = crate::staging::interval(Duration::from_secs(
        ctx.config.storage.abandoned_staging_after_secs,
    ))
    .max(cleanup_every);
    let mut last_staging_sweep: Option<std::time::Instant> = None;
    tokio::pin!(shutdown);
    let mut first = true;
    loop {
        let grace = if first { Duration::ZERO } else { every };
        first = false;
        if let Err(e) = reconcile_once(&ctx, grace).await {
            tracing::warn!(error = ?e, "reconciliation pass failed");
        }
        if last_cleanup.is_none_or(|at| at.elapsed() >= cleanup_every) {
            last_cleanup = Some(std::time::Instant::now());
            if let Err(e) = crate::export::cleanup_once(&ctx).await {
                tracing::warn!(error = ?e, "export cleanup failed");
            }
            if let Err(e) = crate::import::cleanup_once(&ctx).await {
                tracing::warn!(error = ?e, "import cleanup failed");
            }
            if let Err(e) = crate::scratch::sweep_once(&ctx.config).await {
                tracing::warn!(error = %e, "scratch folder not swept");
            }
        }
        if last_staging_sweep.is_none_or(|at| at.elapsed() >= staging_every) {
            last_staging_sweep = Some(std::time::Instant::now());
            if let Err(e) = crate::staging::sweep_once(&ctx).await {
                tracing::warn!(error = %e, "store's staging files not swept");
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}
