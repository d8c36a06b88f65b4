use actix_web::{HttpRequest, HttpResponse, get, web};
use mesdonnees_db::exports;
use mesdonnees_shared::ErrorCode;
use serde::Deserialize;

use crate::auth::authenticate;
use crate::error::ApiError;
use crate::routes::download::{self, Download};
use crate::routes::exports::owned_export;
use crate::routes::{Ctx, parse_document_id};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// A signed link token from `POST /exports/{id}/link`, instead of a bearer header.
    token: Option<String>,
}

/// The archive, again and again until it expires. Honours `Range` and `If-Range`. Reachable
/// with a bearer token or with a signed link's `token`.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "export id"), LinkQuery, ("Range" = Option<String>, Header, description = "bytes=START-END")),
    responses(
        (status = 200, description = "the archive, or a table export's table (text/csv, xlsx or ods)", content((Vec<u8> = "application/zip"), (Vec<u8> = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "application/vnd.oasis.opendocument.spreadsheet"))),
        (status = 206, description = "the requested range", content((Vec<u8> = "application/zip"), (Vec<u8> = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "application/vnd.oasis.opendocument.spreadsheet"))),
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
    let export = if let Some(token) = &query.token {
        let export_id =
            parse_document_id(&id).map_err(|_| ApiError::NotFound("export"))?.to_string();
        let signer = ctx.signer().await.map_err(ApiError::internal)?;
        signer.verify_link(token, &export_id).map_err(|_| ApiError::Forbidden {
            code: ErrorCode::InvalidLink,
            detail: "this download link is invalid or has expired; ask for a new one".into(),
        })?;
        ctx.db
            .run(move |conn| exports::find(conn, &export_id))
            .await?
            .ok_or(ApiError::NotFound("export"))?
    } else {
        let user = authenticate(&req)?;
        owned_export(&ctx, user.id.as_str(), &id).await?
    };
    match export.status.as_str() {
        "ready" => {}
        "expired" => {
            return Err(ApiError::Gone {
                code: ErrorCode::ExportExpired,
                detail: "this archive has expired".into(),
            });
        }
        other => {
            return Err(ApiError::Conflict {
                code: ErrorCode::NotReady,
                detail: format!("the export is {other}; it can be downloaded once ready"),
            });
        }
    }
    let (Some(key), Some(size), Some(sha256)) = (&export.object_key, export.size, &export.sha256)
    else {
        return Err(ApiError::internal(anyhow::anyhow!("ready export without an archive")));
    };
    let options: mesdonnees_shared::exports::ExportOptions =
        serde_json::from_str(&export.options).unwrap_or_default();
    let file_name = format!("{}.{}", export.name, options.extension());
    download::respond(
        &ctx,
        &req,
        Download {
            key,
            size: u64::try_from(size).unwrap_or(0),
            etag: sha256.clone(),
            file_name: &file_name,
            content_type: options.content_type(),
        },
    )
    .await
}
