use actix_web::{HttpResponse, delete, web};
use mesdonnees_db::{imports, jobs};
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::jobs::JobPayload;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::imports::owned_import;

/// Removes an import and its uploaded archive, whatever its state but running (a running
/// import finishes: what it brought is the user's to keep or delete).
#[utoipa::path(
    tag = "imports",
    params(("id" = String, Path, description = "import id")),
    responses(
        (status = 204, description = "removed"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "running", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/imports/{id}")]
pub async fn delete_import(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let import = owned_import(&ctx, user.id.as_str(), &id).await?;
    let max_attempts = ctx.config.queue.max_attempts;
    let key = import.object_key.clone();
    let purge = ctx
        .db
        .transaction(move |conn| {
            if !imports::delete(conn, &import.id)? {
                return Ok(Err(()));
            }
            let Some(key) = key else { return Ok(Ok(None)) };
            let payload = JobPayload::PurgeObjects { keys: vec![key] };
            Ok(Ok(Some(jobs::create(conn, &payload, max_attempts)?)))
        })
        .await?
        .map_err(|()| ApiError::Conflict {
            code: ErrorCode::ImportRunning,
            detail: "the import is running; it can be removed once it has ended".to_owned(),
        })?;
    if let Some(job) = purge
        && let Err(e) = ctx.queue.push(job).await
    {
        tracing::warn!(job_id = %job, error = %e, "purge job not enqueued now; the reconciler will");
    }
    Ok(HttpResponse::NoContent().finish())
}
