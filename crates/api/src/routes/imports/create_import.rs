use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use mesdonnees_core::{Actor, imports};
use mesdonnees_db::Import;
use mesdonnees_shared::imports::AppChoice;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::imports::{ImportView, archive_body};
use crate::routes::uploads::declared_length;

/// The multipart form of an archive upload.
#[derive(utoipa::ToSchema)]
#[expect(dead_code, reason = "describes the form for the OpenAPI document only")]
pub struct ImportForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A zip of the documents space to import where it is.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportFromDocument {
    /// A file of the user's documents, or one shared with them.
    #[schema(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    document_id: String,
}

/// Uploads an archive to import, as multipart (`file`, what a browser's drag-and-drop sends)
/// or as a raw `application/zip` body (its name in `Content-Disposition`), streamed to the
/// object store, never held whole; or names, as JSON, a zip already in the user's documents
/// (or shared with them), which is read where it is, not sent again, and never removed by the
/// import. Its analysis starts at once.
#[utoipa::path(
    tag = "imports",
    request_body(
        content(
            (ImportForm = "multipart/form-data"),
            (inline(crate::openapi::Binary) = "application/zip"),
            (ImportFromDocument = "application/json"),
        )
    ),
    responses(
        (status = 202, description = "stored; the analysis runs", body = ImportView),
        (status = 404, description = "no such document among the user's or those shared with them", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "another import in progress", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 413, description = "larger than the upload limit", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 507, description = "the service's storage is full; nothing was kept", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 415, description = "neither multipart, a zip nor JSON; or what it sends or names is not a zip", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "no file, a folder, or an invalid document id", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 429, description = "too many exports and imports created in the last minute; see `Retry-After`", body = crate::problem::ProblemSchema, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "seconds until a creation is accepted again"))),
    ),
    security(("bearer" = []))
)]
#[post("/imports")]
pub async fn create_import(
    ctx: Ctx,
    user: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    if crate::json::declared(&req) {
        let body: ImportFromDocument = crate::json::from_payload(&req, payload).await?;
        let row = imports::from_document(&ctx, &user.actor(), &body.document_id).await;
        return Ok(accepted(row.map_err(ApiError::from)?)?);
    }
    let row = from_request(&ctx, &user.actor(), None, &req, payload).await?;
    Ok(accepted(row)?)
}

/// An import of the archive a request carries, as multipart or as a raw zip body; for the
/// caller, or for a user an administrator names (with the apps to launch once analysed).
pub(crate) async fn from_request(
    ctx: &Ctx,
    actor: &Actor,
    auto: Option<&AppChoice>,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Import, ApiError> {
    let declared = declared_length(req);
    imports::receive(ctx, actor, auto, declared, |upload| archive_body::store(req, payload, upload))
        .await
}

/// 202 with the import to poll.
pub(crate) fn accepted(row: Import) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{}", row.id)))
        .json(ImportView::try_from(row)?))
}
