use actix_web::{HttpResponse, get, web};
use mesdonnees_db::documents;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::documents::DocumentView;
use crate::routes::{Ctx, parse_document_id};

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
    let id = parse_document_id(&id)?.to_string();
    let owner = user.id.to_string();
    let doc = ctx
        .db
        .run(move |conn| documents::find_visible(conn, &owner, &id))
        .await?
        .ok_or(ApiError::NotFound("document"))?;
    Ok(HttpResponse::Ok().json(DocumentView::from(doc)))
}
