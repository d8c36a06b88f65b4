use actix_web::{HttpRequest, HttpResponse, get, web};
use mesdonnees_db::documents;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::download::{self, Download};
use crate::routes::{Ctx, parse_document_id};
use mesdonnees_shared::ErrorCode;

/// The content of a file, streamed from the object store. Honours a single byte `Range`
/// (206, or 416 when unsatisfiable) and `If-Range`; several ranges are answered with the whole
/// file, as RFC 9110 allows.
#[utoipa::path(
    tag = "documents",
    params(
        ("id" = String, Path, description = "document id"),
        ("Range" = Option<String>, Header, description = "bytes=START-END"),
    ),
    responses(
        (status = 200, description = "the whole file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "the requested range", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 416, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "a folder has no content", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/documents/{id}/content")]
pub async fn get_document_content(
    ctx: Ctx,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_document_id(&id)?.to_string();
    let user_id = user.id.to_string();
    let doc = ctx
        .db
        .run(move |conn| documents::find_visible(conn, &user_id, &id))
        .await?
        .ok_or(ApiError::NotFound("document"))?;
    let Some(key) = doc.object_key.clone().filter(|_| !doc.is_folder()) else {
        return Err(ApiError::unprocessable(ErrorCode::NotAFile, "a folder has no content"));
    };
    let download = Download {
        key: &key,
        size: u64::try_from(doc.size).unwrap_or(0),
        etag: doc.sha256.clone().unwrap_or_else(|| doc.id.clone()),
        file_name: &doc.name,
        content_type: doc.content_type.as_deref().unwrap_or("application/octet-stream"),
    };
    download::respond(&ctx, &req, download).await
}
