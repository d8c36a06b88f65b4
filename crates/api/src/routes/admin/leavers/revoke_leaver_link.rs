use actix_web::{HttpResponse, delete, web};
use mesdonnees_core::leavers;

use super::LeaverView;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::admin::acting;

/// Revokes every download link sent to a leaver: from now on it answers `link_revoked`, and no
/// reminder is sent. Declaring them again sends a new link. Recorded in the audit log.
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
#[delete("/admin/leavers/{user_id}/link")]
pub async fn revoke_leaver_link(
    ctx: Ctx,
    admin: AdminUser,
    user_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let viewed = leavers::revoke_link(&ctx, &acting(&admin, &user_id)?).await?;
    Ok(HttpResponse::Ok().json(LeaverView::from(viewed)))
}
