//! `[exports]`: the archives this instance writes, and how long they are kept.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// Most previous keys published.
const MAX_PREVIOUS_KEYS: usize = 16;

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
    /// Public keys this instance signed archives with before its current key, published with
    /// it at `/.well-known/mesdonnees/keys` so that its older archives still verify (at most
    /// 16).
    #[serde(default)]
    pub previous_keys: Vec<PreviousKey>,
    /// An export asked again with the same settings while the first is in progress, or this
    /// many seconds after it became ready, is that one (0: never reused; at most 86400).
    #[serde(default = "default_reuse_window")]
    pub reuse_window_secs: u64,
    /// How often a worker looks for recurring exports that are due, in seconds (1 to 3600).
    #[serde(default = "default_schedule_check")]
    pub schedule_check_secs: u64,
    /// Smallest part size an export in parts may ask for, in bytes (at least 1 MiB).
    #[serde(default = "default_min_part_size")]
    pub min_part_size_bytes: u64,
    /// Largest part size an export in parts may ask for, in bytes (at most 50 GiB).
    #[serde(default = "default_max_part_size")]
    pub max_part_size_bytes: u64,
}

/// A public key this instance no longer signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviousKey {
    /// Its raw Ed25519 public key in base64 (32 bytes).
    pub public_key: String,
    /// When it began signing, RFC 3339 (a quoted string), when known.
    #[serde(default)]
    pub valid_from: Option<DateTime<Utc>>,
    /// When it stopped signing, RFC 3339 (a quoted string).
    pub valid_until: DateTime<Utc>,
}

impl PreviousKey {
    /// The 32 bytes of the key; `None` when the configured text is not one (refused at start).
    pub fn key_bytes(&self) -> Option<[u8; 32]> {
        STANDARD.decode(self.public_key.trim()).ok()?.try_into().ok()
    }
}

fn default_reuse_window() -> u64 {
    300
}

fn default_schedule_check() -> u64 {
    60
}

/// Parts below a gigabyte would make thousands of files of a large account.
fn default_min_part_size() -> u64 {
    GIB
}

fn default_max_part_size() -> u64 {
    MAX_PART_SIZE
}

const GIB: u64 = 1024 * 1024 * 1024;
/// What peer services offer at most, and more than a FAT32 key holds anyway.
const MAX_PART_SIZE: u64 = 50 * GIB;
/// Below this a part would hold little but its own manifest and pages.
const MIN_PART_SIZE: u64 = 1024 * 1024;

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
            previous_keys: Vec::new(),
            reuse_window_secs: default_reuse_window(),
            schedule_check_secs: default_schedule_check(),
            min_part_size_bytes: default_min_part_size(),
            max_part_size_bytes: default_max_part_size(),
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
        if self.min_part_size_bytes < MIN_PART_SIZE
            || self.max_part_size_bytes > MAX_PART_SIZE
            || self.min_part_size_bytes > self.max_part_size_bytes
        {
            return ConfigError::invalid(
                "exports.min_part_size_bytes is at least 1048576, max_part_size_bytes at most \
                 53687091200, and the first is at most the second",
            );
        }
        if !(1..=3600).contains(&self.schedule_check_secs) {
            return ConfigError::invalid("exports.schedule_check_secs must be between 1 and 3600");
        }
        if self.previous_keys.len() > MAX_PREVIOUS_KEYS {
            return ConfigError::invalid("exports.previous_keys holds at most 16 keys");
        }
        for key in &self.previous_keys {
            if key.key_bytes().is_none() {
                return ConfigError::invalid(format!(
                    "exports.previous_keys: {:?} is not a base64 Ed25519 public key (32 bytes)",
                    key.public_key
                ));
            }
            if key.valid_from.is_some_and(|from| from >= key.valid_until) {
                return ConfigError::invalid(
                    "exports.previous_keys: a key's valid_from comes before its valid_until",
                );
            }
        }
        Ok(())
    }
}
