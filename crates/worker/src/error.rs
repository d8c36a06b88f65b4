//! How a job handler fails: worth another attempt, not worth one, or stopped by a shutdown.
//! A database error is transient (the next attempt may find it back); a stored JSON column that
//! does not decode is permanent (no attempt reads it better), and names the row, not its content.
//! A full disk (the store's, the scratch folder's, the database's) is permanent with its code,
//! `insufficient_storage`: the export or import ends `failed` saying so, rather than retrying
//! into the same wall and failing with a vaguer code.

use mesdonnees_db::{CorruptColumn, DbError};
use mesdonnees_infra::storage::is_storage_full;
use mesdonnees_shared::ErrorCode;

/// A failure of a job handler. `Permanent` and `Corrupt` failures are not retried.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
    /// A stored JSON column of the job's row does not decode.
    #[error("{0}")]
    Corrupt(#[from] CorruptColumn),
    /// Stopped because the worker is shutting down; nothing is wrong with the job.
    #[error("interrupted by a shutdown")]
    Interrupted,
    /// Not worth another attempt, with the code the export or import ends `failed` with.
    #[error("{message}")]
    Coded { code: ErrorCode, message: String },
}

impl JobError {
    /// Whether another attempt would fail the same way.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Permanent(_) | Self::Corrupt(_) | Self::Coded { .. })
    }

    /// The code the export or import ends with, when the failure has its own.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Coded { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A failure to write `what` (the archive, a table, a file): `insufficient_storage` when the
    /// disk is full, transient otherwise.
    pub fn storage(what: &str, error: &(dyn std::error::Error + 'static)) -> Self {
        let message = format!("{what}: {error}");
        if is_storage_full(error) {
            Self::Coded { code: ErrorCode::InsufficientStorage, message }
        } else {
            Self::Transient(message)
        }
    }
}

impl From<DbError> for JobError {
    fn from(error: DbError) -> Self {
        Self::storage("database", &error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_error_is_transient_and_says_so() {
        let error = JobError::from(DbError::Cancelled);
        assert!(!error.is_permanent());
        assert_eq!(error.to_string(), "database: the blocking database task was cancelled");
    }

    #[test]
    fn a_full_disk_is_permanent_with_its_code() {
        let full = std::io::Error::from_raw_os_error(28);
        let error = JobError::storage("archive", &full);
        assert!(error.is_permanent());
        assert_eq!(error.code(), Some(ErrorCode::InsufficientStorage));
        let error = JobError::from(DbError::Migration("database or disk is full".into()));
        assert_eq!(error.code(), Some(ErrorCode::InsufficientStorage));
        let other = JobError::storage("archive", &std::io::Error::other("reset"));
        assert!(!other.is_permanent());
        assert_eq!(other.to_string(), "archive: reset");
    }

    #[test]
    fn a_corrupt_column_is_permanent_and_names_the_row() {
        let source = serde_json::from_str::<u8>("x").unwrap_err();
        let column = CorruptColumn { table: "exports", column: "options", id: "e1".into(), source };
        let error = JobError::from(column);
        assert!(error.is_permanent());
        assert_eq!(error.to_string(), "exports.options of row e1 is not valid JSON of its type");
    }
}
