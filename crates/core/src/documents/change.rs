//! Changes to the documents space other than an upload: a folder created, a document shared,
//! a document or folder deleted with everything in it.

use mesdonnees_db::{Document, NewDocument, Share, documents, jobs};
use mesdonnees_infra::Context;
use mesdonnees_shared::jobs::JobPayload;
use mesdonnees_shared::{DocumentId, DocumentName, ErrorCode, UserId};

use super::{field_id, owned_folder, path_id};
use crate::{Actor, Error};

/// Creates a folder named `name` in the owner's tree, in `parent_id` or at the root.
pub async fn create_folder(
    ctx: &Context,
    actor: &Actor,
    name: &str,
    parent_id: Option<&str>,
) -> Result<Document, Error> {
    let name = DocumentName::parse(name)
        .map_err(|e| Error::invalid(ErrorCode::InvalidName, e.to_string()))?;
    let parent = parent_id.map(|raw| field_id("parent_id", raw)).transpose()?;
    let owner = actor.owner().to_string();
    let row = NewDocument::folder(
        &DocumentId::new().to_string(),
        &owner,
        parent.map(|p| p.to_string()).as_deref(),
        name.as_str(),
    );
    ctx.db
        .transaction(move |conn| {
            if let Some(parent) = parent
                && let Err(e) = owned_folder(conn, &owner, parent)?
            {
                return Ok(Err(e));
            }
            documents::insert(conn, &row)?;
            Ok(Ok(documents::find(conn, &row.id)?))
        })
        .await??
        .ok_or_else(|| Error::unexpected(anyhow::anyhow!("folder vanished after insert")))
}

/// Gives the user `user_id` read access to one of the owner's documents or folders (and
/// everything in it).
pub async fn share(
    ctx: &Context,
    actor: &Actor,
    raw_id: &str,
    user_id: &str,
) -> Result<Share, Error> {
    let id = path_id(raw_id)?.to_string();
    let target = UserId::parse(user_id)
        .map_err(|e| Error::invalid(ErrorCode::InvalidId, format!("user_id: {e}")))?;
    if &target == actor.owner() {
        return Err(Error::invalid(
            ErrorCode::CannotShareWithSelf,
            "a document cannot be shared with its owner",
        ));
    }
    let owner = actor.owner().to_string();
    let share = Share {
        document_id: id.clone(),
        user_id: target.to_string(),
        granted_by: owner.clone(),
        created_at: mesdonnees_db::models::now(),
    };
    let inserted = ctx
        .db
        .run(move |conn| {
            if documents::find_owned(conn, &owner, &id)?.is_none() {
                return Ok(None);
            }
            Ok(Some(documents::insert_share(conn, &share)?.then_some(share)))
        })
        .await?;
    match inserted {
        None => Err(Error::NotFound("document")),
        Some(None) => Err(Error::conflict(
            ErrorCode::AlreadyShared,
            "the document is already shared with that user",
        )),
        Some(Some(share)) => Ok(share),
    }
}

/// Deletes one of the owner's documents, or a folder with everything in it. The rows go at
/// once; the stored objects are purged by a background job created in the same transaction.
pub async fn delete(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<(), Error> {
    let id = path_id(raw_id)?.to_string();
    let owner = actor.owner().to_string();
    let max_attempts = ctx.config.queue.max_attempts;
    let job = ctx
        .db
        .transaction(move |conn| {
            if documents::find_owned(conn, &owner, &id)?.is_none() {
                return Ok(None);
            }
            let keys = documents::delete_tree(conn, &id)?;
            if keys.is_empty() {
                return Ok(Some(None));
            }
            let job = jobs::create(conn, &JobPayload::PurgeObjects { keys }, max_attempts)?;
            Ok(Some(Some(job)))
        })
        .await?
        .ok_or(Error::NotFound("document"))?;
    if let Some(job) = job
        && let Err(e) = ctx.queue.push(job).await
    {
        // The row is committed: the reconciler will enqueue it.
        tracing::warn!(job_id = %job, error = %e, "purge job not enqueued now");
    }
    Ok(())
}
