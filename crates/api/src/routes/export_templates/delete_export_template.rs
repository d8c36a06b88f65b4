use actix_web::{HttpResponse, delete, web};
use mesdonnees_db::templates;

use super::owned;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

/// Deletes a template; exports made from it stay as they are.
#[utoipa::path(
    tag = "export-templates",
    params(("id" = String, Path, description = "template id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/export-templates/{id}")]
pub async fn delete_export_template(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let template = owned(&ctx, user.id.as_str(), &id).await?;
    let owner = user.id.to_string();
    if ctx.db.run(move |conn| templates::delete(conn, &owner, &template.id)).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound("template"))
    }
}
