use actix_web::{HttpResponse, get, web};
use mesdonnees_core::leavers;
use serde::{Deserialize, Serialize};

use super::LeaverView;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaversQuery {
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeaverPage {
    items: Vec<LeaverView>,
    page: i64,
    per_page: i64,
    total: i64,
}

/// The leavers, soonest closing date first, each with where they stand (preparing, prepared,
/// notified, downloaded, expired, failed).
#[utoipa::path(
    tag = "admin",
    params(LeaversQuery),
    responses(
        (status = 200, body = LeaverPage),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "a page outside the bounds", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/leavers")]
pub async fn list_leavers(
    ctx: Ctx,
    _admin: AdminUser,
    query: web::Query<LeaversQuery>,
) -> Result<HttpResponse, ApiError> {
    let listed = leavers::list(&ctx, query.page, query.per_page).await?;
    Ok(HttpResponse::Ok().json(LeaverPage {
        items: listed.items.into_iter().map(LeaverView::from).collect(),
        page: listed.page,
        per_page: listed.per_page,
        total: listed.total,
    }))
}
