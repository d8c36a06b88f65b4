//! `[exports]`: the archives this instance writes, and how long they are kept.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// An archive's xlsx index has a row per entry, and xlsx stops there.
const MAX_ENTRIES: u64 = 1_048_575;

/// The archives this instance writes, and how long they are kept.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportsConfig {
    /// This instance's name in archive manifests and signatures.
    pub instance_name: String,
    /// A ready archive can be downloaded for this long.
    pub expires_after_hours: u64,
    /// Bytes of ready archives one user may keep, the new one included.
    pub user_archive_quota_bytes: u64,
    /// Most entries (files and folders) one archive may hold (at most 1048575).
    pub max_entries: u64,
    /// Lifetime of a signed download link, in seconds (10 to 3600).
    pub link_ttl_secs: u64,
    /// How often a running export writes its progress, in milliseconds.
    pub progress_interval_ms: u64,
    /// How often expired archives and stuck exports are cleaned up.
    pub cleanup_interval_secs: u64,
    /// PKCS#8 PEM Ed25519 key signing archives and download links; when absent, one is
    /// generated at first use and kept in the database, shared by every process.
    pub signing_key_pem: Option<String>,
    /// An export asked again with the same settings while the first is in progress, or this
    /// many seconds after it became ready, is that one (0: never reused; at most 86400).
    #[serde(default = "default_reuse_window")]
    pub reuse_window_secs: u64,
}

fn default_reuse_window() -> u64 {
    300
}

impl Default for ExportsConfig {
    fn default() -> Self {
        Self {
            instance_name: "mesdonnees".to_owned(),
            expires_after_hours: 24 * 7,
            user_archive_quota_bytes: 20 * 1024 * 1024 * 1024,
            max_entries: 200_000,
            link_ttl_secs: 300,
            progress_interval_ms: 500,
            cleanup_interval_secs: 300,
            signing_key_pem: None,
            reuse_window_secs: default_reuse_window(),
        }
    }
}

impl Section for ExportsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.instance_name.is_empty() || self.expires_after_hours == 0 || self.max_entries == 0 {
            return ConfigError::invalid(
                "exports.instance_name, expires_after_hours and max_entries must be set",
            );
        }
        if self.max_entries > MAX_ENTRIES {
            return ConfigError::invalid("exports.max_entries is at most 1048575");
        }
        if self.reuse_window_secs > 24 * 3600 {
            return ConfigError::invalid("exports.reuse_window_secs is at most 86400");
        }
        if !(10..=3600).contains(&self.link_ttl_secs) {
            return ConfigError::invalid("exports.link_ttl_secs must be between 10 and 3600");
        }
        if self.progress_interval_ms == 0 || self.cleanup_interval_secs == 0 {
            return ConfigError::invalid(
                "exports.progress_interval_ms and cleanup_interval_secs must be positive",
            );
        }
        Ok(())
    }
}
