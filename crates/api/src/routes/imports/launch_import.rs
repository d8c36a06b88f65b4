use actix_web::{HttpResponse, post, web};
use mesdonnees_core::imports;
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::json::Json;
use crate::routes::Ctx;
use crate::routes::imports::{ImportView, accepted};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LaunchImport {
    /// Ids of apps the analysis found importable.
    #[schema(min_items = 1, max_items = 64)]
    apps: Vec<String>,
}

/// Starts importing the chosen apps of an analysed archive.
#[utoipa::path(
    tag = "imports",
    params(("id" = String, Path, description = "import id")),
    request_body = LaunchImport,
    responses(
        (status = 202, body = ImportView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "not analysed, or another import in progress", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "no app, or apps the analysis did not find importable", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/imports/{id}/launch")]
pub async fn launch_import(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<LaunchImport>,
) -> Result<HttpResponse, ApiError> {
    let row = imports::launch(&ctx, &user.actor(), &id, body.into_inner().apps).await?;
    accepted(row)
}
