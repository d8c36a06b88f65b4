use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::body::SizedStream;
use actix_web::http::StatusCode;
use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use mesdonnees_shared::DocumentName;
use object_store::path::Path;
use object_store::{Error as StoreError, ObjectStoreExt};
use uuid::Uuid;

use crate::auth::User;
use crate::entry::{AttachmentView, MAX_ATTACHMENTS};
use crate::models::{self, Attachment};
use crate::problem::{Problem, codes};
use crate::queries;
use crate::routes::{owned_entry, parse_id, visible_entry};
use crate::state::{Ctx, declared_length};
use crate::storage::{self, WriteError, Written};

/// Bytes read and thrown away after a refusal, so the client gets the answer rather than a
/// reset connection; past this the connection is simply closed.
const DRAIN_CAP: u64 = 16 * 1024 * 1024;
/// Multipart parts read in one upload (the file and what browsers add).
const MAX_PARTS: usize = 8;

/// Adds a file to an entry, streamed to the object store while it is hashed: never whole in
/// memory, and nothing left behind when the upload is refused or cut.
#[post("/api/entries/{id}/attachments")]
pub async fn upload_attachment(
    ctx: Ctx,
    user: User,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    let max = ctx.config.max_upload_bytes;
    if declared_length(&req).is_some_and(|len| len > max.saturating_add(DRAIN_CAP)) {
        return Err(too_large(max));
    }
    let entry = owned_entry(&ctx, user.id.as_str(), &path).await?;
    let entry_id = entry.id.clone();
    let count = ctx.db.run(move |conn| Ok(queries::count_attachments(conn, &entry_id)?)).await?;
    if count >= MAX_ATTACHMENTS {
        return Err(too_many());
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut ended = false;
    let file = match read_form(&ctx, &mut multipart, &mut ended, max).await {
        Ok(file) => file,
        Err(e) => {
            // Polling a multipart stream after its end or an error panics.
            if !ended {
                drain(&mut multipart).await;
            }
            return Err(e);
        }
    };
    let row = Attachment {
        id: file.id.to_string(),
        entry_id: entry.id,
        name: file.name.into_string(),
        content_type: file.content_type,
        size: i64::try_from(file.written.size).unwrap_or(i64::MAX),
        sha256: file.written.sha256,
        object_key: file.key.to_string(),
        created_at: models::now(),
    };
    let inserted = row.clone();
    let result = ctx
        .db
        .run(move |conn| {
            conn.immediate_transaction::<_, diesel::result::Error, _>(|conn| {
                // Counted again: another upload may have been added meanwhile.
                if queries::count_attachments(conn, &inserted.entry_id)? >= MAX_ATTACHMENTS {
                    return Ok(false);
                }
                queries::insert_attachment(conn, &inserted)?;
                Ok(true)
            })
            .map_err(crate::db::DbError::from)
        })
        .await;
    match result {
        Ok(true) => Ok(HttpResponse::Created().json(AttachmentView::from(&row))),
        Ok(false) => {
            storage::discard(&ctx.store, &[file.key]).await;
            Err(too_many())
        }
        Err(e) => {
            storage::discard(&ctx.store, &[file.key]).await;
            Err(e.into())
        }
    }
}

struct StoredFile {
    id: Uuid,
    key: Path,
    name: DocumentName,
    content_type: String,
    written: Written,
}

/// Reads the form to its end, storing its one `file` part.
async fn read_form(
    ctx: &Ctx,
    multipart: &mut Multipart,
    ended: &mut bool,
    max: u64,
) -> Result<StoredFile, Problem> {
    let mut file: Option<StoredFile> = None;
    let mut parts = 0;
    let outcome = loop {
        let mut field = match multipart.next().await {
            None => {
                *ended = true;
                break Ok(());
            }
            Some(Err(e)) => {
                *ended = true;
                break Err(multipart_error(&e));
            }
            Some(Ok(field)) => field,
        };
        parts += 1;
        if parts > MAX_PARTS {
            break Err(Problem::invalid(format!("an upload has at most {MAX_PARTS} parts")));
        }
        if field.name() == Some("file") {
            if file.is_some() {
                break Err(Problem::invalid("send one file per upload"));
            }
            match store_file(ctx, &mut field, ended, max).await {
                Ok(stored) => file = Some(stored),
                Err(e) => break Err(e),
            }
        } else if let Err(e) = skip(&mut field, ended).await {
            break Err(e);
        }
    };
    match (outcome, file) {
        (Ok(()), Some(file)) => Ok(file),
        (Ok(()), None) => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::MISSING_FILE,
            "the form has no `file` part",
        )),
        (Err(e), stored) => {
            if let Some(stored) = stored {
                storage::discard(&ctx.store, &[stored.key]).await;
            }
            Err(e)
        }
    }
}

async fn store_file(
    ctx: &Ctx,
    field: &mut Field,
    ended: &mut bool,
    max: u64,
) -> Result<StoredFile, Problem> {
    let raw_name = field
        .content_disposition()
        .and_then(|cd| cd.get_filename())
        .ok_or_else(|| Problem::invalid("the file part has no file name"))?;
    let name = DocumentName::from_upload(raw_name)
        .map_err(|e| Problem::invalid(format!("file name: {e}")))?;
    let content_type = field
        .content_type()
        .map_or_else(|| "application/octet-stream".to_owned(), |m| m.essence_str().to_owned());
    let id = Uuid::new_v4();
    let key = storage::attachment_key(id);
    let written =
        storage::write_stream(&ctx.store, &key, field, max).await.map_err(|e| match e {
            WriteError::TooLarge(limit) => too_large(limit),
            WriteError::Source(e) => {
                *ended = true;
                multipart_error(&e)
            }
            WriteError::Store(e) => Problem::from(e),
        })?;
    Ok(StoredFile { id, key, name, content_type, written })
}

async fn skip(field: &mut Field, ended: &mut bool) -> Result<(), Problem> {
    let mut read: u64 = 0;
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| {
            *ended = true;
            multipart_error(&e)
        })?;
        read += chunk.len() as u64;
        if read > DRAIN_CAP {
            return Err(Problem::invalid("a form field is too large"));
        }
    }
    Ok(())
}

/// Reads what is left of a refused upload, up to [`DRAIN_CAP`].
async fn drain(multipart: &mut Multipart) {
    let mut drained: u64 = 0;
    while let Some(Ok(mut field)) = multipart.next().await {
        loop {
            match field.next().await {
                Some(Ok(chunk)) => {
                    drained += chunk.len() as u64;
                    if drained > DRAIN_CAP {
                        return;
                    }
                }
                Some(Err(_)) => return,
                None => break,
            }
        }
    }
}

fn multipart_error(e: &MultipartError) -> Problem {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            "send the file as multipart/form-data",
        ),
        other => Problem::bad_request(
            codes::INVALID_REQUEST,
            format!("malformed multipart body: {other}"),
        ),
    }
}

fn too_large(max: u64) -> Problem {
    Problem::too_large(codes::PAYLOAD_TOO_LARGE, format!("an attachment has at most {max} bytes"))
}

fn too_many() -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        codes::TOO_MANY_ATTACHMENTS,
        format!("an entry has at most {MAX_ATTACHMENTS} attachments"),
    )
}

/// The bytes of an attachment, streamed from the store; always as a download, so an uploaded
/// HTML file is never rendered in the app's origin.
#[get("/api/entries/{id}/attachments/{attachment_id}/content")]
pub async fn get_attachment_content(
    ctx: Ctx,
    user: User,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let (entry_id, attachment_id) = path.into_inner();
    let (entry, _) = visible_entry(&ctx, user.id.as_str(), &entry_id).await?;
    let attachment_id = parse_id(&attachment_id, "attachment")?;
    let attachment = ctx
        .db
        .run(move |conn| Ok(queries::find_attachment(conn, &entry.id, &attachment_id)?))
        .await?
        .ok_or_else(|| Problem::not_found("attachment"))?;
    let object = match ctx.store.get(&Path::from(attachment.object_key.as_str())).await {
        Ok(object) => object,
        Err(StoreError::NotFound { .. }) => {
            tracing::error!(attachment = %attachment.id, "attachment bytes missing from the store");
            return Err(Problem::not_found("attachment"));
        }
        Err(e) => return Err(e.into()),
    };
    let size = object.meta.size;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii_fallback(&attachment.name)),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: attachment.name.clone().into_bytes(),
            }),
        ],
    };
    Ok(HttpResponse::Ok()
        .content_type(attachment.content_type.as_str())
        .insert_header(disposition)
        .insert_header(("x-content-type-options", "nosniff"))
        .body(SizedStream::new(size, object.into_stream())))
}

fn ascii_fallback(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect()
}
