use actix_web::{HttpResponse, post, web};
use mesdonnees_db::{DocumentKind, NewDocument, documents};
use mesdonnees_shared::{DocumentId, DocumentName, ErrorCode};
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::documents::{DocumentView, owned_folder};
use crate::routes::{Ctx, parse_field_id};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFolder {
    /// 1 to 240 characters, no `/`, no control characters.
    name: String,
    /// The folder to create it in; the user's root when absent.
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
    body: web::Json<CreateFolder>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let name = DocumentName::parse(&body.name)
        .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidName, e.to_string()))?;
    let parent =
        body.parent_id.as_deref().map(|raw| parse_field_id("parent_id", raw)).transpose()?;
    let owner = user.id.to_string();
    let now = mesdonnees_db::models::now();
    let row = NewDocument {
        id: DocumentId::new().to_string(),
        owner_id: owner.clone(),
        parent_id: parent.map(|p| p.to_string()),
        kind: DocumentKind::Folder.as_str().to_owned(),
        name: name.into_string(),
        object_key: None,
        content_type: None,
        size: 0,
        sha256: None,
        created_at: now,
        updated_at: now,
    };
    let created = ctx
        .db
        .transaction(move |conn| {
            if let Some(parent) = parent
                && let Err(e) = owned_folder(conn, &owner, parent)?
            {
                return Ok(Err(e));
            }
            documents::insert(conn, &row)?;
            Ok(Ok(documents::find(conn, &row.id)?))
        })
        .await??;
    let doc = created
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("folder vanished after insert")))?;
    Ok(HttpResponse::Created().json(DocumentView::from(doc)))
}
