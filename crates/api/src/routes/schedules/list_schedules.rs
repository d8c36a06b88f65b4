use actix_web::{HttpResponse, get, web};
use mesdonnees_core::schedules;
use serde::{Deserialize, Serialize};

use super::ScheduleView;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SchedulePageQuery {
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SchedulePage {
    items: Vec<ScheduleView>,
    page: i64,
    per_page: i64,
    total: i64,
}

/// The user's schedules, oldest first.
#[utoipa::path(
    tag = "schedules",
    params(SchedulePageQuery),
    responses((status = 200, body = SchedulePage)),
    security(("bearer" = []))
)]
#[get("/schedules")]
pub async fn list_schedules(
    ctx: Ctx,
    user: AuthUser,
    query: web::Query<SchedulePageQuery>,
) -> Result<HttpResponse, ApiError> {
    let listed = schedules::list(&ctx, &user.actor(), query.page, query.per_page).await?;
    Ok(HttpResponse::Ok().json(SchedulePage {
        items: listed.items.into_iter().map(ScheduleView::read).collect::<Result<_, _>>()?,
        page: listed.page,
        per_page: listed.per_page,
        total: listed.total,
    }))
}
