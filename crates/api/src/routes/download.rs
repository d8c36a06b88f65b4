//! Streaming a stored object to a client: `Content-Length`, `ETag`, `Accept-Ranges`, a single
//! byte range (206, or 416 when unsatisfiable), `If-Range`, and a UTF-8 file name. Asked with
//! `HEAD`, the same headers, and the object is looked up but never opened for reading.

use actix_web::http::header::{
    self, ByteRangeSpec, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    Header, Range,
};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStoreExt};

use crate::edge;
use crate::error::ApiError;
use crate::routes::Ctx;

pub(crate) struct Download<'a> {
    pub key: &'a str,
    pub size: u64,
    /// A strong validator: the content's SHA-256.
    pub etag: String,
    pub file_name: &'a str,
    pub content_type: &'a str,
}

pub(crate) async fn respond(
    ctx: &Ctx,
    req: &HttpRequest,
    download: Download<'_>,
) -> Result<HttpResponse, ApiError> {
    let size = download.size;
    let etag = format!("\"{}\"", download.etag);
    let range = requested_range(req, &etag, size)?;
    let mut options = GetOptions::default();
    if let Some((start, end)) = range {
        options.range = Some(GetRange::Bounded(start..end + 1));
    }
    let path = Path::from(download.key);
    let stream = if edge::is_head(req) {
        // Missing, it fails as the GET would; there, nothing is read.
        ctx.storage.store.head(&path).await?;
        futures_util::stream::empty().left_stream()
    } else {
        let result = ctx.storage.store.get_opts(&path, options).await?;
        result.into_stream().map_err(actix_web::error::ErrorInternalServerError).right_stream()
    };
    let mut builder = match range {
        Some(_) => HttpResponse::PartialContent(),
        None => HttpResponse::Ok(),
    };
    builder
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CONTENT_TYPE, download.content_type))
        .insert_header(content_disposition(download.file_name));
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

/// The single satisfiable range asked for, `None` for the whole content. Several ranges are
/// answered with the whole content, as RFC 9110 allows.
fn requested_range(
    req: &HttpRequest,
    etag: &str,
    size: u64,
) -> Result<Option<(u64, u64)>, ApiError> {
    if !req.headers().contains_key(header::RANGE) {
        return Ok(None);
    }
    // A range of a changed content would splice two versions: If-Range falls back to the whole.
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

pub(crate) fn content_disposition(name: &str) -> ContentDisposition {
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
