use actix_web::{HttpResponse, delete, web};
use mesdonnees_db::{exports, jobs};
use mesdonnees_shared::jobs::JobPayload;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::owned_export;

/// Cancels an export in progress (its partial upload is aborted, the row stays as
/// `cancelled`), or deletes a finished one and its archive.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "export id")),
    responses(
        (status = 204, description = "cancelled or deleted"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/exports/{id}")]
pub async fn delete_export(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    delete_for(&ctx, user.id.as_str(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Cancels an export in progress, or deletes a finished one and purges its file: for its
/// owner, and for the admin API.
pub(crate) async fn delete_for(ctx: &Ctx, owner: &str, id: &str) -> Result<(), ApiError> {
    let export = owned_export(ctx, owner, id).await?;
    let max_attempts = ctx.config.queue.max_attempts;
    let purge = ctx
        .db
        .transaction(move |conn| {
            if exports::cancel(conn, &export.id)? {
                return Ok(None);
            }
            exports::delete(conn, &export.id)?;
            // Whatever the status, a key may exist (a ready archive, or one published while the
            // row was being cancelled): purging a missing object is harmless.
            let options = serde_json::from_str(&export.options).unwrap_or_default();
            let key = mesdonnees_shared::exports::export_key(&export.id, &options);
            Ok(Some(jobs::create(
                conn,
                &JobPayload::PurgeObjects { keys: vec![key] },
                max_attempts,
            )?))
        })
        .await?;
    if let Some(job) = purge
        && let Err(e) = ctx.queue.push(job).await
    {
        tracing::warn!(job_id = %job, error = %e, "purge job not enqueued now; the reconciler will");
    }
    Ok(())
}
