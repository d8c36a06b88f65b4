use actix_web::{HttpResponse, get, web};
use mesdonnees_core::exports;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

/// One published part of an export written in parts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportPartView {
    /// From 1.
    part: u32,
    size: i64,
    /// Hex SHA-256 of the part (also its ETag).
    sha256: String,
    /// Where to download it (bearer token, or the export's signed link `token`, `Range`).
    download_url: String,
    /// The name it downloads as: `mes-donnees-partie-1-sur-3.zip`.
    file_name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportPartsView {
    /// How many parts the export will have; 0 for an export written as one archive, or
    /// before its plan is made.
    parts_total: u32,
    /// The parts published so far, in order: each can be downloaded as soon as it is here,
    /// while the later ones are still being written.
    items: Vec<ExportPartView>,
}

/// The parts of an export asked with `part_size_bytes`. Each part is a complete zip, listed as
/// soon as it is finished: the first can be downloaded while the last is being written. A
/// signed link of the export (`POST /exports/{id}/link`) opens each part's download with its
/// `token`.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "export id")),
    responses(
        (status = 200, body = ExportPartsView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/exports/{id}/parts")]
pub async fn list_export_parts(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (parts, parts_total) = exports::parts(&ctx, &user.actor(), &id).await?;
    let items = parts
        .into_iter()
        .map(|p| {
            let part = u32::try_from(p.part).unwrap_or(0);
            ExportPartView {
                part,
                size: p.size,
                sha256: p.sha256,
                download_url: format!("/api/v1/exports/{}/parts/{part}/download", p.export_id),
                file_name: mesdonnees_shared::exports::part_file_name(part, parts_total),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(ExportPartsView { parts_total, items }))
}
