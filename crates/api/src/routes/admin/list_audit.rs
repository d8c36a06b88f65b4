use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use mesdonnees_db::{AuditEntry, Page, audit};
use serde::{Deserialize, Serialize};

use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only what was done for this user.
    user_id: Option<String>,
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    id: String,
    /// The administrator.
    actor_id: String,
    /// `export.create`, `export.delete`, `exports.list`, `imports.list`.
    action: String,
    user_id: Option<String>,
    resource_id: Option<String>,
    at: DateTime<Utc>,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            actor_id: e.actor_id,
            action: e.action,
            user_id: e.target_user_id,
            resource_id: e.resource_id,
            at: e.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    items: Vec<AuditEntryView>,
    page: i64,
    per_page: i64,
    total: i64,
}

/// What administrators did, newest first.
#[utoipa::path(
    tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/audit")]
pub async fn list_audit(
    ctx: Ctx,
    _admin: AdminUser,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::new(query.page, query.per_page, ctx.config.limits.default_page_size);
    let target = query.user_id.clone();
    let (items, total) = ctx.db.run(move |conn| audit::list(conn, target.as_deref(), page)).await?;
    Ok(HttpResponse::Ok().json(AuditPage {
        items: items.into_iter().map(AuditEntryView::from).collect(),
        page: page.number,
        per_page: page.size,
        total,
    }))
}
