use actix_web::{HttpResponse, get, web};
use mesdonnees_core::imports;
use mesdonnees_shared::UserId;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::imports::ImportView;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportPageQuery {
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportPage {
    items: Vec<ImportView>,
    page: i64,
    per_page: i64,
    total: i64,
}

/// The user's imports, newest first.
#[utoipa::path(tag = "imports", params(ImportPageQuery), responses((status = 200, body = ImportPage)), security(("bearer" = [])))]
#[get("/imports")]
pub async fn list_imports(
    ctx: Ctx,
    user: AuthUser,
    query: web::Query<ImportPageQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(page_of(&ctx, &user.id, &query).await?))
}

/// A page of `owner`'s imports: for the owner, and for the admin API.
pub(crate) async fn page_of(
    ctx: &Ctx,
    owner: &UserId,
    query: &ImportPageQuery,
) -> Result<ImportPage, ApiError> {
    let listed = imports::list(ctx, owner, query.page, query.per_page).await?;
    Ok(ImportPage {
        items: listed.items.into_iter().map(ImportView::try_from).collect::<Result<_, _>>()?,
        page: listed.page,
        per_page: listed.per_page,
        total: listed.total,
    })
}
