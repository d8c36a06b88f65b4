use actix_web::{HttpResponse, get, web};
use mesdonnees_core::leavers;

use super::LeaverView;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;

/// One leaver and where they stand.
#[utoipa::path(
    tag = "admin",
    params(("user_id" = String, Path, description = "the leaver")),
    responses(
        (status = 200, body = LeaverView),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/leavers/{user_id}")]
pub async fn get_leaver(
    ctx: Ctx,
    _admin: AdminUser,
    user_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(LeaverView::from(leavers::get(&ctx, &user_id).await?)))
}
