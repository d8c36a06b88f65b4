use actix_web::{HttpResponse, delete, web};
use mesdonnees_core::schedules;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

/// Deletes a schedule: no further run; the exports it made stay as they are.
#[utoipa::path(
    tag = "schedules",
    params(("id" = String, Path, description = "schedule id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/schedules/{id}")]
pub async fn delete_schedule(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    schedules::delete(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}
