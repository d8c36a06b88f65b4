//! The one error type of the API and its one mapping to HTTP.
//!
//! The `Display` of a variant is for developers: logged, and appended to an English answer after
//! the code's words. A French answer holds the code's words only, since these facts are English.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use mesdonnees_shared::error_code::unreadable_json;
use mesdonnees_shared::{ErrorCode, Lang};

use crate::problem;

mod from_core;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No usable bearer token; `detail` says why without echoing the token.
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("the token has expired")]
    TokenExpired,
    /// Unknown, foreign or invisible resource: never say which.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The request is well formed but not acceptable.
    #[error("{detail}")]
    Unprocessable { code: ErrorCode, detail: String },
    /// The request cannot be parsed.
    #[error("{detail}")]
    BadRequest { code: ErrorCode, detail: String },
    /// A JSON body that stops being JSON at `line`, `column` (from 1); `facts` are the parser's.
    #[error("{facts}")]
    UnreadableJson { line: usize, column: usize, cut_short: bool, facts: String },
    #[error("{detail}")]
    PayloadTooLarge { code: ErrorCode, detail: String },
    #[error("{detail}")]
    Conflict { code: ErrorCode, detail: String },
    #[error("{detail}")]
    Forbidden { code: ErrorCode, detail: String },
    #[error("{detail}")]
    Gone { code: ErrorCode, detail: String },
    #[error("send multipart/form-data with a `file` part")]
    UnsupportedMediaType,
    #[error("send the body as application/json")]
    UnsupportedMediaTypeJson,
    /// A body of a type (or content) this route does not take.
    #[error("{detail}")]
    UnsupportedContent { code: ErrorCode, detail: String },
    #[error("the requested range is not satisfiable")]
    RangeNotSatisfiable { size: u64 },
    /// Too many exports and imports created lately; `retry_after` is in seconds.
    #[error(
        "too many exports and imports created in the last minute; try again in {retry_after} s"
    )]
    RateLimited { retry_after: u64 },
    #[error("{0} unavailable")]
    Unavailable(String),
    /// The disk of the store or of the database is full; nothing of the request was kept.
    #[error("the service's storage is full; try again later")]
    InsufficientStorage,
    /// Anything unexpected: logged with its cause, answered as an opaque 500.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn unprocessable(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Unprocessable { code, detail: detail.into() }
    }

    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::BadRequest { code, detail: detail.into() }
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(error.into())
    }

    /// The problem's detail in `lang`: the code's words, then in English the facts of this
    /// refusal (never those of an internal error, which may hold anything).
    pub fn detail(&self, lang: Lang) -> String {
        match self {
            Self::Internal(_) => self.code().message(lang).to_owned(),
            Self::UnreadableJson { line, column, cut_short, facts } => {
                let words = unreadable_json(lang, *line, *column, *cut_short);
                match lang {
                    Lang::Fr => words,
                    Lang::En => format!("{words} Details: {facts}."),
                }
            }
            facts => problem::worded(self.code(), lang, &facts.to_string()),
        }
    }

    /// The whole problem body in `lang`.
    pub(crate) fn problem_body(&self, lang: Lang) -> Vec<u8> {
        problem::body(self.status_code(), self.code(), self.detail(lang))
    }

    /// The stable code the answer carries.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::TokenExpired => ErrorCode::TokenExpired,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Unprocessable { code, .. }
            | Self::BadRequest { code, .. }
            | Self::PayloadTooLarge { code, .. }
            | Self::Conflict { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Gone { code, .. }
            | Self::UnsupportedContent { code, .. } => *code,
            Self::UnreadableJson { .. } => ErrorCode::InvalidRequest,
            Self::RangeNotSatisfiable { .. } => ErrorCode::RangeNotSatisfiable,
            Self::UnsupportedMediaType | Self::UnsupportedMediaTypeJson => {
                ErrorCode::UnsupportedMediaType
            }
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::InsufficientStorage => ErrorCode::InsufficientStorage,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<mesdonnees_db::DbError> for ApiError {
    fn from(e: mesdonnees_db::DbError) -> Self {
        mesdonnees_core::Error::storage(e).into()
    }
}

impl From<object_store::Error> for ApiError {
    fn from(e: object_store::Error) -> Self {
        mesdonnees_core::Error::storage(e).into()
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthenticated(_) | Self::TokenExpired => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest { .. } | Self::UnreadableJson { .. } => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::Gone { .. } => StatusCode::GONE,
            Self::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::UnsupportedMediaType
            | Self::UnsupportedMediaTypeJson
            | Self::UnsupportedContent { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            other => tracing::debug!(code = %other.code(), reason = %other, "request refused"),
        }
        let status = self.status_code();
        let mut response = problem::with_detail(status, self.code(), self.detail(Lang::default()));
        let headers = response.headers_mut();
        match self {
            Self::Unauthenticated(_) | Self::TokenExpired => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::RangeNotSatisfiable { size } => {
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                    headers.insert(header::CONTENT_RANGE, value);
                }
            }
            Self::RateLimited { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
        response
    }
}
