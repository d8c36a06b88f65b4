use actix_web::{HttpRequest, HttpResponse, post};
use mesdonnees_core::schedules;

use super::{ScheduleBody, ScheduleView};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::json::Json;
use crate::routes::Ctx;

/// Saves a recurring export of the user's. Its first run is due at once; the runs are named
/// and written in the language `Accept-Language` prefers (French unless it prefers English).
#[utoipa::path(
    tag = "schedules",
    request_body = ScheduleBody,
    responses(
        (status = 201, body = ScheduleView),
        (status = 404, description = "no such template", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "bad period or end date, app, filter or table, or too many schedules", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/schedules")]
pub async fn create_schedule(
    ctx: Ctx,
    req: HttpRequest,
    user: AuthUser,
    body: Json<ScheduleBody>,
) -> Result<HttpResponse, ApiError> {
    let draft = body.into_inner().draft(crate::problem::lang(&req));
    let saved = schedules::create(&ctx, &user.actor(), draft).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/schedules/{}", saved.id)))
        .json(ScheduleView::read(saved)?))
}
