use actix_web::{HttpResponse, delete, web};
use mesdonnees_core::exports;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

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
    exports::delete(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}
