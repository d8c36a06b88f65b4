use actix_web::{HttpResponse, get, web};
use mesdonnees_core::documents;
use mesdonnees_core::listing::Listed;
use mesdonnees_db::Document;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FoldersQuery {
    /// 1-based page number.
    #[param(minimum = 1)]
    page: Option<i64>,
    /// Items per page, at most 200.
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

/// A folder of the user's own tree.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FolderView {
    id: String,
    name: String,
    /// The folder holding it; absent at the user's root.
    parent_id: Option<String>,
}

/// One page of the user's folders.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FolderPage {
    items: Vec<FolderView>,
    page: i64,
    per_page: i64,
    total: i64,
}

impl From<Listed<Document>> for FolderPage {
    fn from(listed: Listed<Document>) -> Self {
        Self {
            items: listed
                .items
                .into_iter()
                .map(|doc| FolderView { id: doc.id, name: doc.name, parent_id: doc.parent_id })
                .collect(),
            page: listed.page,
            per_page: listed.per_page,
            total: listed.total,
        }
    }
}

/// Lists the folders of the user's own tree, wherever they lie, by name, each with its parent:
/// the tree an export's `filters.folders` chooses from. Folders shared with the user are not
/// listed: an export keeps what is shared with them whole, or none of it once folders are
/// chosen.
#[utoipa::path(
    tag = "documents",
    params(FoldersQuery),
    responses(
        (status = 200, body = FolderPage),
        (status = 422, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/folders")]
pub async fn list_folders(
    ctx: Ctx,
    user: AuthUser,
    query: web::Query<FoldersQuery>,
) -> Result<HttpResponse, ApiError> {
    let listed = documents::folders(&ctx, &user.actor(), query.page, query.per_page).await?;
    Ok(HttpResponse::Ok().json(FolderPage::from(listed)))
}
