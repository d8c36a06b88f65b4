use actix_multipart::{Field, Multipart};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use futures_util::StreamExt;
use mesdonnees_db::{Document, DocumentKind, NewDocument, documents};
use mesdonnees_shared::{DocumentId, DocumentName, ErrorCode};
use object_store::buffered::BufWriter;
use object_store::path::Path;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::documents::{DocumentView, owned_folder};
use crate::routes::uploads::{
    DRAIN_CAP, PART_BYTES, PARTS_IN_FLIGHT, discard, drain, multipart_error, skip,
};
use crate::routes::{Ctx, parse_field_id};

/// Multipart parts accepted in one upload (the file, the folder id, what browsers add).
const MAX_PARTS: usize = 8;
/// Longest text field read (the folder id).
const MAX_TEXT_FIELD: usize = 256;

/// The multipart form of an upload.
#[derive(utoipa::ToSchema)]
#[expect(dead_code, reason = "describes the form for the OpenAPI document only")]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The folder to put it in; the user's root when absent.
    folder_id: Option<String>,
}

/// Uploads a file, streamed to the object store: never held whole in memory. The size limit and
/// the user's quota are enforced while streaming.
#[utoipa::path(
    tag = "documents",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = DocumentView),
        (status = 413, description = "larger than the upload limit", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 415, description = "not multipart/form-data", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "quota exceeded, no file, bad name or folder", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/documents")]
pub async fn upload_document(
    ctx: Ctx,
    user: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let limits = &ctx.config.limits;
    let max_bytes = ctx.config.documents.max_upload_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_bytes.saturating_add(DRAIN_CAP)) {
        return Err(too_large(max_bytes));
    }
    let owner = user.id.to_string();
    let owned_bytes = {
        let owner = owner.clone();
        ctx.db.run(move |conn| documents::used_bytes(conn, &owner)).await?
    };
    let quota_left =
        limits.user_quota_bytes.saturating_sub(u64::try_from(owned_bytes).unwrap_or(0));

    let mut multipart = Multipart::new(req.headers(), payload);
    let mut stream_ended = false;
    let outcome = read_form(&ctx, &mut multipart, &mut stream_ended, max_bytes, quota_left).await;
    let form = match outcome {
        Ok(form) => form,
        Err(e) => {
            // Polling a multipart stream after its end or error panics.
            if !stream_ended {
                drain(&mut multipart).await;
            }
            return Err(e);
        }
    };
    let Some(file) = form.file else {
        return Err(ApiError::unprocessable(ErrorCode::MissingFile, "the form has no `file` part"));
    };
    match record(&ctx, owner, &file, form.folder_id.as_deref()).await {
        Ok(doc) => Ok(HttpResponse::Created().json(DocumentView::from(doc))),
        Err(e) => {
            discard(&ctx, &file.key).await;
            Err(e)
        }
    }
}

/// Writes the row of a stored file, re-checking the folder and the quota in one transaction.
async fn record(
    ctx: &Ctx,
    owner: String,
    file: &StoredFile,
    folder_id: Option<&str>,
) -> Result<Document, ApiError> {
    let folder = folder_id.map(|raw| parse_field_id("folder_id", raw)).transpose()?;
    let quota = ctx.config.limits.user_quota_bytes;
    let now = mesdonnees_db::models::now();
    let size = file.size;
    let row = NewDocument {
        id: file.id.to_string(),
        owner_id: owner.clone(),
        parent_id: folder.map(|f| f.to_string()),
        kind: DocumentKind::File.as_str().to_owned(),
        name: file.name.as_str().to_owned(),
        object_key: Some(file.key.to_string()),
        content_type: Some(file.content_type.clone()),
        size: i64::try_from(size).unwrap_or(i64::MAX),
        sha256: Some(file.sha256.clone()),
        created_at: now,
        updated_at: now,
    };
    ctx.db
        .transaction(move |conn| {
            if let Some(folder) = folder
                && let Err(e) = owned_folder(conn, &owner, folder)?
            {
                return Ok(Err(e));
            }
            // Checked again here: a concurrent upload may have used the quota meanwhile.
            let owned_bytes = u64::try_from(documents::used_bytes(conn, &owner)?).unwrap_or(0);
            if owned_bytes.saturating_add(size) > quota {
                return Ok(Err(quota_exceeded(quota)));
            }
            documents::insert(conn, &row)?;
            Ok(Ok(documents::find(conn, &row.id)?))
        })
        .await??
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("document vanished after insert")))
}

struct StoredFile {
    id: DocumentId,
    key: Path,
    name: DocumentName,
    content_type: String,
    size: u64,
    sha256: String,
}

#[derive(Default)]
struct Form {
    file: Option<StoredFile>,
    folder_id: Option<String>,
}

async fn read_form(
    ctx: &Ctx,
    multipart: &mut Multipart,
    ended: &mut bool,
    max_upload: u64,
    quota_left: u64,
) -> Result<Form, ApiError> {
    let mut form = Form::default();
    let mut parts = 0;
    loop {
        let Some(field) = multipart.next().await else {
            *ended = true;
            break;
        };
        let mut field = match field {
            Ok(field) => field,
            Err(e) => {
                *ended = true;
                if let Some(file) = form.file.take() {
                    discard(ctx, &file.key).await;
                }
                return Err(multipart_error(&e));
            }
        };
        parts += 1;
        if parts > MAX_PARTS {
            if let Some(file) = form.file.take() {
                discard(ctx, &file.key).await;
            }
            return Err(ApiError::unprocessable(
                ErrorCode::TooManyParts,
                format!("an upload has at most {MAX_PARTS} parts"),
            ));
        }
        match field.name() {
            Some("file") if form.file.is_none() => {
                match store_file(ctx, &mut field, ended, max_upload, quota_left).await {
                    Ok(file) => form.file = Some(file),
                    Err(e) => return Err(e),
                }
            }
            Some("file") => {
                if let Some(file) = form.file.take() {
                    discard(ctx, &file.key).await;
                }
                return Err(ApiError::unprocessable(
                    ErrorCode::InvalidRequest,
                    "send one file per upload",
                ));
            }
            Some("folder_id") => form.folder_id = Some(read_text(&mut field, ended).await?),
            _ => skip(&mut field, ended).await,
        }
    }
    Ok(form)
}

/// Streams one file part into the store while hashing and counting it; on any failure the
/// partial upload is aborted, so nothing half written remains.
async fn store_file(
    ctx: &Ctx,
    field: &mut Field,
    ended: &mut bool,
    max_upload: u64,
    quota_left: u64,
) -> Result<StoredFile, ApiError> {
    let file_name =
        field.content_disposition().and_then(|cd| cd.get_filename()).ok_or_else(|| {
            ApiError::unprocessable(ErrorCode::InvalidName, "the file part has no file name")
        })?;
    let name = DocumentName::from_upload(file_name)
        .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidName, e.to_string()))?;
    let content_type = content_type_of(field, name.as_str());
    let id = DocumentId::new();
    let key = Path::from(format!("documents/{id}"));
    let limit = max_upload.min(quota_left);
    let mut writer = BufWriter::with_capacity(ctx.storage.store.clone(), key.clone(), PART_BYTES)
        .with_max_concurrency(PARTS_IN_FLIGHT);
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let result: Result<(), ApiError> = async {
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| {
                *ended = true;
                multipart_error(&e)
            })?;
            size = size.saturating_add(chunk.len() as u64);
            if size > limit {
                return Err(if limit < max_upload {
                    quota_exceeded(ctx.config.limits.user_quota_bytes)
                } else {
                    too_large(max_upload)
                });
            }
            hasher.update(&chunk);
            writer.put(chunk).await?;
        }
        writer.shutdown().await.map_err(|e| ApiError::internal(anyhow::Error::new(e)))?;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        if let Err(abort) = writer.abort().await {
            tracing::warn!(error = %abort, "partial upload not aborted");
        }
        return Err(e);
    }
    Ok(StoredFile { id, key, name, content_type, size, sha256: hex::encode(hasher.finalize()) })
}

/// The type the client declared, unless it is the generic one; then a guess from the name.
fn content_type_of(field: &Field, name: &str) -> String {
    match field.content_type() {
        Some(mime) if *mime != mime::APPLICATION_OCTET_STREAM => mime.essence_str().to_owned(),
        _ => mime_guess::from_path(name).first_or_octet_stream().essence_str().to_owned(),
    }
}

async fn read_text(field: &mut Field, ended: &mut bool) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| {
            *ended = true;
            multipart_error(&e)
        })?;
        if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidRequest,
                "a text field is too long",
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map(|s| s.trim().to_owned()).map_err(|_| {
        ApiError::unprocessable(ErrorCode::InvalidRequest, "a text field is not UTF-8")
    })
}

fn too_large(max: u64) -> ApiError {
    ApiError::PayloadTooLarge {
        code: ErrorCode::PayloadTooLarge,
        detail: format!("a document may not exceed {max} bytes"),
    }
}

fn quota_exceeded(quota: u64) -> ApiError {
    ApiError::unprocessable(
        ErrorCode::QuotaExceeded,
        format!("this upload would exceed the {quota}-byte storage quota"),
    )
}
