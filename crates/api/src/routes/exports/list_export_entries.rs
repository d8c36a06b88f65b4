use actix_web::{HttpResponse, get, web};
use mesdonnees_core::exports;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryPageQuery {
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    /// Path inside the archive.
    path: String,
    size: i64,
    /// The app the entry belongs to.
    app: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryPage {
    items: Vec<EntryView>,
    page: i64,
    per_page: i64,
    total: i64,
}

/// The files of a ready archive, in archive order, for a preview.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "export id"), EntryPageQuery),
    responses(
        (status = 200, body = EntryPage),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "not ready", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/exports/{id}/entries")]
pub async fn list_export_entries(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
    query: web::Query<EntryPageQuery>,
) -> Result<HttpResponse, ApiError> {
    let listed = exports::entries(&ctx, &user.actor(), &id, query.page, query.per_page).await?;
    Ok(HttpResponse::Ok().json(EntryPage {
        items: listed
            .items
            .into_iter()
            .map(|e| EntryView { path: e.path, size: e.size, app: e.app })
            .collect(),
        page: listed.page,
        per_page: listed.per_page,
        total: listed.total,
    }))
}
