//! How an import ends early: cancelled (stopped, or ended at once when not yet importing),
//! deleted (when not running), or discarded by an operator's dry run. Each removes the import's
//! own upload, never a document of the documents space it was read from.

use mesdonnees_db::{Import, imports, jobs};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::imports::owns_archive;
use mesdonnees_shared::jobs::JobPayload;
use object_store::ObjectStoreExt;
use object_store::path::Path;

use super::{enqueue, get};
use crate::{Actor, Error};

/// Stops one of the owner's imports (`imports::request_cancel`); the upload of one that had not
/// started importing is purged. Answers the import as it now stands.
pub async fn cancel(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<Import, Error> {
    let import = get(ctx, actor, raw_id).await?;
    let max_attempts = ctx.config.queue.max_attempts;
    let id = import.id.clone();
    let (row, purge) = ctx
        .db
        .transaction(move |conn| {
            let parts = part_keys(conn, &id)?;
            let purge = match imports::request_cancel(conn, &id)? {
                imports::Cancel::Ended { upload: Some(key) } if owns_archive(&key) => {
                    let keys = parts.into_iter().chain([key]).collect();
                    let payload = JobPayload::PurgeObjects { keys };
                    Some(jobs::create(conn, &payload, max_attempts)?)
                }
                _ => None,
            };
            Ok((imports::find(conn, &id)?, purge))
        })
        .await?;
    if let Some(job) = purge {
        enqueue(ctx, job, "purge").await;
    }
    row.ok_or(Error::NotFound("import"))
}

/// Removes an import and its uploaded archive, whatever its state but running (a running
/// import finishes: what it brought is the user's to keep or delete).
pub async fn delete(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<(), Error> {
    let import = get(ctx, actor, raw_id).await?;
    let max_attempts = ctx.config.queue.max_attempts;
    let key = import.object_key.clone();
    let purge = ctx
        .db
        .transaction(move |conn| {
            let parts = part_keys(conn, &import.id)?;
            if !imports::delete(conn, &import.id)? {
                return Ok(Err(()));
            }
            let Some(key) = key.filter(|k| owns_archive(k)) else { return Ok(Ok(None)) };
            let keys = parts.into_iter().chain([key]).collect();
            let payload = JobPayload::PurgeObjects { keys };
            Ok(Ok(Some(jobs::create(conn, &payload, max_attempts)?)))
        })
        .await?
        .map_err(|()| {
            Error::conflict(
                ErrorCode::ImportRunning,
                "the import is running; it can be removed once it has ended",
            )
        })?;
    if let Some(job) = purge {
        enqueue(ctx, job, "purge").await;
    }
    Ok(())
}

/// The archives an import received as parts that are still its own to remove.
fn part_keys(
    conn: &mut mesdonnees_db::DbConnection,
    import_id: &str,
) -> Result<Vec<String>, mesdonnees_db::DbError> {
    let parts = imports::parts::list(conn, import_id)?;
    Ok(parts
        .into_iter()
        .filter(|p| p.error_code.is_none() && owns_archive(&p.object_key))
        .map(|p| p.object_key)
        .collect())
}

/// Removes an import that is not running and its upload at once, leaving no trace but its
/// creation in the rate limit's count (what a dry run leaves behind). `false` when it runs.
pub async fn discard(ctx: &Context, import: &Import) -> Result<bool, Error> {
    let id = import.id.clone();
    if !ctx.db.transaction(move |conn| imports::delete(conn, &id)).await? {
        return Ok(false);
    }
    if let Some(key) = import.object_key.as_deref().filter(|k| owns_archive(k)) {
        match ctx.storage.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(true)
}
