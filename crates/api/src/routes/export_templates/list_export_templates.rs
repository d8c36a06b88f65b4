use actix_web::{HttpResponse, get, web};
use mesdonnees_core::templates;
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
    let listed = templates::list(&ctx, &user.actor(), query.page, query.per_page).await?;
    Ok(HttpResponse::Ok().json(ExportTemplatePage {
        items: listed.items.into_iter().map(ExportTemplateView::read).collect::<Result<_, _>>()?,
        page: listed.page,
        per_page: listed.per_page,
        total: listed.total,
    }))
}
