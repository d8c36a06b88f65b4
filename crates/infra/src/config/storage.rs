//! `[storage]`: where documents and archives are kept.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// Where documents, archives and uploads are kept: a local folder or an S3 bucket.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// `file://PATH` or `s3://BUCKET[/PREFIX]`; empty means `file://<data_dir>/objects`.
    pub url: String,
    /// The S3 endpoint (e.g. `http://minio:9000`); AWS when absent.
    pub s3_endpoint: Option<String>,
    /// The S3 region.
    pub s3_region: String,
    /// S3 access key id, with `s3_secret_access_key`.
    pub s3_access_key_id: Option<String>,
    /// S3 secret access key, with `s3_access_key_id`.
    pub s3_secret_access_key: Option<String>,
    /// Needed for a plain-HTTP endpoint such as a local MinIO.
    pub s3_allow_http: bool,
    /// Path-style addressing (`endpoint/bucket/key`), what MinIO expects.
    pub s3_path_style: bool,
    /// Export download links point at the store itself (presigned URLs), so that archives do
    /// not pass through the API; only when clients can reach `s3_endpoint`.
    pub s3_presigned_links: bool,
    /// A local store's staging file (`<key>#<n>`, an object being written) untouched for this
    /// many seconds was left by a killed process and is removed by the periodic cleanup. A
    /// live write touches its file at least once per 8 MiB received, so this must exceed the
    /// time the slowest accepted upload takes to send 8 MiB.
    pub abandoned_staging_after_secs: u64,
    /// Largest object an S3 store copies in one request (S3's `CopyObject` takes at most
    /// 5 GiB); a larger one, such as an export delivered into the documents space, is streamed
    /// into a multipart upload instead.
    #[serde(default = "default_single_copy_max")]
    pub s3_single_copy_max_bytes: u64,
}

/// S3's own limit on `CopyObject`.
const S3_SINGLE_COPY_MAX: u64 = 5 * 1024 * 1024 * 1024;

fn default_single_copy_max() -> u64 {
    S3_SINGLE_COPY_MAX
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            s3_endpoint: None,
            s3_region: "us-east-1".to_owned(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_allow_http: false,
            s3_path_style: true,
            s3_presigned_links: true,
            abandoned_staging_after_secs: 6 * 3600,
            s3_single_copy_max_bytes: default_single_copy_max(),
        }
    }
}

/// The store refuses a URL it cannot open when it is built.
impl Section for StorageConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.abandoned_staging_after_secs == 0 {
            return ConfigError::invalid("storage.abandoned_staging_after_secs must be at least 1");
        }
        if !(1..=S3_SINGLE_COPY_MAX).contains(&self.s3_single_copy_max_bytes) {
            return ConfigError::invalid(
                "storage.s3_single_copy_max_bytes must be between 1 and 5368709120",
            );
        }
        Ok(())
    }
}
