//! How an operator command ends: its exit codes, and the service's refusals mapped to them.

use mesdonnees_shared::ErrorCode;

/// How an operator command ends, as its exit status (documented in `--help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Done = 0,
    Failed = 1,
    Usage = 2,
    Partial = 3,
    NothingImportable = 4,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Why an operator command stopped.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// The arguments or the configuration: exit 2.
    #[error("{0}")]
    Usage(String),
    /// The service refused, with its stable code.
    #[error("{code}: {message}")]
    Refused { code: String, message: String },
    #[error("{0}")]
    Failed(String),
}

impl OpError {
    pub fn exit(&self) -> Exit {
        match self {
            Self::Usage(_) => Exit::Usage,
            Self::Refused { .. } | Self::Failed(_) => Exit::Failed,
        }
    }
}

impl OpError {
    /// The service's answer: what an operator typed wrong is a usage error, the rest a refusal.
    fn answered(code: ErrorCode, message: String) -> Self {
        let usage = matches!(
            code,
            ErrorCode::UnknownApp
                | ErrorCode::InvalidName
                | ErrorCode::InvalidRequest
                | ErrorCode::InvalidFilter
                | ErrorCode::InvalidId
        );
        if usage {
            Self::Usage(format!("{}: {message}", code.as_str()))
        } else {
            Self::Refused { code: code.as_str().to_owned(), message }
        }
    }
}

impl From<mesdonnees_core::Error> for OpError {
    fn from(e: mesdonnees_core::Error) -> Self {
        let message = match &e {
            mesdonnees_core::Error::Unexpected(cause) => format!("internal error: {cause:#}"),
            other => other.to_string(),
        };
        Self::answered(e.code(), message)
    }
}

impl From<mesdonnees_db::DbError> for OpError {
    fn from(e: mesdonnees_db::DbError) -> Self {
        Self::Failed(format!("database: {e}"))
    }
}
