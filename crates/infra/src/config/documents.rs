//! `[documents]`: the user's own documents, uploaded one by one (an archive is `[imports]`).

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// Documents a user uploads one by one (an archive to import is `[imports]`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentsConfig {
    /// Largest single document upload, in bytes.
    pub max_upload_bytes: u64,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        Self { max_upload_bytes: 1024 * 1024 * 1024 }
    }
}

impl Section for DocumentsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.max_upload_bytes == 0 {
            return ConfigError::invalid("documents.max_upload_bytes must be positive");
        }
        Ok(())
    }
}
