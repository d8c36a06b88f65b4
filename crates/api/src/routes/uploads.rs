//! What every streamed upload's route shares: reading a multipart body, skipping the parts it
//! does not take, and draining what is left of a refused one so the client reads the answer.
//!
//! actix-multipart 0.8 panics when `Multipart` is polled again after it returned `None` or an
//! error: the upload code tracks whether the stream ended before it drains the rest. A refused
//! body is drained (up to 16 MiB) so that the client reads the 413 or 422 instead of a reset.

use actix_multipart::{Field, Multipart};
use actix_web::HttpRequest;
use actix_web::http::header;
use futures_util::StreamExt;
use mesdonnees_core::uploads::DRAIN_CAP;
use mesdonnees_shared::ErrorCode;

use crate::error::ApiError;

/// Multipart parts looked at in one upload (the file, the folder id, what browsers add).
pub(crate) const MAX_PARTS: usize = 8;

/// Longest text field read (a folder id).
const MAX_TEXT_FIELD: usize = 256;

/// The body's length, when the client declares it.
pub(crate) fn declared_length(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

pub(crate) fn too_many_parts() -> ApiError {
    ApiError::unprocessable(
        ErrorCode::TooManyParts,
        format!("an upload has at most {MAX_PARTS} parts"),
    )
}

pub(crate) async fn skip(field: &mut Field, ended: &mut bool) {
    while let Some(chunk) = field.next().await {
        if chunk.is_err() {
            *ended = true;
            return;
        }
    }
}

/// Reads what is left of a refused upload, up to [`DRAIN_CAP`].
pub(crate) async fn drain(multipart: &mut Multipart) {
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

pub(crate) fn multipart_error(e: &actix_multipart::MultipartError) -> ApiError {
    use actix_multipart::MultipartError as E;
    match e {
        E::ContentTypeMissing
        | E::ContentTypeParse
        | E::ContentTypeIncompatible
        | E::BoundaryMissing => ApiError::UnsupportedMediaType,
        other => ApiError::bad_request(
            ErrorCode::InvalidRequest,
            format!("malformed multipart body: {other}"),
        ),
    }
}

/// A short text field, trimmed.
pub(crate) async fn read_text(field: &mut Field, ended: &mut bool) -> Result<String, ApiError> {
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
