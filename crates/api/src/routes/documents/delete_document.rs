use actix_web::{HttpResponse, delete, web};
use mesdonnees_db::{documents, jobs};
use mesdonnees_shared::jobs::JobPayload;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::{Ctx, parse_document_id};

/// Deletes a document, or a folder with everything in it. The rows go at once; the stored
/// objects are purged by a background job created in the same transaction.
#[utoipa::path(
    tag = "documents",
    params(("id" = String, Path, description = "document or folder id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/documents/{id}")]
pub async fn delete_document(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_document_id(&id)?.to_string();
    let owner = user.id.to_string();
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
        .ok_or(ApiError::NotFound("document"))?;
    if let Some(job) = job
        && let Err(e) = ctx.queue.push(job).await
    {
        // The row is committed: the reconciler will enqueue it.
        tracing::warn!(job_id = %job, error = %e, "purge job not enqueued now");
    }
    Ok(HttpResponse::NoContent().finish())
}
