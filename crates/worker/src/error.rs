//! How a job handler fails: worth another attempt, not worth one, or stopped by a shutdown.
//! A database error is transient (the next attempt may find it back); a stored JSON column that
//! does not decode is permanent (no attempt reads it better), and names the row, not its content.

use mesdonnees_db::{CorruptColumn, DbError};

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
}

impl JobError {
    /// Whether another attempt would fail the same way.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Permanent(_) | Self::Corrupt(_))
    }
}

impl From<DbError> for JobError {
    fn from(error: DbError) -> Self {
        Self::Transient(format!("database: {error}"))
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
    fn a_corrupt_column_is_permanent_and_names_the_row() {
        let source = serde_json::from_str::<u8>("x").unwrap_err();
        let column = CorruptColumn { table: "exports", column: "options", id: "e1".into(), source };
        let error = JobError::from(column);
        assert!(error.is_permanent());
        assert_eq!(error.to_string(), "exports.options of row e1 is not valid JSON of its type");
    }
}
