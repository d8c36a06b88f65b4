//! The object store holding attachment bytes, and how bytes go into it.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use crate::config::StorageConfig;

/// Where this app's attachments live in a store it may share with mesdonnees.
const ATTACHMENT_PREFIX: &str = "cahier/attachments";
/// Part size of uploads to the store: S3 needs at least 5 MiB per part.
const PART_BYTES: usize = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("unsupported storage URL (expected file://PATH or s3://BUCKET[/PREFIX])")]
    UnsupportedUrl,
    #[error("cannot create the storage folder {0}")]
    Folder(PathBuf, #[source] std::io::Error),
    #[error("cannot configure the object store")]
    Store(#[from] object_store::Error),
}

pub fn open(config: &StorageConfig) -> Result<Arc<dyn ObjectStore>, StorageError> {
    if let Some(path) = config.url.strip_prefix("file://") {
        let root = PathBuf::from(path);
        std::fs::create_dir_all(&root).map_err(|e| StorageError::Folder(root.clone(), e))?;
        let store = LocalFileSystem::new_with_prefix(&root)?.with_automatic_cleanup(true);
        return Ok(Arc::new(store));
    }
    let rest = config.url.strip_prefix("s3://").ok_or(StorageError::UnsupportedUrl)?;
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
        builder = builder.with_secret_access_key(secret.expose());
    }
    let s3 = builder.build()?;
    Ok(if prefix.is_empty() { Arc::new(s3) } else { Arc::new(PrefixStore::new(s3, prefix)) })
}

/// The key of an attachment's bytes.
pub fn attachment_key(id: Uuid) -> Path {
    Path::from(format!("{ATTACHMENT_PREFIX}/{id}"))
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub size: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError<E> {
    #[error("more than {0} bytes")]
    TooLarge(u64),
    #[error("the source failed")]
    Source(#[source] E),
    #[error("the object store failed")]
    Store(#[from] object_store::Error),
}

/// Streams `source` into `key`, counting and hashing, never holding more than a few parts. On
/// any failure the partial upload is aborted: nothing is left under `key`.
pub async fn write_stream<E>(
    store: &Arc<dyn ObjectStore>,
    key: &Path,
    source: impl Stream<Item = Result<Bytes, E>>,
    limit: u64,
) -> Result<Written, WriteError<E>> {
    let mut writer = BufWriter::with_capacity(store.clone(), key.clone(), PART_BYTES)
        .with_max_concurrency(PARTS_IN_FLIGHT);
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut source = std::pin::pin!(source);
    let result: Result<(), WriteError<E>> = async {
        while let Some(chunk) = source.next().await {
            let chunk = chunk.map_err(WriteError::Source)?;
            size = size.saturating_add(chunk.len() as u64);
            if size > limit {
                return Err(WriteError::TooLarge(limit));
            }
            hasher.update(&chunk);
            writer.put(chunk).await?;
        }
        writer.shutdown().await.map_err(|e| WriteError::Store(io_to_store(e)))
    }
    .await;
    if let Err(e) = result {
        if let Err(abort) = writer.abort().await {
            tracing::warn!(error = %abort, "partial upload not aborted");
        }
        return Err(e);
    }
    Ok(Written { size, sha256: hex::encode(hasher.finalize()) })
}

fn io_to_store(e: std::io::Error) -> object_store::Error {
    object_store::Error::Generic { store: "BufWriter", source: Box::new(e) }
}

/// Removes objects written by a request that failed; a leftover is only logged.
pub async fn discard(store: &Arc<dyn ObjectStore>, keys: &[Path]) {
    for key in keys {
        if let Err(e) = store.delete(key).await {
            tracing::warn!(error = %e, "object of a failed request not removed");
        }
    }
}
