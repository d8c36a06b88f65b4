use std::time::Duration;

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use mesdonnees_db::Export;
use mesdonnees_infra::storage::Presigner;
use mesdonnees_shared::ErrorCode;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::download::content_disposition;
use crate::routes::exports::owned_export;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DownloadLink {
    /// Downloads the archive without a bearer header until `expires_at`. On an S3 store, a
    /// presigned URL of the store itself; otherwise this service's download route, absolute
    /// when the service knows its public URL, else relative to it.
    url: String,
    expires_at: DateTime<Utc>,
}

/// A short-lived signed download link, for a browser or a notification.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "export id")),
    responses(
        (status = 200, body = DownloadLink),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "not ready", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/exports/{id}/link")]
pub async fn create_export_link(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(link_for(&ctx, user.id.as_str(), &id).await?))
}

/// A signed link to one of `owner`'s ready exports: for the owner, and for the admin API.
pub(crate) async fn link_for(ctx: &Ctx, owner: &str, id: &str) -> Result<DownloadLink, ApiError> {
    let export = owned_export(ctx, owner, id).await?;
    if export.status != "ready" {
        return Err(ApiError::Conflict {
            code: ErrorCode::NotReady,
            detail: format!("the export is {}; links exist once it is ready", export.status),
        });
    }
    let ttl = ctx.config.exports.link_ttl_secs;
    let expires_at = Utc::now() + chrono::Duration::seconds(i64::try_from(ttl).unwrap_or(300));
    let url = if let Some(presigner) = &ctx.storage.presigner {
        presigned_url(presigner, &export, ttl).await?
    } else {
        api_link(ctx, &export, ttl).await?
    };
    Ok(DownloadLink { url, expires_at })
}

/// A GET of the archive signed for the store itself; the store answers with the file name and
/// type the API's own download would give.
async fn presigned_url(
    presigner: &Presigner,
    export: &Export,
    ttl: u64,
) -> Result<String, ApiError> {
    let Some(key) = &export.object_key else {
        return Err(ApiError::internal(anyhow::anyhow!("ready export without an archive")));
    };
    let options: mesdonnees_shared::exports::ExportOptions =
        serde_json::from_str(&export.options).unwrap_or_default();
    let disposition =
        content_disposition(&format!("{}.{}", export.name, options.extension())).to_string();
    let response = [
        ("response-content-disposition", disposition.as_str()),
        ("response-content-type", options.content_type()),
    ];
    let url = presigner
        .get_url(key, Duration::from_secs(ttl), &response)
        .await
        .map_err(ApiError::internal)?;
    Ok(url.to_string())
}

/// This service's download route with a token signed by the instance key.
async fn api_link(ctx: &Ctx, export: &Export, ttl: u64) -> Result<String, ApiError> {
    let signer = ctx.signer().await.map_err(ApiError::internal)?;
    let token = signer.mint_link(&export.id, ttl).map_err(ApiError::internal)?;
    let base = ctx.config.http.public_url.as_deref().unwrap_or("").trim_end_matches('/');
    Ok(format!("{base}/api/v1/exports/{}/download?token={token}", export.id))
}
