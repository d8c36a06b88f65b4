use actix_web::{HttpResponse, post, web};

use mesdonnees_core::exports;

use super::acting;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::json::Json;
use crate::routes::Ctx;
use crate::routes::exports::{CreateExport, created};

/// Starts an export of a user's data, as the user would (the archive is theirs, listed and
/// downloadable by them); recorded in the audit log.
#[utoipa::path(
    tag = "admin",
    params(("user_id" = String, Path, description = "the user whose data is exported")),
    request_body = CreateExport,
    responses(
        (status = 202, description = "accepted; poll the export", body = crate::routes::exports::ExportView),
        (status = 200, description = "an identical export reused", body = crate::routes::exports::ExportView),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/admin/users/{user_id}/exports")]
pub async fn create_user_export(
    ctx: Ctx,
    admin: AdminUser,
    user_id: web::Path<String>,
    body: Json<CreateExport>,
) -> Result<HttpResponse, ApiError> {
    let actor = acting(&admin, &user_id)?;
    let made = exports::create(&ctx, &actor, body.into_inner().into()).await?;
    created(made)
}
