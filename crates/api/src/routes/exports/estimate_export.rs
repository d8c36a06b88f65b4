use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use mesdonnees_core::exports;
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::ExportKind;
use mesdonnees_shared::{DocumentId, ErrorCode};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EstimateQuery {
    /// Comma-separated app ids; every app when absent.
    apps: Option<String>,
    /// Comma-separated families or extensions, as in an export's filters.
    formats: Option<String>,
    /// Only files changed at or after this instant (RFC 3339).
    since: Option<DateTime<Utc>>,
    /// Comma-separated ids of the user's folders (at most 100), as in an export's filters:
    /// only the documents under them.
    folders: Option<String>,
    /// What would be made: an archive (the default) or a table, which lists the files without
    /// holding them and is sized by its rows and every common column.
    kind: Option<ExportKind>,
}

/// One app's part of the estimate.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppEstimate {
    /// Files the archive would hold for the app (rows, for a table).
    files: u64,
    /// Their bytes before compression (the table's, for a table).
    bytes: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Estimate {
    apps: Vec<String>,
    /// Apps of `apps` left out of `files` and `bytes`: apps of the ENT tell their size only as
    /// they export.
    unestimated_apps: Vec<String>,
    /// Each estimated app's files and bytes, by app id; `files` and `bytes` are their sums.
    by_app: BTreeMap<String, AppEstimate>,
    /// Files the archive would hold (rows, for a table).
    files: u64,
    /// Their bytes before compression (the table's, for a table).
    bytes: u64,
    /// Whether it fits in the user's archive quota next to their ready archives.
    fits_quota: bool,
    quota_bytes: u64,
    used_bytes: u64,
}

/// What an export would hold, and whether it fits the archive quota.
#[utoipa::path(
    tag = "exports",
    params(EstimateQuery),
    responses(
        (status = 200, body = Estimate),
        (status = 422, description = "unknown app, bad filter, or a folder that is not one of the user's", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/exports/estimate")]
pub async fn estimate_export(
    ctx: Ctx,
    user: AuthUser,
    query: web::Query<EstimateQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let split = |raw: Option<String>| {
        raw.map(|r| {
            r.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    };
    let folders = split(query.folders)
        .unwrap_or_default()
        .iter()
        .map(|raw| DocumentId::parse(raw))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            ApiError::unprocessable(ErrorCode::InvalidId, "folders holds an id that is not one")
        })?;
    let filters = ExportFilters {
        formats: split(query.formats).unwrap_or_default(),
        since: query.since,
        folders,
    };
    let kind = query.kind.unwrap_or_default();
    let e = exports::estimate(&ctx, &user.actor(), split(query.apps), filters, kind).await?;
    Ok(HttpResponse::Ok().json(Estimate {
        apps: e.apps,
        unestimated_apps: e.unestimated_apps,
        by_app: e
            .by_app
            .into_iter()
            .map(|(app, s)| (app, AppEstimate { files: s.files, bytes: s.bytes }))
            .collect(),
        files: e.files,
        bytes: e.bytes,
        fits_quota: e.fits_quota,
        quota_bytes: e.quota_bytes,
        used_bytes: e.used_bytes,
    }))
}
