use actix_web::{HttpResponse, post, web};
use mesdonnees_core::imports;

use super::{UserImportPath, acting, audit};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::imports::ImportView;

/// Stops one of a user's imports. One not yet importing (analysing, analysed, queued) ends at
/// once, `failed` with `import_cancelled`, its upload removed. A running one stops between two
/// entries at its next progress write: the files in flight are finished and kept, nothing else
/// is begun, a remote app already handed its part finishes it, and it ends `failed` with
/// `import_cancelled` and the report of what was imported. An ended import is answered as it is.
/// Recorded in the audit log.
#[utoipa::path(
    tag = "admin",
    params(UserImportPath),
    responses(
        (status = 202, description = "ended, or asked to stop; poll the import", body = ImportView),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/admin/users/{user_id}/imports/{id}/cancel")]
pub async fn cancel_user_import(
    ctx: Ctx,
    admin: AdminUser,
    path: web::Path<UserImportPath>,
) -> Result<HttpResponse, ApiError> {
    let actor = acting(&admin, &path.user_id)?;
    let row = imports::cancel(&ctx, &actor, &path.id).await?;
    audit(&ctx, &admin, "import.cancel", actor.owner().as_str(), Some(&row.id)).await?;
    Ok(HttpResponse::Accepted().json(ImportView::try_from(row)?))
}
