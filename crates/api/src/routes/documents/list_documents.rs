use actix_web::{HttpResponse, get, web};
use mesdonnees_core::documents;
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::documents::DocumentPage;

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The user's own tree.
    #[default]
    Own,
    /// What other users shared with the user (the shared roots).
    Shared,
    /// Every zip archive of the user's tree, wherever it lies, and every one shared with them,
    /// newest first: what an import may read in place (`POST /imports {document_id}`).
    Zips,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// List this folder's content (own, or shared with the user); the root when absent. Not
    /// with `scope=shared` or `scope=zips`.
    folder_id: Option<String>,
    #[param(inline)]
    scope: Option<Scope>,
    /// 1-based page number.
    #[param(minimum = 1)]
    page: Option<i64>,
    /// Items per page, at most 200.
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

/// Lists a folder of the user's tree, a folder shared with them, what is shared with them, or
/// every zip archive they may import from.
#[utoipa::path(
    tag = "documents",
    params(ListQuery),
    responses(
        (status = 200, body = DocumentPage),
        (status = 404, description = "folder not found", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/documents")]
pub async fn list_documents(
    ctx: Ctx,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let scope = match query.scope.unwrap_or_default() {
        Scope::Own => documents::Scope::Own,
        Scope::Shared => documents::Scope::Shared,
        Scope::Zips => documents::Scope::Zips,
    };
    let folder = query.folder_id.as_deref();
    let listed =
        documents::list(&ctx, &user.actor(), scope, folder, query.page, query.per_page).await?;
    Ok(HttpResponse::Ok().json(DocumentPage::from(listed)))
}
