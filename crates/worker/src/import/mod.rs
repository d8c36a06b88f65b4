//! Imports: the analysis of an uploaded archive (structure, manifest, signature, per-app
//! verdicts), then the import of the apps the user chose, resumable entry by entry. Archives
//! of this service's format and of entcore ENTs take the same path once read.

pub mod analyse;
mod cleanup;
mod entcore;
mod gather;
mod report;
pub mod run;

use mesdonnees_db::{Import, imports};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;

pub use crate::opener::StoreSource;
pub use cleanup::cleanup_once;

use crate::error::JobError;
use crate::notify;

/// Ends an import `failed` with a code, tells its owner, and removes its upload.
pub(crate) async fn fail(
    ctx: &Context,
    import: &Import,
    code: ErrorCode,
    message: &str,
) -> Result<(), JobError> {
    let (id, owner, file_name) =
        (import.id.clone(), import.owner_id.clone(), import.file_name.clone());
    let message_owned = message.to_owned();
    ctx.db
        .transaction(move |conn| {
            if imports::mark_failed(conn, &id, code.as_str(), &message_owned)? {
                notify::import_ended(conn, &owner, &id, &file_name, Err((code, &message_owned)))?;
            }
            Ok(())
        })
        .await?;
    release_upload(ctx, import).await
}

/// Removes the upload of an import that has ended, then forgets its key (and the items that
/// only served to resume it): an ended import whose upload is gone says so with a NULL key. A
/// removal that fails keeps the key for the cleanup's next pass.
pub(crate) async fn release_upload(ctx: &Context, import: &Import) -> Result<(), JobError> {
    let Some(key) = &import.object_key else { return Ok(()) };
    let removed = analyse::remove_upload(ctx, key).await;
    if remove_parts(ctx, &import.id).await? && removed {
        let id = import.id.clone();
        ctx.db.run(move |conn| imports::drop_upload(conn, &id)).await?;
    }
    Ok(())
}

/// Removes the archives an import received as parts; whether all are gone.
pub(crate) async fn remove_parts(ctx: &Context, import_id: &str) -> Result<bool, JobError> {
    let id = import_id.to_owned();
    let parts = ctx.db.run(move |conn| imports::parts::list(conn, &id)).await?;
    let mut all = true;
    for part in parts {
        all &= analyse::remove_upload(ctx, &part.object_key).await;
    }
    Ok(all)
}

/// Marks the import failed once its job has no attempts left.
pub(crate) async fn give_up(ctx: &Context, import_id: &str, code: ErrorCode, reason: &str) {
    let id = import_id.to_owned();
    let found = ctx.db.run(move |conn| imports::find(conn, &id)).await;
    match found {
        Ok(Some(import)) => {
            if let Err(e) = fail(ctx, &import, code, reason).await {
                tracing::error!(error = ?e, "import could not be marked failed");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::error!(error = ?e, "import could not be marked failed"),
    }
}
