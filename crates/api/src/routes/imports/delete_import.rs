use actix_web::{HttpResponse, delete, web};
use mesdonnees_core::imports;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

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
    imports::delete(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}
