use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use mesdonnees_core::documents;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::json::Json;
use crate::routes::Ctx;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// The user to give read access to.
    #[schema(pattern = "^[A-Za-z0-9._@-]{1,128}$")]
    user_id: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShareView {
    document_id: String,
    user_id: String,
    created_at: DateTime<Utc>,
}

/// Gives another user read access to a document or a folder (and everything in it).
#[utoipa::path(
    tag = "documents",
    params(("id" = String, Path, description = "document or folder id")),
    request_body = ShareRequest,
    responses(
        (status = 201, body = ShareView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "already shared with that user", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/documents/{id}/shares")]
pub async fn share_document(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<ShareRequest>,
) -> Result<HttpResponse, ApiError> {
    let share = documents::share(&ctx, &user.actor(), &id, &body.user_id).await?;
    Ok(HttpResponse::Created().json(ShareView {
        document_id: share.document_id,
        user_id: share.user_id,
        created_at: share.created_at.and_utc(),
    }))
}
