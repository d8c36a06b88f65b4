use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use mesdonnees_core::imports;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::imports::{ImportForm, ImportView, archive_body};
use crate::routes::uploads::declared_length;

/// Adds a part of an archive in parts (`mes-donnees-partie-2-sur-3.zip`…) to the import its
/// first uploaded part made, in any order, uploaded like that one (multipart `file` or a raw
/// zip). The analysis reads each part's manifest: a part of another export, or one already
/// received, is refused with its code in `parts.refused`; it runs on the whole archive once
/// every part is there, and until then `parts.missing` says which it waits for.
#[utoipa::path(
    tag = "imports",
    params(("id" = String, Path, description = "import id")),
    request_body(
        content(
            (ImportForm = "multipart/form-data"),
            (inline(crate::openapi::Binary) = "application/zip"),
        )
    ),
    responses(
        (status = 202, description = "stored; the analysis reads it", body = ImportView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "the import is no longer analysing, or has received `imports.max_parts` archives", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 413, description = "larger than the upload limit", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 415, description = "neither multipart nor a zip; or what it sends is not a zip", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "no file", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 507, description = "the service's storage is full; nothing was kept", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/imports/{id}/parts")]
pub async fn add_import_part(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let declared = declared_length(&req);
    let (row, parts) = imports::add_part(&ctx, &user.actor(), &id, declared, |upload| {
        archive_body::store(&req, payload, upload)
    })
    .await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{}", row.id)))
        .json(ImportView::with_parts(row, parts)?))
}
