//! `[database]`: where the source of truth lives.

use serde::{Deserialize, Serialize};

use super::Section;

/// The database, Postgres or SQLite: the source of truth.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `postgres://…` or `sqlite://PATH`; empty means `sqlite://<data_dir>/mesdonnees.db`.
    pub url: String,
    /// Connections the pool keeps open at most. On Postgres, each HTTP worker opens one more
    /// for the lookups of exports and imports by progress polls.
    pub pool_size: u32,
    /// Longest wait, in seconds, for a free connection.
    pub acquire_timeout_secs: u64,
    /// Apply pending migrations when `serve` or `api` start.
    pub run_migrations: bool,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self { url: String::new(), pool_size: 10, acquire_timeout_secs: 10, run_migrations: true }
    }
}

/// The pool refuses what it cannot open when it starts.
impl Section for DatabaseConfig {}
