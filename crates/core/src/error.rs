//! What a use case answers when it does not do what was asked. The variants name the kind of
//! refusal in the domain's words; the API maps each to its HTTP status and the operator commands
//! to their exit codes. The code a client switches on travels with each refusal.

use mesdonnees_infra::storage::is_storage_full;
use mesdonnees_shared::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Unknown, foreign or invisible resource: never say which.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The request cannot be read (a malformed value).
    #[error("{detail}")]
    Malformed { code: ErrorCode, detail: String },
    /// The request is understood but not acceptable.
    #[error("{detail}")]
    Invalid { code: ErrorCode, detail: String },
    /// More than a limit allows.
    #[error("{detail}")]
    TooLarge { code: ErrorCode, detail: String },
    /// The resource is not in a state that allows it (running, already done, a name taken).
    #[error("{detail}")]
    Conflict { code: ErrorCode, detail: String },
    /// The actor may not do this.
    #[error("{detail}")]
    Forbidden { code: ErrorCode, detail: String },
    /// The resource existed and is no longer there (an expired export).
    #[error("{detail}")]
    Gone { code: ErrorCode, detail: String },
    /// Content of a kind this use case does not take.
    #[error("{detail}")]
    Unsupported { code: ErrorCode, detail: String },
    /// Too many exports and imports created lately; `retry_after` is in seconds.
    #[error(
        "too many exports and imports created in the last minute; try again in {retry_after} s"
    )]
    RateLimited { retry_after: u64 },
    /// A dependency does not answer (the database, the store, an app).
    #[error("{0} unavailable")]
    Unavailable(String),
    /// The disk of the store or of the database is full; whatever was half written is gone.
    #[error("the service's storage is full")]
    StorageFull,
    /// Anything unexpected: logged with its cause by whoever answers, never shown.
    #[error("internal error")]
    Unexpected(#[source] anyhow::Error),
}

impl Error {
    pub fn invalid(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Invalid { code, detail: detail.into() }
    }

    pub fn malformed(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Malformed { code, detail: detail.into() }
    }

    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into() }
    }

    pub fn unexpected(error: impl Into<anyhow::Error>) -> Self {
        Self::Unexpected(error.into())
    }

    /// A failure of the store or of the database: [`Error::StorageFull`] when it says the disk
    /// is full, unexpected otherwise.
    pub fn storage(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        if is_storage_full(&error) { Self::StorageFull } else { Self::Unexpected(error.into()) }
    }

    /// The stable code a client or an operator meets.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Malformed { code, .. }
            | Self::Invalid { code, .. }
            | Self::TooLarge { code, .. }
            | Self::Conflict { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Gone { code, .. }
            | Self::Unsupported { code, .. } => *code,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::StorageFull => ErrorCode::InsufficientStorage,
            Self::Unexpected(_) => ErrorCode::Internal,
        }
    }
}

impl From<mesdonnees_db::DbError> for Error {
    fn from(e: mesdonnees_db::DbError) -> Self {
        Self::storage(e)
    }
}

impl From<object_store::Error> for Error {
    fn from(e: object_store::Error) -> Self {
        Self::storage(e)
    }
}

impl From<mesdonnees_db::CorruptColumn> for Error {
    fn from(e: mesdonnees_db::CorruptColumn) -> Self {
        tracing::error!(table = e.table, column = e.column, id = %e.id, error = %e.source, "corrupt stored JSON");
        Self::Unexpected(e.into())
    }
}
