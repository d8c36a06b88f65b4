use actix_web::{HttpResponse, get, web};
use mesdonnees_core::exports;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::ExportView;

/// One export, with its progress while it is built.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "export id")),
    responses(
        (status = 200, body = ExportView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/exports/{id}")]
pub async fn get_export(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let export = exports::get(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::Ok().json(ExportView::read(export)?))
}
