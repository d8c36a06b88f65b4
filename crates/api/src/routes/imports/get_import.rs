use actix_web::{HttpResponse, get, web};
use mesdonnees_core::imports;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::imports::ImportView;

/// One import: its analysis, its progress while it runs, its report once done; for an archive
/// in parts, the parts received and those it waits for.
#[utoipa::path(
    tag = "imports",
    params(("id" = String, Path, description = "import id")),
    responses(
        (status = 200, body = ImportView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/imports/{id}")]
pub async fn get_import(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (import, parts) = imports::get_with_parts(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::Ok().json(ImportView::with_parts(import, parts)?))
}
