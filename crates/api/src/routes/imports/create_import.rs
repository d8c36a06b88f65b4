use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use mesdonnees_db::{Import, creations, imports, jobs};
use mesdonnees_shared::imports::{AppChoice, ImportStatus, upload_key};
use mesdonnees_shared::jobs::JobPayload;
use mesdonnees_shared::{DocumentName, ErrorCode, ImportId};
use object_store::buffered::BufWriter;
use object_store::path::Path;
use tokio::io::AsyncWriteExt;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::routes::imports::ImportView;
use crate::routes::uploads::{
    DRAIN_CAP, PART_BYTES, PARTS_IN_FLIGHT, discard, drain, multipart_error, skip,
};

/// Multipart parts looked at in one upload (the file and what browsers add).
const MAX_PARTS: usize = 8;
/// Name of an archive sent as a raw body without a file name.
const DEFAULT_NAME: &str = "archive.zip";

/// The multipart form of an archive upload.
#[derive(utoipa::ToSchema)]
#[expect(dead_code, reason = "describes the form for the OpenAPI document only")]
pub struct ImportForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Uploads an archive to import, as multipart (`file`, what a browser's drag-and-drop sends)
/// or as a raw `application/zip` body (its name in `Content-Disposition`). Streamed to the
/// object store, never held whole; its analysis starts at once.
#[utoipa::path(
    tag = "imports",
    request_body(
        content(
            (ImportForm = "multipart/form-data"),
            (Vec<u8> = "application/zip"),
        )
    ),
    responses(
        (status = 202, description = "stored; the analysis runs", body = ImportView),
        (status = 409, description = "another import in progress", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 413, description = "larger than the upload limit", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 415, description = "neither multipart nor a zip, or not a zip inside", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "no file", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 429, description = "too many exports and imports created in the last minute; see `Retry-After`", body = crate::problem::ProblemSchema, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "seconds until a creation is accepted again"))),
    ),
    security(("bearer" = []))
)]
#[post("/imports")]
pub async fn create_import(
    ctx: Ctx,
    user: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let row = from_request(&ctx, &user, None, &req, payload).await?;
    Ok(accepted(row))
}

/// An import of the archive a request carries, as multipart or as a raw zip body; for the
/// caller, or for a user an administrator names (with the apps to launch once analysed).
pub(crate) async fn from_request(
    ctx: &Ctx,
    user: &AuthUser,
    auto: Option<&AppChoice>,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Import, ApiError> {
    let max = ctx.config.imports.max_upload_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max.saturating_add(DRAIN_CAP)) {
        return Err(too_large(max));
    }
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .map(|m| m.essence_str().to_owned())
        .unwrap_or_default();
    create_for(ctx, user, auto, |key| receive(ctx, req, payload, essence, key, max)).await
}

/// 202 with the import to poll.
pub(crate) fn accepted(row: Import) -> HttpResponse {
    HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{}", row.id)))
        .json(ImportView::from(row))
}

/// The archive of a request, by its type, stored under `key`: its name and size.
pub(crate) async fn receive(
    ctx: &Ctx,
    req: &HttpRequest,
    payload: web::Payload,
    essence: String,
    key: Path,
    max: u64,
) -> Result<(String, u64), ApiError> {
    match essence.as_str() {
        "multipart/form-data" => from_multipart(ctx, req, payload, &key, max).await,
        "application/zip" | "application/x-zip-compressed" | "application/octet-stream" => {
            let name = raw_body_name(req);
            let body = payload.map(|chunk| {
                chunk.map_err(|e| {
                    ApiError::bad_request(ErrorCode::InvalidRequest, format!("body: {e}"))
                })
            });
            Ok((name, store_zip(ctx, &key, body, max).await?))
        }
        _ => Err(ApiError::UnsupportedContent {
            code: ErrorCode::UnsupportedMediaType,
            detail: "send the archive as multipart/form-data (`file`) or as application/zip"
                .to_owned(),
        }),
    }
}

/// Creates an import of `user`'s from an archive that `receive` stores under the key it is
/// given (answering its name and size), once the user may start one; its analysis is queued.
/// With `auto`, the analysis launches those apps itself. What `POST /imports` does for the
/// caller, and what operators do for a user they name.
pub(crate) async fn create_for<F, Fut>(
    ctx: &Ctx,
    user: &AuthUser,
    auto: Option<&AppChoice>,
    receive: F,
) -> Result<Import, ApiError>
where
    F: FnOnce(Path) -> Fut,
    Fut: Future<Output = Result<(String, u64), ApiError>>,
{
    let owner = user.id.to_string();
    may_create(ctx, &owner).await?;
    let per_minute = ctx.config.limits.creations_per_minute;
    let id = ImportId::new().to_string();
    let key = Path::from(upload_key(&id));
    let (file_name, size) = receive(key.clone()).await?;
    let rights = serde_json::to_string(&user.rights).map_err(ApiError::internal)?;
    let mut row = Import::uploaded(
        id,
        owner.clone(),
        user.name.clone(),
        rights,
        file_name,
        key.to_string(),
        i64::try_from(size).unwrap_or(i64::MAX),
    );
    row.status = ImportStatus::Analysing.as_str().to_owned();
    row.auto_apps = auto.map(serde_json::to_string).transpose().map_err(ApiError::internal)?;
    let max_attempts = ctx.config.queue.max_attempts;
    let created = ctx
        .db
        .transaction(move |conn| {
            // Counted in the database, not in this process: several API processes share the
            // count, and deleting an import does not give its creation back.
            let now = mesdonnees_db::models::now();
            if let Some(retry_after) = creations::admit(conn, &owner, per_minute, now)? {
                return Ok(Err(Refused::RateLimited { retry_after }));
            }
            if !imports::insert(conn, &row)? {
                return Ok(Err(Refused::Busy(imports::find_active(conn, &owner)?.map(|i| i.id))));
            }
            let payload = JobPayload::AnalyseImport { import_id: row.id.clone() };
            let job = jobs::create(conn, &payload, max_attempts)?;
            imports::set_job(conn, &row.id, &job.to_string())?;
            creations::record(conn, &row.id, &owner, now)?;
            Ok(Ok((job, imports::find(conn, &row.id)?)))
        })
        .await;
    let (job, row) = match created {
        Ok(Ok((job, Some(row)))) => (job, row),
        Ok(Ok((_, None))) => {
            discard(ctx, &key).await;
            return Err(ApiError::internal(anyhow::anyhow!("import vanished after insert")));
        }
        Ok(Err(refused)) => {
            discard(ctx, &key).await;
            return Err(match refused {
                Refused::Busy(active) => busy(&active.unwrap_or_default()),
                Refused::RateLimited { retry_after } => ApiError::RateLimited { retry_after },
            });
        }
        Err(e) => {
            discard(ctx, &key).await;
            return Err(e.into());
        }
    };
    if let Err(e) = ctx.queue.push(job).await {
        tracing::warn!(job_id = %job, error = %e, "analysis job not enqueued now; the reconciler will");
    }
    Ok(row)
}

/// Refuses an upload the user could not make an import of, before it is stored: over the rate
/// limit, or with another import in progress. The creating transaction checks both again,
/// race-free.
async fn may_create(ctx: &Ctx, owner: &str) -> Result<(), ApiError> {
    let owner = owner.to_owned();
    let per_minute = ctx.config.limits.creations_per_minute;
    let (wait, active) = ctx
        .db
        .run(move |conn| {
            let now = mesdonnees_db::models::now();
            let wait = creations::wait_secs(conn, &owner, per_minute, now)?;
            Ok((wait, imports::find_active(conn, &owner)?))
        })
        .await?;
    if let Some(retry_after) = wait {
        return Err(ApiError::RateLimited { retry_after });
    }
    match active {
        Some(active) => Err(busy(&active.id)),
        None => Ok(()),
    }
}

/// Why a stored upload did not become an import.
enum Refused {
    /// Another import is in progress, the one named when still found.
    Busy(Option<String>),
    RateLimited {
        retry_after: u64,
    },
}

/// The first `file` part of a multipart body, stored; other parts are skipped.
async fn from_multipart(
    ctx: &Ctx,
    req: &HttpRequest,
    payload: web::Payload,
    key: &Path,
    max: u64,
) -> Result<(String, u64), ApiError> {
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut ended = false;
    let mut parts = 0;
    let outcome = loop {
        let Some(field) = multipart.next().await else {
            ended = true;
            break Err(ApiError::unprocessable(
                ErrorCode::MissingFile,
                "the form has no `file` part",
            ));
        };
        let mut field = match field {
            Ok(field) => field,
            Err(e) => {
                ended = true;
                break Err(multipart_error(&e));
            }
        };
        parts += 1;
        if parts > MAX_PARTS {
            break Err(ApiError::unprocessable(
                ErrorCode::TooManyParts,
                format!("an upload has at most {MAX_PARTS} parts"),
            ));
        }
        if field.name() != Some("file") {
            skip(&mut field, &mut ended).await;
            continue;
        }
        let name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .and_then(|n| DocumentName::from_upload(n).ok())
            .map_or_else(|| DEFAULT_NAME.to_owned(), DocumentName::into_string);
        let failed = std::cell::Cell::new(false);
        let body = (&mut field).map(|chunk| {
            chunk.map_err(|e| {
                failed.set(true);
                multipart_error(&e)
            })
        });
        let stored = store_zip(ctx, key, body, max).await;
        ended |= failed.get();
        break stored.map(|size| (name, size));
    };
    if outcome.is_err() && !ended {
        // Polling a multipart stream after its end or error panics.
        drain(&mut multipart).await;
    }
    outcome
}

/// The archive's name from a raw body's `Content-Disposition`, if it gives one.
fn raw_body_name(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| header::ContentDisposition::from_raw(v).ok())
        .and_then(|cd| cd.get_filename().map(str::to_owned))
        .and_then(|n| DocumentName::from_upload(&n).ok())
        .map_or_else(|| DEFAULT_NAME.to_owned(), DocumentName::into_string)
}

/// Streams a zip into the store under `key`: its first bytes must be a zip's, its size within
/// `max`. On any refusal or failure the partial upload is aborted.
pub(crate) async fn store_zip(
    ctx: &Ctx,
    key: &Path,
    body: impl Stream<Item = Result<Bytes, ApiError>>,
    max: u64,
) -> Result<u64, ApiError> {
    let mut writer = BufWriter::with_capacity(ctx.storage.store.clone(), key.clone(), PART_BYTES)
        .with_max_concurrency(PARTS_IN_FLIGHT);
    let mut body = std::pin::pin!(body);
    let mut head = Vec::with_capacity(4);
    let mut size = 0_u64;
    let result: Result<(), ApiError> = async {
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            size = size.saturating_add(chunk.len() as u64);
            if size > max {
                return Err(too_large(max));
            }
            if head.len() < 4 {
                let take = (4 - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
                if head.len() == 4 && !is_zip_start(&head) {
                    return Err(not_a_zip());
                }
            }
            writer.write_all(&chunk).await.map_err(ApiError::internal)?;
        }
        if head.len() < 4 {
            return Err(not_a_zip());
        }
        writer.shutdown().await.map_err(ApiError::internal)
    }
    .await;
    if let Err(e) = result {
        if let Err(abort) = writer.abort().await {
            tracing::warn!(error = %abort, "partial upload not aborted");
        }
        return Err(e);
    }
    Ok(size)
}

/// A zip starts with a local file header, or with the end record when it is empty.
fn is_zip_start(head: &[u8]) -> bool {
    head == b"PK\x03\x04" || head == b"PK\x05\x06"
}

fn not_a_zip() -> ApiError {
    ApiError::UnsupportedContent {
        code: ErrorCode::NotAZip,
        detail: "the file is not a zip archive".to_owned(),
    }
}

fn too_large(max: u64) -> ApiError {
    ApiError::PayloadTooLarge {
        code: ErrorCode::PayloadTooLarge,
        detail: format!("an archive to import may not exceed {max} bytes"),
    }
}

fn busy(active: &str) -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::ImportInProgress,
        detail: format!("import {active} is in progress; wait for it to end or delete it"),
    }
}
