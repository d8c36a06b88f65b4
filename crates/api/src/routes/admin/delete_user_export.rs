use actix_web::{HttpResponse, delete, web};

use super::{UserExportPath, audit, target};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::delete_for;

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
    let user = target(&path.user_id)?;
    delete_for(&ctx, user.id.as_str(), &path.id).await?;
    audit(&ctx, &admin, "export.delete", user.id.as_str(), Some(&path.id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
