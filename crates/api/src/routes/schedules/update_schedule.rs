use actix_web::{HttpRequest, HttpResponse, put, web};
use mesdonnees_core::schedules;

use super::{ScheduleBody, ScheduleView};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::json::Json;
use crate::routes::Ctx;

/// Replaces a schedule's settings, period and end date: a later `until` renews it.
#[utoipa::path(
    tag = "schedules",
    params(("id" = String, Path, description = "schedule id")),
    request_body = ScheduleBody,
    responses(
        (status = 200, body = ScheduleView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/schedules/{id}")]
pub async fn update_schedule(
    ctx: Ctx,
    req: HttpRequest,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<ScheduleBody>,
) -> Result<HttpResponse, ApiError> {
    let draft = body.into_inner().draft(crate::problem::lang(&req));
    let saved = schedules::update(&ctx, &user.actor(), &id, draft).await?;
    Ok(HttpResponse::Ok().json(ScheduleView::read(saved)?))
}
