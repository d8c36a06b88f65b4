use actix_web::{HttpResponse, post, web};
use mesdonnees_core::exports;

use super::create_export_link::{DownloadLink, disposition};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::forwarded::ReachedAt;
use crate::routes::Ctx;

/// A short-lived signed download link to one part of an export in parts, for a browser: as
/// soon as the part is published, while the later ones are still being written.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "export id"), ("part" = u32, Path, description = "part number, from 1")),
    responses(
        (status = 200, body = DownloadLink),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "not written yet", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 410, description = "expired", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/exports/{id}/parts/{part}/link")]
pub async fn create_export_part_link(
    ctx: Ctx,
    user: AuthUser,
    path: web::Path<(String, u32)>,
    reached: ReachedAt,
) -> Result<HttpResponse, ApiError> {
    let (id, part) = path.into_inner();
    let at = reached.0.as_deref();
    let link = exports::part_link(&ctx, &user.actor(), (&id, part), at, disposition).await?;
    Ok(HttpResponse::Ok().json(DownloadLink::from(link)))
}
