use actix_web::{HttpResponse, get, web};
use mesdonnees_db::{Page, documents};
use mesdonnees_shared::ErrorCode;
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::documents::{DocumentPage, DocumentView};
use crate::routes::{Ctx, parse_field_id};

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The user's own tree.
    #[default]
    Own,
    /// What other users shared with the user (the shared roots).
    Shared,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// List this folder's content (own, or shared with the user); the root when absent.
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

/// Lists a folder of the user's tree, a folder shared with them, or what is shared with them.
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
    let page = Page::new(query.page, query.per_page, ctx.config.limits.default_page_size);
    let scope = query.scope.unwrap_or_default();
    let folder =
        query.folder_id.as_deref().map(|raw| parse_field_id("folder_id", raw)).transpose()?;
    let user_id = user.id.to_string();
    let listing = ctx
        .db
        .run(move |conn| {
            Ok(match (scope, folder) {
                (Scope::Shared, Some(_)) => Err(ApiError::unprocessable(
                    ErrorCode::InvalidRequest,
                    "scope=shared lists the shared roots; list a shared folder with folder_id alone",
                )),
                (Scope::Shared, None) => Ok((
                    documents::list_shared_with(conn, &user_id, page)?,
                    documents::count_shared_with(conn, &user_id)?,
                )),
                (Scope::Own, None) => Ok((
                    documents::list_children(conn, Some(&user_id), None, page)?,
                    documents::count_children(conn, Some(&user_id), None)?,
                )),
                (Scope::Own, Some(folder)) => {
                    let folder = folder.to_string();
                    match documents::find_visible(conn, &user_id, &folder)? {
                        Some(doc) if doc.is_folder() => Ok((
                            documents::list_children(conn, None, Some(&folder), page)?,
                            documents::count_children(conn, None, Some(&folder))?,
                        )),
                        Some(_) => Err(ApiError::unprocessable(
                            ErrorCode::NotAFolder,
                            "folder_id names a file, not a folder",
                        )),
                        None => Err(ApiError::NotFound("folder")),
                    }
                }
            })
        })
        .await??;
    let (docs, total) = listing;
    Ok(HttpResponse::Ok().json(DocumentPage {
        items: docs.into_iter().map(DocumentView::from).collect(),
        page: page.number,
        per_page: page.size,
        total,
    }))
}
