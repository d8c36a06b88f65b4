//! The object store: a local folder by default, S3 (or any S3-compatible server) by URL.

use std::path::PathBuf;
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::prefix::PrefixStore;

use crate::config::StorageConfig;

/// The store and where it really lives; a local folder can be read with plain file I/O, which is
/// several times faster than the store's 8 KiB local stream.
#[derive(Clone)]
pub struct Storage {
    pub store: Arc<dyn ObjectStore>,
    pub local_root: Option<PathBuf>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("store", &self.store.to_string())
            .field("local_root", &self.local_root)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("unsupported storage URL (expected file://PATH or s3://BUCKET[/PREFIX])")]
    UnsupportedUrl,
    #[error("cannot create the storage folder {0}")]
    Folder(PathBuf, #[source] std::io::Error),
    #[error("cannot configure the object store")]
    Store(#[from] object_store::Error),
}

impl Storage {
    pub fn from_config(config: &StorageConfig) -> Result<Self, StorageError> {
        if let Some(path) = config.url.strip_prefix("file://") {
            let root = PathBuf::from(path);
            std::fs::create_dir_all(&root).map_err(|e| StorageError::Folder(root.clone(), e))?;
            let root = root.canonicalize().map_err(|e| StorageError::Folder(root.clone(), e))?;
            let store = LocalFileSystem::new_with_prefix(&root)?.with_automatic_cleanup(true);
            return Ok(Self { store: Arc::new(store), local_root: Some(root) });
        }
        let Some(rest) = config.url.strip_prefix("s3://") else {
            return Err(StorageError::UnsupportedUrl);
        };
        let (bucket, prefix) = match rest.split_once('/') {
            Some((bucket, prefix)) => (bucket, prefix.trim_matches('/')),
            None => (rest, ""),
        };
        if bucket.is_empty() {
            return Err(StorageError::UnsupportedUrl);
        }
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(&config.s3_region)
            .with_allow_http(config.s3_allow_http)
            .with_virtual_hosted_style_request(!config.s3_path_style);
        if let Some(endpoint) = &config.s3_endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(key) = &config.s3_access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &config.s3_secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        let s3 = builder.build()?;
        let store: Arc<dyn ObjectStore> =
            if prefix.is_empty() { Arc::new(s3) } else { Arc::new(PrefixStore::new(s3, prefix)) };
        Ok(Self { store, local_root: None })
    }
}
