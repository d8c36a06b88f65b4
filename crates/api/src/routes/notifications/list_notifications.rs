use actix_web::{HttpResponse, get, web};
use mesdonnees_db::{Page, notifications};
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
    let page = Page::new(query.page, query.per_page, ctx.config.limits.default_page_size);
    let user_id = user.id.to_string();
    let (items, total, unread) = ctx
        .db
        .run(move |conn| {
            let (items, total) = notifications::list(conn, &user_id, page)?;
            Ok((items, total, notifications::count_unread(conn, &user_id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(NotificationPage {
        items: items.into_iter().map(NotificationView::from).collect(),
        page: page.number,
        per_page: page.size,
        total,
        unread,
    }))
}
