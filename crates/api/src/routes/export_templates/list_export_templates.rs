use actix_web::{HttpResponse, get, web};
use mesdonnees_db::{Page, templates};
use serde::{Deserialize, Serialize};

use super::ExportTemplateView;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplatePageQuery {
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportTemplatePage {
    items: Vec<ExportTemplateView>,
    page: i64,
    per_page: i64,
    total: i64,
}

/// The user's templates, by name.
#[utoipa::path(
    tag = "export-templates",
    params(TemplatePageQuery),
    responses((status = 200, body = ExportTemplatePage)),
    security(("bearer" = []))
)]
#[get("/export-templates")]
pub async fn list_export_templates(
    ctx: Ctx,
    user: AuthUser,
    query: web::Query<TemplatePageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::new(query.page, query.per_page, ctx.config.limits.default_page_size);
    let owner = user.id.to_string();
    let (items, total) = ctx.db.run(move |conn| templates::list(conn, &owner, page)).await?;
    Ok(HttpResponse::Ok().json(ExportTemplatePage {
        items: items.into_iter().map(ExportTemplateView::from).collect(),
        page: page.number,
        per_page: page.size,
        total,
    }))
}
