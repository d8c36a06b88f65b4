use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use mesdonnees_db::{Export, creations, exports, jobs};
use mesdonnees_shared::exports::{ExportOptions, NAME_MAX_CHARS, valid_email};
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::jobs::JobPayload;
use mesdonnees_shared::{DocumentId, ErrorCode, JobId};
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::exports::{ExportView, estimate_in, filter_error, resolve_apps};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateExport {
    /// App ids; every exportable app when absent.
    apps: Option<Vec<String>>,
    /// A name for the user's list; "Mes données du JJ/MM/AAAA" when absent.
    name: Option<String>,
    /// Also send an e-mail here when the archive is ready or failed.
    notify_email: Option<String>,
    filters: Option<ExportFilters>,
}

/// Starts building an archive of the user's data. Answers at once with the export to poll.
#[utoipa::path(
    tag = "exports",
    request_body = CreateExport,
    responses(
        (status = 202, description = "accepted; poll the export", body = ExportView),
        (status = 409, description = "an export is already in progress", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "unknown app, bad filter, name or e-mail, or over the archive quota", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 429, description = "too many exports and imports created in the last minute; see `Retry-After`", body = crate::problem::ProblemSchema, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "seconds until a creation is accepted again"))),
    ),
    security(("bearer" = []))
)]
#[post("/exports")]
pub async fn create_export(
    ctx: Ctx,
    user: AuthUser,
    body: web::Json<CreateExport>,
) -> Result<HttpResponse, ApiError> {
    let owner = user.id.to_string();
    let (mut export, apps, filters) = new_export(&ctx, &user, body.into_inner())?;
    let quota = ctx.config.exports.user_archive_quota_bytes;
    let max_attempts = ctx.config.queue.max_attempts;
    let per_minute = ctx.config.limits.creations_per_minute;
    // One transaction, few statements: creating an export is the API's busiest write.
    let outcome = ctx
        .db
        .transaction(move |conn| {
            // Counted in the database, not in this process: several API processes share the
            // count, and deleting an export does not give its creation back.
            let now = mesdonnees_db::models::now();
            if let Some(retry_after) = creations::admit(conn, &owner, per_minute, now)? {
                return Ok(Created::RateLimited { retry_after });
            }
            // The owner's creations wait for this transaction (`admit`), so no other export
            // of theirs can start between this check and the insert.
            let standing = exports::standing(conn, &owner)?;
            if let Some(running) = standing.active {
                return Ok(Created::Busy(running));
            }
            let (_, bytes) = estimate_in(conn, &owner, &apps, &filters)?;
            let used = u64::try_from(standing.ready_bytes).unwrap_or(0);
            if used.saturating_add(bytes) > quota {
                return Ok(Created::OverQuota { used, bytes });
            }
            let job = jobs::create(
                conn,
                &JobPayload::Export { export_id: export.id.clone() },
                max_attempts,
            )?;
            export.job_id = Some(job.to_string());
            exports::insert_checked(conn, &export)?;
            creations::record(conn, &export.id, &owner, now)?;
            Ok(Created::Queued(job, Box::new(export)))
        })
        .await?;
    let (job, export) = match outcome {
        Created::Queued(job, export) => (job, export),
        Created::OverQuota { used, bytes } => {
            return Err(ApiError::unprocessable(
                ErrorCode::ArchiveQuotaExceeded,
                format!(
                    "this export (about {bytes} bytes) and your ready archives ({used} bytes) exceed the \
                     {quota}-byte archive quota; delete an archive or export less"
                ),
            ));
        }
        Created::RateLimited { retry_after } => return Err(ApiError::RateLimited { retry_after }),
        Created::Busy(running) => {
            return Err(ApiError::Conflict {
                code: ErrorCode::ExportInProgress,
                detail: format!("export {running} is in progress; wait for it or cancel it"),
            });
        }
    };
    if let Err(e) = ctx.queue.push(job).await {
        tracing::warn!(job_id = %job, error = %e, "export job not enqueued now; the reconciler will");
    }
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/exports/{}", export.id)))
        .json(ExportView::from(*export)))
}

/// Validates the request into a new export row, with its apps and filters.
fn new_export(
    ctx: &Ctx,
    user: &AuthUser,
    body: CreateExport,
) -> Result<(Export, Vec<String>, ExportFilters), ApiError> {
    let now = Utc::now();
    let apps = resolve_apps(ctx, body.apps)?;
    let filters = body.filters.unwrap_or_default().validate(now).map_err(|e| filter_error(&e))?;
    let name = match body.name.map(|n| n.trim().to_owned()) {
        Some(n)
            if n.is_empty()
                || n.chars().count() > NAME_MAX_CHARS
                || n.chars().any(char::is_control) =>
        {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidName,
                format!(
                    "an export name has 1 to {NAME_MAX_CHARS} characters and no control character"
                ),
            ));
        }
        Some(n) => n,
        None => format!("Mes données du {}", now.format("%d/%m/%Y")),
    };
    if let Some(email) = &body.notify_email
        && !valid_email(email)
    {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidRequest,
            "notify_email is not an e-mail address",
        ));
    }
    let export = Export::queued(
        DocumentId::new().to_string(),
        user.id.to_string(),
        user.name.clone(),
        name,
        serde_json::to_string(&apps).map_err(ApiError::internal)?,
        serde_json::to_string(&ExportOptions {
            filters: filters.clone(),
            notify_email: body.notify_email,
        })
        .map_err(ApiError::internal)?,
    );
    Ok((export, apps, filters))
}

enum Created {
    Queued(JobId, Box<Export>),
    Busy(String),
    OverQuota { used: u64, bytes: u64 },
    RateLimited { retry_after: u64 },
}
