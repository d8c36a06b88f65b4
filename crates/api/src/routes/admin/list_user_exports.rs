use actix_web::{HttpResponse, get, web};

use super::{audit, target};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::{ExportPageQuery, page_of};

/// A user's exports, newest first; the reading is recorded in the audit log.
#[utoipa::path(
    tag = "admin",
    params(("user_id" = String, Path, description = "the user"), ExportPageQuery),
    responses(
        (status = 200, body = crate::routes::exports::ExportPage),
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
    let user = target(&user_id)?;
    let page = page_of(&ctx, user.id.as_str(), &query).await?;
    audit(&ctx, &admin, "exports.list", user.id.as_str(), None).await?;
    Ok(HttpResponse::Ok().json(page))
}
