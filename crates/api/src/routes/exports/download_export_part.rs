use actix_web::{HttpRequest, HttpResponse, get, web};
use mesdonnees_core::exports;

use super::asker::{Asker, serve};
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::LinkQuery;

/// One part of an export written in parts, as soon as it is published (the export may still
/// be `running`). Honours `Range` and `If-Range`. Reachable with a bearer token or with the
/// export's signed link `token`.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "export id"), ("part" = u32, Path, description = "part number, from 1"), LinkQuery, ("Range" = Option<String>, Header, description = "bytes=START-END")),
    responses(
        (status = 200, description = "the part, a complete zip", content((inline(crate::openapi::Binary) = "application/zip"))),
        (status = 206, description = "the requested range", content((inline(crate::openapi::Binary) = "application/zip"))),
        (status = 403, description = "tampered or expired link", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "not written yet", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 410, description = "expired", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 416, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
#[get("/exports/{id}/parts/{part}/download")]
pub async fn download_export_part(
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, u32)>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, part) = path.into_inner();
    let asker = Asker::of(&req, query.token.as_deref()).await?;
    let ready = exports::download_part(&ctx, asker.access(), &id, part).await?;
    serve(&ctx, &req, ready).await
}
