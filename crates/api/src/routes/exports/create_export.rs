use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use mesdonnees_db::{Export, creations, exports, jobs};
use mesdonnees_shared::exports::{ExportOptions, NAME_MAX_CHARS, valid_email};
use mesdonnees_shared::jobs::JobPayload;
use mesdonnees_shared::tables::ExportKind;
use mesdonnees_shared::{DocumentId, ErrorCode, JobId};
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::export_templates as templates;
use crate::routes::exports::{ExportSettings, ExportView, Settled, estimate_in};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateExport {
    /// A saved template of the user's: its apps, filters, kind and table, each overridden by
    /// the same member of this request when given; its name names the export.
    template_id: Option<String>,
    /// A name for the user's list; the template's, or "Mes données du JJ/MM/AAAA".
    name: Option<String>,
    /// Also send an e-mail here when the archive is ready or failed.
    notify_email: Option<String>,
    #[serde(flatten)]
    settings: ExportSettings,
}

/// What a table cell takes, at most for most cells, to size a table before it is written.
const TABLE_CELL_BYTES: u64 = 64;

impl CreateExport {
    /// An archive of these apps (every exportable app when `None`) under this name (the
    /// default one when `None`): what an operator asks for.
    pub(crate) fn archive(apps: Option<Vec<String>>, name: Option<String>) -> Self {
        Self {
            template_id: None,
            name,
            notify_email: None,
            settings: ExportSettings { apps, ..ExportSettings::default() },
        }
    }
}

/// Starts building an archive (or a table) of the user's data. Answers at once with the export
/// to poll. Asking again for an export identical to one in progress, or ready since less than
/// `exports.reuse_window_secs`, answers that one (200) instead of building it twice.
#[utoipa::path(
    tag = "exports",
    request_body = CreateExport,
    responses(
        (status = 202, description = "accepted; poll the export", body = ExportView),
        (status = 200, description = "an identical export, in progress or just made, reused", body = ExportView),
        (status = 404, description = "no such template", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "an export is already in progress", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "unknown app, bad filter, table, name or e-mail, or over the archive quota", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
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
    let made = create_for(&ctx, &user, body.into_inner()).await?;
    Ok(made.response())
}

/// What creating an export came to: a new one, queued, or an identical one reused.
pub(crate) enum Made {
    Queued(Box<Export>),
    Reused(Box<Export>),
}

impl Made {
    pub(crate) fn into_export(self) -> Export {
        match self {
            Self::Queued(e) | Self::Reused(e) => *e,
        }
    }

    pub(crate) fn export(&self) -> &Export {
        match self {
            Self::Queued(e) | Self::Reused(e) => e,
        }
    }

    /// 202 for a new export, 200 for one reused; the export to poll either way.
    pub(crate) fn response(self) -> HttpResponse {
        let (mut builder, export) = match self {
            Self::Queued(e) => (HttpResponse::Accepted(), e),
            Self::Reused(e) => (HttpResponse::Ok(), e),
        };
        builder
            .insert_header((header::LOCATION, format!("/api/v1/exports/{}", export.id)))
            .json(ExportView::from(*export))
    }
}

/// Creates (or reuses) an export of `user`'s data: what `POST /exports` does for the caller,
/// and the admin API for a user it names.
pub(crate) async fn create_for(
    ctx: &Ctx,
    user: &AuthUser,
    body: CreateExport,
) -> Result<Made, ApiError> {
    let owner = user.id.to_string();
    let template = match &body.template_id {
        Some(raw) => Some(templates::owned(ctx, &owner, raw).await?),
        None => None,
    };
    let (mut export, settled) = new_export(ctx, user, body, template)?;
    let reuse_since = (Utc::now()
        - chrono::Duration::seconds(
            i64::try_from(ctx.config.exports.reuse_window_secs).unwrap_or(0),
        ))
    .naive_utc();
    let reuse = ctx.config.exports.reuse_window_secs > 0;
    let Settled { apps, filters, kind, table } = settled.clone();
    let columns = table.map_or(0, |t| t.fields.len() as u64);
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
            let limited = creations::admit(conn, &owner, per_minute, now)?;
            // Under the owner's lock (`admit`), so two identical requests at once find each
            // other. A reused export is not a creation: not counted, nor refused by the limit.
            if reuse
                && let Some(same) = exports::reusable(conn, &owner, reuse_since)?
                    .into_iter()
                    .find(|e| same_request(e, &settled))
            {
                return Ok(Created::Reused(Box::new(same)));
            }
            if let Some(retry_after) = limited {
                return Ok(Created::RateLimited { retry_after });
            }
            // The owner's creations wait for this transaction (`admit`), so no other export
            // of theirs can start between this check and the insert.
            let standing = exports::standing(conn, &owner)?;
            if let Some(running) = standing.active {
                return Ok(Created::Busy(running));
            }
            let (files, bytes) = estimate_in(conn, &owner, &apps, &filters)?;
            // A table lists the files, it does not hold them.
            let bytes = match kind {
                ExportKind::Archive => bytes,
                ExportKind::Table => files.saturating_mul(columns.max(1) * TABLE_CELL_BYTES),
            };
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
        Created::Reused(export) => return Ok(Made::Reused(export)),
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
    Ok(Made::Queued(export))
}

/// Whether an existing export was asked with the same settings (the e-mail aside).
fn same_request(export: &Export, settled: &Settled) -> bool {
    let options: ExportOptions = serde_json::from_str(&export.options).unwrap_or_default();
    let apps: Vec<String> = serde_json::from_str(&export.apps).unwrap_or_default();
    apps == settled.apps
        && options.filters == settled.filters
        && options.kind == settled.kind
        && options.table == settled.table
}

/// Validates the request, completed by its template, into a new export row.
fn new_export(
    ctx: &Ctx,
    user: &AuthUser,
    body: CreateExport,
    template: Option<mesdonnees_db::ExportTemplate>,
) -> Result<(Export, Settled), ApiError> {
    let now = Utc::now();
    let (settings, template_name) = match template {
        Some(t) => (body.settings.or(templates::settings_of(&t)), Some(t.name)),
        None => (body.settings, None),
    };
    let settled = settings.settle(ctx)?;
    let name = match body.name.or(template_name).map(|n| n.trim().to_owned()) {
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
        serde_json::to_string(&settled.apps).map_err(ApiError::internal)?,
        serde_json::to_string(&ExportOptions {
            filters: settled.filters.clone(),
            notify_email: body.notify_email,
            kind: settled.kind,
            table: settled.table.clone(),
        })
        .map_err(ApiError::internal)?,
    );
    Ok((export, settled))
}

enum Created {
    Queued(JobId, Box<Export>),
    Reused(Box<Export>),
    Busy(String),
    OverQuota { used: u64, bytes: u64 },
    RateLimited { retry_after: u64 },
}
