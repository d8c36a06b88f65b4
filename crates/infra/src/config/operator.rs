//! `[operator]`: what operators run from the command line: how long `export` and `import`
//! wait for a job, and the bounds of a `transfer` from another instance.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// `[operator]`: limits of the `export`, `import` and `transfer` subcommands.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorConfig {
    /// Longest wait, in seconds, for one export or import to end (a job is followed, not
    /// watched for ever).
    pub wait_timeout_secs: u64,
    /// Most users one `transfer` moves at once, whatever `--concurrency` asks.
    pub transfer_max_concurrency: usize,
    /// Most users one users file may list.
    pub transfer_max_users: usize,
    /// Longest wait, in seconds, for the source instance to begin answering a request (a
    /// download then streams for as long as it keeps sending).
    pub transfer_request_timeout_secs: u64,
    /// Longest silence, in seconds, within a download from the source.
    pub transfer_idle_timeout_secs: u64,
}

impl Default for OperatorConfig {
    fn default() -> Self {
        Self {
            wait_timeout_secs: 6 * 3600,
            transfer_max_concurrency: 8,
            transfer_max_users: 100_000,
            transfer_request_timeout_secs: 60,
            transfer_idle_timeout_secs: 120,
        }
    }
}

impl Section for OperatorConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.wait_timeout_secs == 0
            || self.transfer_max_concurrency == 0
            || self.transfer_max_users == 0
            || self.transfer_request_timeout_secs == 0
            || self.transfer_idle_timeout_secs == 0
        {
            return ConfigError::invalid(
                "operator.wait_timeout_secs, transfer_max_concurrency, transfer_max_users, \
                 transfer_request_timeout_secs and transfer_idle_timeout_secs must be positive",
            );
        }
        if self.transfer_max_concurrency > 64 {
            return ConfigError::invalid("operator.transfer_max_concurrency is at most 64");
        }
        Ok(())
    }
}
