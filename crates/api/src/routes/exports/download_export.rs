use actix_web::{HttpRequest, HttpResponse, get, web};
use mesdonnees_core::exports::{self, Access, Intent};
use serde::Deserialize;

use crate::auth::authenticate;
use crate::edge;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::download::{self, Download};

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
    let caller = authenticate(&req).await;
    let ready = match (query.token.as_deref(), caller) {
        (Some(token), Ok(user)) => {
            let access = Access::OwnerOrLink(&user.actor(), token);
            exports::download(&ctx, access, &id, intent).await?
        }
        // A link stands on its own: a stale or foreign bearer beside it does not matter.
        (Some(token), Err(_)) => exports::download(&ctx, Access::Link(token), &id, intent).await?,
        (None, caller) => {
            exports::download(&ctx, Access::Owner(&caller?.actor()), &id, intent).await?
        }
    };
    download::respond(
        &ctx,
        &req,
        Download {
            key: &ready.key,
            size: ready.size,
            etag: ready.sha256,
            file_name: &ready.file_name,
            content_type: ready.content_type,
        },
    )
    .await
}
