use actix_web::{HttpResponse, get, web};
use mesdonnees_core::documents;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::documents::DocumentView;

/// A document's or folder's metadata, if the user owns it or it is shared with them.
#[utoipa::path(
    tag = "documents",
    params(("id" = String, Path, description = "document id")),
    responses(
        (status = 200, body = DocumentView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/documents/{id}")]
pub async fn get_document(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let doc = documents::get(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::Ok().json(DocumentView::from(doc)))
}
