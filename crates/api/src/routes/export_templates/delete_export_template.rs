use actix_web::{HttpResponse, delete, web};
use mesdonnees_core::templates;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

/// Deletes a template; exports made from it stay as they are.
#[utoipa::path(
    tag = "export-templates",
    params(("id" = String, Path, description = "template id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/export-templates/{id}")]
pub async fn delete_export_template(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    templates::delete(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}
