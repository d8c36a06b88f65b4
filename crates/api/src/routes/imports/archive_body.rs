//! The archive a request carries, read by its type: the first `file` part of a multipart form
//! (what a browser's drag-and-drop sends) or a raw zip body named by its `Content-Disposition`.
//! The use case stores it; this only finds it and its name.

use std::cell::Cell;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;
use mesdonnees_core::imports::{DEFAULT_NAME, Received, Upload};
use mesdonnees_shared::{DocumentName, ErrorCode};

use crate::error::ApiError;
use crate::form_data;
use crate::routes::uploads::{MAX_PARTS, drain, multipart_error, skip, too_many_parts};

/// Hands the archive of a request, by its type, to `upload`.
pub(crate) async fn store(
    req: &HttpRequest,
    payload: web::Payload,
    upload: Upload<'_>,
) -> Result<Received, ApiError> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .map(|m| m.essence_str().to_owned())
        .unwrap_or_default();
    match essence.as_str() {
        "multipart/form-data" => from_multipart(req, payload, upload).await,
        "application/zip" | "application/x-zip-compressed" | "application/octet-stream" => {
            let body = payload.map(|chunk| {
                chunk.map_err(|e| {
                    ApiError::bad_request(ErrorCode::InvalidRequest, format!("body: {e}"))
                })
            });
            upload.store(raw_body_name(req), body).await
        }
        _ => Err(ApiError::UnsupportedContent {
            code: ErrorCode::UnsupportedMediaType,
            detail: "send the archive as multipart/form-data (`file`) or as application/zip"
                .to_owned(),
        }),
    }
}

/// The first `file` part of a multipart body; other parts are skipped.
async fn from_multipart(
    req: &HttpRequest,
    payload: web::Payload,
    upload: Upload<'_>,
) -> Result<Received, ApiError> {
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
            break Err(too_many_parts());
        }
        if field.name() != Some("file") {
            skip(&mut field, &mut ended).await;
            continue;
        }
        let name = form_data::file_name(field.headers()).map(|raw| upload_name(&raw));
        let failed = Cell::new(false);
        let body = (&mut field).map(|chunk| {
            chunk.map_err(|e| {
                failed.set(true);
                multipart_error(&e)
            })
        });
        let stored = upload.store(name.unwrap_or_else(|| DEFAULT_NAME.to_owned()), body).await;
        ended |= failed.get();
        break stored;
    };
    if outcome.is_err() && !ended {
        // Polling a multipart stream after its end or error panics.
        drain(&mut multipart).await;
    }
    outcome
}

/// The archive's name from a raw body's `Content-Disposition`, if it gives one.
fn raw_body_name(req: &HttpRequest) -> String {
    form_data::file_name(req.headers())
        .map_or_else(|| DEFAULT_NAME.to_owned(), |raw| upload_name(&raw))
}

/// A file name as a browser sends it, decoded; the default name when it is not a valid one.
fn upload_name(raw: &str) -> String {
    DocumentName::from_upload(raw)
        .map_or_else(|_| DEFAULT_NAME.to_owned(), DocumentName::into_string)
}
