use actix_web::{HttpResponse, put, web};
use mesdonnees_core::templates;

use super::{ExportTemplateBody, ExportTemplateView};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::json::Json;
use crate::routes::Ctx;

/// Replaces a template's name and settings.
#[utoipa::path(
    tag = "export-templates",
    params(("id" = String, Path, description = "template id")),
    request_body = ExportTemplateBody,
    responses(
        (status = 200, body = ExportTemplateView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "the name is taken", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/export-templates/{id}")]
pub async fn update_export_template(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<ExportTemplateBody>,
) -> Result<HttpResponse, ApiError> {
    let saved = templates::update(&ctx, &user.actor(), &id, body.into_inner().into()).await?;
    Ok(HttpResponse::Ok().json(ExportTemplateView::read(saved)?))
}
