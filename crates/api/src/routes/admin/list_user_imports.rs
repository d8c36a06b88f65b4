use actix_web::{HttpResponse, get, web};

use super::{audit, target};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::imports::{ImportPageQuery, page_of};

/// A user's imports, newest first; the reading is recorded in the audit log.
#[utoipa::path(
    tag = "admin",
    params(("user_id" = String, Path, description = "the user"), ImportPageQuery),
    responses(
        (status = 200, body = crate::routes::imports::ImportPage),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/users/{user_id}/imports")]
pub async fn list_user_imports(
    ctx: Ctx,
    admin: AdminUser,
    user_id: web::Path<String>,
    query: web::Query<ImportPageQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = target(&user_id)?;
    let page = page_of(&ctx, &user.id, &query).await?;
    audit(&ctx, &admin, "imports.list", user.id.as_str(), None).await?;
    Ok(HttpResponse::Ok().json(page))
}
