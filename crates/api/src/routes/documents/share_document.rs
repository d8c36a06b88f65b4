use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use mesdonnees_db::{Share, documents};
use mesdonnees_shared::{ErrorCode, UserId};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::{Ctx, parse_document_id};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// The user to give read access to.
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
    body: web::Json<ShareRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_document_id(&id)?.to_string();
    let target = UserId::parse(&body.user_id)
        .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidId, format!("user_id: {e}")))?;
    if target == user.id {
        return Err(ApiError::unprocessable(
            ErrorCode::CannotShareWithSelf,
            "a document cannot be shared with its owner",
        ));
    }
    let owner = user.id.to_string();
    let share = Share {
        document_id: id.clone(),
        user_id: target.to_string(),
        granted_by: owner.clone(),
        created_at: mesdonnees_db::models::now(),
    };
    let created_at = share.created_at;
    let document_id = id.clone();
    let inserted = ctx
        .db
        .run(move |conn| {
            if documents::find_owned(conn, &owner, &id)?.is_none() {
                return Ok(None);
            }
            documents::insert_share(conn, &share).map(Some)
        })
        .await?;
    match inserted {
        None => Err(ApiError::NotFound("document")),
        Some(false) => Err(ApiError::Conflict {
            code: ErrorCode::AlreadyShared,
            detail: "the document is already shared with that user".into(),
        }),
        Some(true) => Ok(HttpResponse::Created().json(ShareView {
            document_id,
            user_id: target.to_string(),
            created_at: created_at.and_utc(),
        })),
    }
}
