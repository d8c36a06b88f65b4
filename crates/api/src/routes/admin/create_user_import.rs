use actix_web::{HttpRequest, HttpResponse, post, web};
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::imports::AppChoice;
use serde::Deserialize;

use super::{acting, audit};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::imports::{accepted, from_request};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminImportQuery {
    /// `all` (every app the analysis finds importable) or app ids separated by commas; the
    /// analysis launches those of them it finds importable, and fails the import with
    /// `nothing_importable` when there are none.
    #[param(example = "all")]
    apps: String,
}

/// Imports an archive into a user's account in one call: uploaded like `POST /imports`
/// (multipart `file` or a raw zip body), analysed, then launched with the chosen apps by the
/// analysis itself. The import is the user's; the call is recorded in the audit log. An
/// operator import holds the create right of every app: the administrator vouches for it.
#[utoipa::path(
    tag = "admin",
    params(("user_id" = String, Path, description = "the user the archive is imported into"), AdminImportQuery),
    request_body(
        content(
            (crate::routes::imports::ImportForm = "multipart/form-data"),
            (inline(crate::openapi::Binary) = "application/zip"),
        )
    ),
    responses(
        (status = 202, description = "stored; the analysis runs, then the import", body = crate::routes::imports::ImportView),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "another import of the user's in progress", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 413, description = "larger than the upload limit", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 507, description = "the service's storage is full; nothing was kept", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 415, description = "neither multipart nor a zip, or not a zip inside", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "no file, or `apps` is not a list of app ids", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 429, description = "too many exports and imports created for the user in the last minute", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/admin/users/{user_id}/imports")]
pub async fn create_user_import(
    ctx: Ctx,
    admin: AdminUser,
    user_id: web::Path<String>,
    query: web::Query<AdminImportQuery>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = acting(&admin, &user_id)?;
    let choice = AppChoice::parse(&query.apps)
        .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidRequest, format!("apps: {e}")))?;
    let row = from_request(&ctx, &actor, Some(&choice), &req, payload).await?;
    audit(&ctx, &admin, "import.create", actor.owner().as_str(), Some(&row.id)).await?;
    accepted(row)
}
