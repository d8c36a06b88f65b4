//! The use cases' refusals as HTTP answers: one variant for one variant, so a status, a code
//! and a detail are what they were when the rule lived in the route.

use mesdonnees_core::Error;

use super::ApiError;

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound(what) => Self::NotFound(what),
            Error::Malformed { code, detail } => Self::BadRequest { code, detail },
            Error::Invalid { code, detail } => Self::Unprocessable { code, detail },
            Error::TooLarge { code, detail } => Self::PayloadTooLarge { code, detail },
            Error::Conflict { code, detail } => Self::Conflict { code, detail },
            Error::Forbidden { code, detail } => Self::Forbidden { code, detail },
            Error::Gone { code, detail } => Self::Gone { code, detail },
            Error::Unsupported { code, detail } => Self::UnsupportedContent { code, detail },
            Error::RateLimited { retry_after } => Self::RateLimited { retry_after },
            Error::Unavailable(what) => Self::Unavailable(what),
            Error::StorageFull => Self::InsufficientStorage,
            Error::Unexpected(cause) => Self::Internal(cause),
        }
    }
}
