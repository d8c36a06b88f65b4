use actix_web::http::header::{
    self, ByteRangeSpec, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    Header, Range,
};
use actix_web::{HttpRequest, HttpResponse, get, web};
use futures_util::TryStreamExt;
use mesdonnees_db::documents;
use object_store::path::Path;
use object_store::{GetOptions, GetRange};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::{Ctx, parse_document_id};
use mesdonnees_shared::ErrorCode;

/// The content of a file, streamed from the object store. Honours a single byte `Range`
/// (206, or 416 when unsatisfiable) and `If-Range`; several ranges are answered with the whole
/// file, as RFC 9110 allows.
#[utoipa::path(
    tag = "documents",
    params(
        ("id" = String, Path, description = "document id"),
        ("Range" = Option<String>, Header, description = "bytes=START-END"),
    ),
    responses(
        (status = 200, description = "the whole file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "the requested range", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 416, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "a folder has no content", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/documents/{id}/content")]
pub async fn get_document_content(
    ctx: Ctx,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_document_id(&id)?.to_string();
    let user_id = user.id.to_string();
    let doc = ctx
        .db
        .run(move |conn| documents::find_visible(conn, &user_id, &id))
        .await?
        .ok_or(ApiError::NotFound("document"))?;
    let Some(key) = doc.object_key.clone().filter(|_| !doc.is_folder()) else {
        return Err(ApiError::unprocessable(ErrorCode::NotAFile, "a folder has no content"));
    };
    let size = u64::try_from(doc.size).unwrap_or(0);
    let etag = format!("\"{}\"", doc.sha256.as_deref().unwrap_or(&doc.id));
    let range = requested_range(&req, &etag, size)?;

    let mut options = GetOptions::default();
    if let Some((start, end)) = range {
        options.range = Some(GetRange::Bounded(start..end + 1));
    }
    let result = ctx.storage.store.get_opts(&Path::from(key), options).await?;
    let stream = result.into_stream().map_err(actix_web::error::ErrorInternalServerError);

    let mut builder = match range {
        Some(_) => HttpResponse::PartialContent(),
        None => HttpResponse::Ok(),
    };
    builder
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, etag))
        .insert_header((
            header::CONTENT_TYPE,
            doc.content_type.as_deref().unwrap_or("application/octet-stream"),
        ))
        .insert_header(content_disposition(&doc.name));
    let length = match range {
        Some((start, end)) => {
            builder.insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}")));
            end - start + 1
        }
        None => size,
    };
    builder.no_chunking(length);
    Ok(builder.streaming(stream))
}

/// The single satisfiable range asked for, `None` for the whole file.
fn requested_range(
    req: &HttpRequest,
    etag: &str,
    size: u64,
) -> Result<Option<(u64, u64)>, ApiError> {
    if !req.headers().contains_key(header::RANGE) {
        return Ok(None);
    }
    // A range on a changed file would splice two versions: If-Range falls back to the whole.
    if let Some(if_range) = req.headers().get(header::IF_RANGE)
        && if_range.as_bytes() != etag.as_bytes()
    {
        return Ok(None);
    }
    let Ok(Range::Bytes(specs)) = Range::parse(req) else {
        // An unreadable Range header is ignored, as RFC 9110 §14.2 asks.
        return Ok(None);
    };
    match specs.as_slice() {
        [spec] => spec_range(spec, size).map(Some),
        _ => Ok(None),
    }
}

fn spec_range(spec: &ByteRangeSpec, size: u64) -> Result<(u64, u64), ApiError> {
    spec.to_satisfiable_range(size).ok_or(ApiError::RangeNotSatisfiable { size })
}

fn content_disposition(name: &str) -> ContentDisposition {
    // The ASCII fallback keeps old clients working; filename* carries the real UTF-8 name.
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: header::Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    }
}
