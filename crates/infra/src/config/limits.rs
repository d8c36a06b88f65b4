//! `[limits]`: what one user or one request may take.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// What one user or one request may take.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Total bytes of documents one user may own.
    pub user_quota_bytes: u64,
    /// Largest JSON request body, in bytes.
    pub max_json_bytes: usize,
    /// Default page size of listings (the maximum is 200).
    pub default_page_size: i64,
    /// Longest token lifetime `mesdonnees token` will mint, in seconds.
    pub max_token_ttl_secs: u64,
    /// Exports and imports, counted together, one user may create in any 60 seconds.
    pub creations_per_minute: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            user_quota_bytes: 10 * 1024 * 1024 * 1024,
            max_json_bytes: 64 * 1024,
            default_page_size: 50,
            max_token_ttl_secs: 30 * 24 * 3600,
            creations_per_minute: 10,
        }
    }
}

impl Section for LimitsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.creations_per_minute == 0 {
            return ConfigError::invalid("limits.creations_per_minute must be at least 1");
        }
        if self.user_quota_bytes == 0 {
            return ConfigError::invalid("limits.user_quota_bytes must be positive");
        }
        if !(1..=mesdonnees_db::MAX_PAGE_SIZE).contains(&self.default_page_size) {
            return ConfigError::invalid("limits.default_page_size must be between 1 and 200");
        }
        Ok(())
    }
}
