use actix_web::{HttpResponse, delete, web};

use mesdonnees_core::exports;

use super::{UserExportPath, acting};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;

/// Cancels a user's export in progress, or deletes a finished one; recorded in the audit log.
#[utoipa::path(
    tag = "admin",
    params(UserExportPath),
    responses(
        (status = 204, description = "cancelled or deleted"),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/admin/users/{user_id}/exports/{id}")]
pub async fn delete_user_export(
    ctx: Ctx,
    admin: AdminUser,
    path: web::Path<UserExportPath>,
) -> Result<HttpResponse, ApiError> {
    exports::delete(&ctx, &acting(&admin, &path.user_id)?, &path.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
