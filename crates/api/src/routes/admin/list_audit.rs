use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use mesdonnees_core::audit;
use mesdonnees_db::AuditEntry;
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
    let listed = audit::list(&ctx, query.user_id.clone(), query.page, query.per_page).await?;
    Ok(HttpResponse::Ok().json(AuditPage {
        items: listed.items.into_iter().map(AuditEntryView::from).collect(),
        page: listed.page,
        per_page: listed.per_page,
        total: listed.total,
    }))
}
