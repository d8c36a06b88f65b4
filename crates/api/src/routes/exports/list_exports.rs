use actix_web::{HttpResponse, get, web};
use mesdonnees_db::{Page, exports};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::ExportView;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportPageQuery {
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportPage {
    items: Vec<ExportView>,
    page: i64,
    per_page: i64,
    total: i64,
}

/// The user's exports, newest first.
#[utoipa::path(tag = "exports", params(ExportPageQuery), responses((status = 200, body = ExportPage)), security(("bearer" = [])))]
#[get("/exports")]
pub async fn list_exports(
    ctx: Ctx,
    user: AuthUser,
    query: web::Query<ExportPageQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(page_of(&ctx, user.id.as_str(), &query).await?))
}

/// A page of `owner`'s exports: for the owner, and for the admin API.
pub(crate) async fn page_of(
    ctx: &Ctx,
    owner: &str,
    query: &ExportPageQuery,
) -> Result<ExportPage, ApiError> {
    let page = Page::new(query.page, query.per_page, ctx.config.limits.default_page_size);
    let owner = owner.to_owned();
    let (items, total) = ctx.db.run(move |conn| exports::list(conn, &owner, page)).await?;
    Ok(ExportPage {
        items: items.into_iter().map(ExportView::from).collect(),
        page: page.number,
        per_page: page.size,
        total,
    })
}
