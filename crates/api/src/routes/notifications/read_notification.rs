use actix_web::{HttpResponse, post, web};
use mesdonnees_core::notifications;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::notifications::NotificationView;
use crate::routes::{Ctx, parse_document_id};

/// Marks a notification read.
#[utoipa::path(
    tag = "notifications",
    params(("id" = String, Path, description = "notification id")),
    responses(
        (status = 200, body = NotificationView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/notifications/{id}/read")]
pub async fn read_notification(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_document_id(&id).map_err(|_| ApiError::NotFound("notification"))?;
    let notification = notifications::mark_read(&ctx, &user.actor(), &id).await?;
    Ok(HttpResponse::Ok().json(NotificationView::try_from(notification)?))
}
