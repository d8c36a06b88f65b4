use actix_web::{HttpRequest, HttpResponse, get, web};
use mesdonnees_core::documents;
use mesdonnees_shared::media_type;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::download::{self, Download};

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
        (status = 200, description = "the whole file, of the type it was stored with", content_type = "*/*", body = inline(crate::openapi::Binary)),
        (status = 206, description = "the requested range", content_type = "*/*", body = inline(crate::openapi::Binary)),
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
    let (doc, key) = documents::content(&ctx, &user.actor(), &id).await?;
    // A row an older version wrote from an archive may hold any text.
    let content_type = media_type::or_octet_stream(doc.content_type.as_deref());
    let download = Download {
        key: &key,
        size: u64::try_from(doc.size).unwrap_or(0),
        etag: doc.sha256.clone().unwrap_or_else(|| doc.id.clone()),
        file_name: &doc.name,
        content_type: &content_type,
    };
    download::respond(&ctx, &req, download).await
}
