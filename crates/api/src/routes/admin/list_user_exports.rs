use actix_web::{HttpResponse, get, web};

use mesdonnees_core::exports;

use super::acting;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::{ExportPage, ExportPageQuery};

/// A user's exports, newest first; the reading is recorded in the audit log.
#[utoipa::path(
    tag = "admin",
    params(("user_id" = String, Path, description = "the user"), ExportPageQuery),
    responses(
        (status = 200, body = ExportPage),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/users/{user_id}/exports")]
pub async fn list_user_exports(
    ctx: Ctx,
    admin: AdminUser,
    user_id: web::Path<String>,
    query: web::Query<ExportPageQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = acting(&admin, &user_id)?;
    let listed = exports::list(&ctx, &actor, query.page, query.per_page).await?;
    Ok(HttpResponse::Ok().json(ExportPage::read(listed)?))
}
