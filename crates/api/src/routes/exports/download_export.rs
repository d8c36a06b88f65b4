use actix_web::{HttpRequest, HttpResponse, get, web};
use mesdonnees_core::exports::{self, Intent};
use serde::Deserialize;

use super::asker::{Asker, serve};
use crate::edge;
use crate::error::ApiError;
use crate::routes::Ctx;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// A signed link token from `POST /exports/{id}/link`, instead of a bearer header.
    pub(crate) token: Option<String>,
}

/// The archive, again and again until it expires. Honours `Range` and `If-Range`. Reachable
/// with a bearer token or with a signed link's `token`.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "export id"), LinkQuery, ("Range" = Option<String>, Header, description = "bytes=START-END")),
    responses(
        (status = 200, description = "the archive, or a table export's table (text/csv, xlsx or ods)", content((inline(crate::openapi::Binary) = "application/zip"), (inline(crate::openapi::Binary) = "text/csv"), (inline(crate::openapi::Binary) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (inline(crate::openapi::Binary) = "application/vnd.oasis.opendocument.spreadsheet"))),
        (status = 206, description = "the requested range", content((inline(crate::openapi::Binary) = "application/zip"), (inline(crate::openapi::Binary) = "text/csv"), (inline(crate::openapi::Binary) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (inline(crate::openapi::Binary) = "application/vnd.oasis.opendocument.spreadsheet"))),
        (status = 403, description = "tampered or expired link", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "not ready", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 410, description = "expired", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 416, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
#[get("/exports/{id}/download")]
pub async fn download_export(
    ctx: Ctx,
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, ApiError> {
    let intent = if edge::is_head(&req) { Intent::Check } else { Intent::Read };
    let asker = Asker::of(&req, query.token.as_deref()).await?;
    let ready = exports::download(&ctx, asker.access(), &id, intent).await?;
    serve(&ctx, &req, ready).await
}
