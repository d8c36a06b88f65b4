use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use mesdonnees_db::imports::{self, Launch};
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::imports::{Analysis, AppChoice, ImportStatus};
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::imports::{ImportView, owned_import};

/// Most apps one launch may name.
const MAX_APPS: usize = 64;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LaunchImport {
    /// Ids of apps the analysis found importable.
    apps: Vec<String>,
}

/// Starts importing the chosen apps of an analysed archive.
#[utoipa::path(
    tag = "imports",
    params(("id" = String, Path, description = "import id")),
    request_body = LaunchImport,
    responses(
        (status = 202, body = ImportView),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "not analysed, or another import in progress", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "no app, or apps the analysis did not find importable", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/imports/{id}/launch")]
pub async fn launch_import(
    ctx: Ctx,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<LaunchImport>,
) -> Result<HttpResponse, ApiError> {
    let import = owned_import(&ctx, user.id.as_str(), &id).await?;
    let mut apps = body.into_inner().apps;
    apps.sort();
    apps.dedup();
    if apps.is_empty() || apps.len() > MAX_APPS {
        return Err(ApiError::unprocessable(
            ErrorCode::NotImportable,
            format!("choose between 1 and {MAX_APPS} apps"),
        ));
    }
    let analysis: Analysis = match (ImportStatus::parse(&import.status), &import.analysis) {
        (Some(ImportStatus::Analysed), Some(raw)) => serde_json::from_str(raw)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("stored analysis unreadable: {e}")))?,
        _ => {
            return Err(ApiError::Conflict {
                code: ErrorCode::NotAnalysed,
                detail: format!(
                    "the import is {}; only an analysed import is launched",
                    import.status
                ),
            });
        }
    };
    let refused: Vec<&str> = apps
        .iter()
        .filter(|app| !analysis.importable_apps().any(|a| &a.id == *app))
        .map(String::as_str)
        .collect();
    if !refused.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::NotImportable,
            format!("not importable from this archive: {}", refused.join(", ")),
        ));
    }
    let selection = AppChoice::Only(apps).select(&analysis);
    let max_attempts = ctx.config.queue.max_attempts;
    let import_id = import.id.clone();
    let launched = ctx
        .db
        .transaction(move |conn| {
            Ok(match imports::launch_with_job(conn, &import_id, &selection, max_attempts)? {
                Ok(job) => Ok((job, imports::find(conn, &import_id)?)),
                Err(refused) => Err(refused),
            })
        })
        .await?;
    let (job, row) = match launched {
        Ok((job, Some(row))) => (job, row),
        Ok((_, None)) => return Err(ApiError::NotFound("import")),
        Err(Launch::OtherActive) => {
            return Err(ApiError::Conflict {
                code: ErrorCode::ImportInProgress,
                detail: "another import is in progress; wait for it to end".to_owned(),
            });
        }
        Err(_) => {
            return Err(ApiError::Conflict {
                code: ErrorCode::NotAnalysed,
                detail: "the import is no longer waiting to be launched".to_owned(),
            });
        }
    };
    if let Err(e) = ctx.queue.push(job).await {
        tracing::warn!(job_id = %job, error = %e, "import job not enqueued now; the reconciler will");
    }
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{}", row.id)))
        .json(ImportView::from(row)))
}
