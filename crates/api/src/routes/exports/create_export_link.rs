use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use mesdonnees_core::exports::{self, Link};
use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::forwarded::ReachedAt;
use crate::routes::Ctx;
use crate::routes::download::content_disposition;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DownloadLink {
    /// Downloads the archive without a bearer header until `expires_at`. On an S3 store, a
    /// presigned URL of the store itself; otherwise this service's download route, absolute:
    /// at `http.public_url`, else at the address the request reached (as a trusted proxy tells
    /// it, `http.trusted_proxies`).
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
    reached: ReachedAt,
) -> Result<HttpResponse, ApiError> {
    let link = exports::link(&ctx, &user.actor(), &id, reached.0.as_deref(), disposition).await?;
    Ok(HttpResponse::Ok().json(DownloadLink::from(link)))
}

/// The `Content-Disposition` the API's own download answers a file name with.
pub(crate) fn disposition(file_name: &str) -> String {
    content_disposition(file_name).to_string()
}

impl From<Link> for DownloadLink {
    fn from(link: Link) -> Self {
        Self { url: link.url, expires_at: link.expires_at }
    }
}
