use actix_web::{HttpResponse, post};
use mesdonnees_core::templates;

use super::{ExportTemplateBody, ExportTemplateView};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::json::Json;
use crate::routes::Ctx;

/// Saves a template of the user's.
#[utoipa::path(
    tag = "export-templates",
    request_body = ExportTemplateBody,
    responses(
        (status = 201, body = ExportTemplateView),
        (status = 409, description = "the name is taken", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "bad name, app, filter or table, or too many templates", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/export-templates")]
pub async fn create_export_template(
    ctx: Ctx,
    user: AuthUser,
    body: Json<ExportTemplateBody>,
) -> Result<HttpResponse, ApiError> {
    let saved = templates::create(&ctx, &user.actor(), body.into_inner().into()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/export-templates/{}", saved.id)))
        .json(ExportTemplateView::read(saved)?))
}
