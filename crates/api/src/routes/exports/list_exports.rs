use actix_web::{HttpResponse, get, web};
use mesdonnees_core::exports;
use mesdonnees_core::listing::Listed;
use mesdonnees_db::Export;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::ExportView;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportPageQuery {
    #[param(minimum = 1)]
    pub(crate) page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub(crate) per_page: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportPage {
    items: Vec<ExportView>,
    page: i64,
    per_page: i64,
    total: i64,
}

impl ExportPage {
    pub(crate) fn read(listed: Listed<Export>) -> Result<Self, ApiError> {
        Ok(Self {
            items: listed.items.into_iter().map(ExportView::read).collect::<Result<_, _>>()?,
            page: listed.page,
            per_page: listed.per_page,
            total: listed.total,
        })
    }
}

/// The user's exports, newest first.
#[utoipa::path(tag = "exports", params(ExportPageQuery), responses((status = 200, body = ExportPage)), security(("bearer" = [])))]
#[get("/exports")]
pub async fn list_exports(
    ctx: Ctx,
    user: AuthUser,
    query: web::Query<ExportPageQuery>,
) -> Result<HttpResponse, ApiError> {
    let listed = exports::list(&ctx, &user.actor(), query.page, query.per_page).await?;
    Ok(HttpResponse::Ok().json(ExportPage::read(listed)?))
}
