//! One function per job kind.

use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::jobs::JobPayload;
use object_store::ObjectStoreExt;
use object_store::path::Path;
use tokio_util::sync::CancellationToken;

use crate::error::JobError;

/// `interrupt` fires when the worker shuts down with the job still running; a long job stops
/// then, cleaning up behind it, and returns [`JobError::Interrupted`].
pub(crate) async fn run(
    ctx: &Context,
    payload: &JobPayload,
    interrupt: &CancellationToken,
) -> Result<(), JobError> {
    match payload {
        JobPayload::PurgeObjects { keys } => purge_objects(ctx, keys).await,
        JobPayload::Export { export_id } => {
            crate::export::run(ctx, export_id, interrupt.cancelled()).await
        }
        JobPayload::ExportEmail { export_id } => {
            crate::notify::send_export_email(ctx, export_id).await
        }
        JobPayload::LeaverEmail { user_id, reminder_days } => {
            crate::leaver_mail::send(ctx, user_id, *reminder_days).await
        }
        JobPayload::AnalyseImport { import_id } => {
            crate::import::analyse::run(ctx, import_id).await
        }
        JobPayload::Import { import_id } => crate::import::run::run(ctx, import_id).await,
    }
}

/// Called once a job has no attempts left, so the row it serves can say so (with the
/// failure's own code when it has one).
pub(crate) async fn give_up(ctx: &Context, payload: &JobPayload, failure: &JobError) {
    let reason = failure.to_string();
    let code = failure.code();
    match payload {
        JobPayload::PurgeObjects { .. }
        | JobPayload::ExportEmail { .. }
        | JobPayload::LeaverEmail { .. } => {}
        JobPayload::Export { export_id } => {
            let code = code.unwrap_or(ErrorCode::ExportFailed);
            crate::export::give_up(ctx, export_id, code, &reason).await;
        }
        JobPayload::AnalyseImport { import_id } | JobPayload::Import { import_id } => {
            let code = code.unwrap_or(ErrorCode::ImportFailed);
            crate::import::give_up(ctx, import_id, code, &reason).await;
        }
    }
}

/// Deletes objects whose rows are gone. An object already missing counts as deleted, so the job
/// can run any number of times.
async fn purge_objects(ctx: &Context, keys: &[String]) -> Result<(), JobError> {
    let mut failed = 0_usize;
    for key in keys {
        let path = Path::from(key.as_str());
        match ctx.storage.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => {
                failed += 1;
                tracing::warn!(error = %e, "object not deleted");
            }
        }
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(JobError::Transient(format!("{failed} of {} objects not deleted", keys.len())))
    }
}
