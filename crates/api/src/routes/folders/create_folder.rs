use actix_web::{HttpResponse, post};
use mesdonnees_core::documents;
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::json::Json;
use crate::routes::Ctx;
use crate::routes::documents::DocumentView;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFolder {
    /// 1 to 240 characters, no `/`, no control characters.
    name: String,
    /// The folder to create it in; the user's root when absent.
    #[schema(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    parent_id: Option<String>,
}

/// Creates a folder in the user's documents space.
#[utoipa::path(
    tag = "documents",
    request_body = CreateFolder,
    responses(
        (status = 201, body = DocumentView),
        (status = 404, description = "parent folder not found", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "invalid name or parent", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/folders")]
pub async fn create_folder(
    ctx: Ctx,
    user: AuthUser,
    body: Json<CreateFolder>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let doc = documents::create_folder(&ctx, &user.actor(), &body.name, body.parent_id.as_deref())
        .await?;
    Ok(HttpResponse::Created().json(DocumentView::from(doc)))
}
