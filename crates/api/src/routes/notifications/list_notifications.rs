use actix_web::{HttpResponse, get, web};
use mesdonnees_core::notifications;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::notifications::NotificationView;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationPage {
    items: Vec<NotificationView>,
    page: i64,
    per_page: i64,
    total: i64,
    unread: i64,
}

/// The user's timeline, newest first.
#[utoipa::path(tag = "notifications", params(PageQuery), responses((status = 200, body = NotificationPage)), security(("bearer" = [])))]
#[get("/notifications")]
pub async fn list_notifications(
    ctx: Ctx,
    user: AuthUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let timeline = notifications::list(&ctx, &user.actor(), query.page, query.per_page).await?;
    let listed = timeline.listed;
    Ok(HttpResponse::Ok().json(NotificationPage {
        items: listed
            .items
            .into_iter()
            .map(NotificationView::try_from)
            .collect::<Result<_, _>>()?,
        page: listed.page,
        per_page: listed.per_page,
        total: listed.total,
        unread: timeline.unread,
    }))
}
