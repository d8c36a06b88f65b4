use actix_web::{HttpResponse, get, web};

use mesdonnees_core::exports;

use super::{UserExportPath, acting};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::ExportView;

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
    let export = exports::get(&ctx, &acting(&admin, &path.user_id)?, &path.id).await?;
    Ok(HttpResponse::Ok().json(ExportView::read(export)?))
}
