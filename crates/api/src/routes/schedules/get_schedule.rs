use actix_web::{HttpResponse, get, web};
use mesdonnees_core::schedules;

use super::ScheduleView;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

/// One schedule of the user's.
#[utoipa::path(
    tag = "schedules",
    params(("id" = String, Path, description = "schedule id")),
    responses(
        (status = 200, body = ScheduleView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/schedules/{id}")]
pub async fn get_schedule(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let schedule = schedules::get(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::Ok().json(ScheduleView::read(schedule)?))
}
