use actix_web::{HttpResponse, get, web};

use mesdonnees_core::templates;

use super::ExportTemplateView;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

/// One template of the user's.
#[utoipa::path(
    tag = "export-templates",
    params(("id" = String, Path, description = "template id")),
    responses(
        (status = 200, body = ExportTemplateView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/export-templates/{id}")]
pub async fn get_export_template(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let template = templates::get(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::Ok().json(ExportTemplateView::read(template)?))
}
