use actix_web::{HttpResponse, get, web};

use super::{UserExportPath, audit, target};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::{ExportView, owned_export};

/// One of a user's exports, with its progress; the reading is recorded in the audit log.
#[utoipa::path(
    tag = "admin",
    params(UserExportPath),
    responses(
        (status = 200, body = ExportView),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/users/{user_id}/exports/{id}")]
pub async fn get_user_export(
    ctx: Ctx,
    admin: AdminUser,
    path: web::Path<UserExportPath>,
) -> Result<HttpResponse, ApiError> {
    let user = target(&path.user_id)?;
    let export = owned_export(&ctx, user.id.as_str(), &path.id).await?;
    audit(&ctx, &admin, "export.get", user.id.as_str(), Some(&export.id)).await?;
    Ok(HttpResponse::Ok().json(ExportView::from(export)))
}
