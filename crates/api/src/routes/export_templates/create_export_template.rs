use actix_web::{HttpResponse, post, web};
use mesdonnees_db::templates::{self, Saved};

use super::{ExportTemplateBody, ExportTemplateView, new_id, refused};
use crate::auth::AuthUser;
use crate::error::ApiError;
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
    body: web::Json<ExportTemplateBody>,
) -> Result<HttpResponse, ApiError> {
    let row = body.into_inner().into_row(&ctx, user.id.as_str(), new_id())?;
    let saved_row = row.clone();
    match ctx.db.transaction(move |conn| templates::insert(conn, &row)).await? {
        Saved::Done => Ok(HttpResponse::Created()
            .insert_header(("Location", format!("/api/v1/export-templates/{}", saved_row.id)))
            .json(ExportTemplateView::from(saved_row))),
        other => Err(refused(&other)),
    }
}
