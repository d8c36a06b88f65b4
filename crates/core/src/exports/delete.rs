//! Cancelling an export in progress (its partial upload is aborted, the row stays as
//! `cancelled`), or deleting a finished one and purging its file.
//!
//! Pitfall: a worker cut between copying a file into the documents space and the `ready`
//! transaction leaves that copy with no row; the next claim of its job removes it, but only
//! while the export's row exists. Deleted first (cancelled or failed, then deleted), the export
//! takes the copy with it, unless a document's row names it (delivered, then kept by the user).

use mesdonnees_db::{documents, export_parts, exports, jobs};
use mesdonnees_infra::Context;
use mesdonnees_shared::exports::{Delivery, delivery_document_id, document_key, export_key};
use mesdonnees_shared::jobs::JobPayload;

use super::owned;
use crate::{Actor, Error, audit};

/// What became of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// It was in progress: its job stops, the row stays as `cancelled`.
    Cancelled,
    /// It had ended: the row is gone, its file is being purged.
    Deleted,
}

/// Cancels the export if it is in progress, deletes it otherwise.
pub async fn delete(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<Removed, Error> {
    let export = owned(ctx, actor, raw_id).await?;
    // Whatever the status, a key may exist (a ready archive, or one published while the row
    // was being cancelled): purging a missing object is harmless. Read before the
    // transaction, so a corrupt row deletes nothing.
    let options = export.export_options()?;
    let key = export_key(&export.id, &options);
    let delivered =
        (options.deliver_to == Some(Delivery::Documents)).then(|| delivery_document_id(&export.id));
    let max_attempts = ctx.config.queue.max_attempts;
    let purge = ctx
        .db
        .transaction(move |conn| {
            if exports::cancel(conn, &export.id)? {
                return Ok(None);
            }
            // An export in parts has an object per part.
            let mut keys = vec![key];
            keys.extend(export_parts::list(conn, &export.id)?.into_iter().map(|p| p.object_key));
            keys.dedup();
            if let Some(document) = delivered
                && documents::find(conn, &document)?.is_none()
            {
                keys.push(document_key(&document));
            }
            export_parts::clear(conn, &export.id)?;
            exports::delete(conn, &export.id)?;
            Ok(Some(jobs::create(conn, &JobPayload::PurgeObjects { keys }, max_attempts)?))
        })
        .await?;
    if let Some(job) = purge
        && let Err(e) = ctx.queue.push(job).await
    {
        tracing::warn!(job_id = %job, error = %e, "purge job not enqueued now; the reconciler will");
    }
    audit::record(ctx, actor, "export.delete", Some(raw_id)).await?;
    Ok(if purge.is_some() { Removed::Deleted } else { Removed::Cancelled })
}
