//! Errors as RFC 9457 `application/problem+json`, each with a stable `code` member that
//! clients switch on.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use problem_details::ProblemDetails;
use serde::Serialize;

use crate::db::DbError;

/// Stable codes: never renamed or reused.
pub mod codes {
    pub const UNAUTHENTICATED: &str = "unauthenticated";
    pub const FORBIDDEN: &str = "forbidden";
    pub const NOT_FOUND: &str = "not_found";
    pub const INVALID_REQUEST: &str = "invalid_request";
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const MISSING_FILE: &str = "missing_file";
    pub const TOO_MANY_ATTACHMENTS: &str = "too_many_attachments";
    pub const UNSUPPORTED_VERSION: &str = "unsupported_version";
    pub const TRUNCATED_STREAM: &str = "truncated_stream";
    pub const INVALID_STREAM: &str = "invalid_stream";
    pub const LINE_TOO_LONG: &str = "line_too_long";
    pub const BUSY: &str = "busy";
    pub const INTERNAL: &str = "internal";
    // Per-entry codes of an import report.
    pub const INVALID_PATH: &str = "invalid_path";
    pub const INVALID_ENTRY: &str = "invalid_entry";
    pub const DUPLICATE_ENTRY: &str = "duplicate_entry";
    pub const CHECKSUM_MISMATCH: &str = "checksum_mismatch";
    pub const OBJECT_MISSING: &str = "object_missing";
    pub const ORPHAN_ATTACHMENT: &str = "orphan_attachment";
    /// A resource of an entcore archive this app cannot read.
    pub const UNREADABLE_ORIGIN: &str = "unreadable_origin";
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
}

#[derive(Debug, Serialize)]
struct Extensions {
    code: &'static str,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into() }
    }

    pub fn unauthenticated(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, codes::UNAUTHENTICATED, detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, format!("no such {what}"))
    }

    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, codes::INVALID_REQUEST, detail)
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn too_large(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, code, detail)
    }

    /// A failure of this service: logged here with its cause, told to the client without it.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %error_chain(cause), "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, "internal error")
    }
}

/// The error and its sources, for one log field.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<DbError> for Problem {
    fn from(e: DbError) -> Self {
        if e.is_busy() {
            return Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::BUSY,
                "the database is busy, try again",
            );
        }
        Self::internal(&e)
    }
}

impl From<diesel::result::Error> for Problem {
    fn from(e: diesel::result::Error) -> Self {
        DbError::from(e).into()
    }
}

impl From<object_store::Error> for Problem {
    fn from(e: object_store::Error) -> Self {
        Self::internal(&e)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let status = http::StatusCode::from_u16(self.status.as_u16())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let problem = ProblemDetails::new()
            .with_status(status)
            .with_title(self.status.canonical_reason().unwrap_or("Error"))
            .with_detail(self.detail.clone())
            .with_extensions(Extensions { code: self.code });
        let mut response = problem.error_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
