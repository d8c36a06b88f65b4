use actix_web::{HttpResponse, post, web};

use mesdonnees_core::exports;

use super::{UserExportPath, acting};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::forwarded::ReachedAt;
use crate::routes::Ctx;
use crate::routes::exports::{DownloadLink, disposition};

/// A short-lived signed download link to one of a user's ready exports (what another instance
/// pulls a user's archive through); recorded in the audit log.
#[utoipa::path(
    tag = "admin",
    params(UserExportPath),
    responses(
        (status = 200, body = DownloadLink),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "not ready", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/admin/users/{user_id}/exports/{id}/link")]
pub async fn create_user_export_link(
    ctx: Ctx,
    admin: AdminUser,
    path: web::Path<UserExportPath>,
    reached: ReachedAt,
) -> Result<HttpResponse, ApiError> {
    let actor = acting(&admin, &path.user_id)?;
    let link = exports::link(&ctx, &actor, &path.id, reached.0.as_deref(), disposition).await?;
    Ok(HttpResponse::Ok().json(DownloadLink::from(link)))
}
