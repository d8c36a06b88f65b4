use actix_web::{HttpResponse, delete, web};
use mesdonnees_core::documents;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

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
    documents::delete(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}
