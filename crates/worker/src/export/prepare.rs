//! Getting entries ready ahead of the zip writer. Per-file latency (open, read, hash, compress)
//! dominates small files, so the next files are read, hashed and compressed concurrently —
//! on the blocking pool, across cores — while the writer appends the current one.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use mesdonnees_infra::storage::Storage;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::compress;
use super::objects::{self, ReadError};
use crate::connectors::{AppEntry, ConnectorError};

/// Files up to this size are read whole and prepared ahead; larger ones are streamed.
pub const WHOLE_LIMIT: u64 = 1024 * 1024;
/// Entries prepared ahead of the writer. With files ≤ [`WHOLE_LIMIT`] this bounds the memory
/// held by read-ahead to this many MiB.
pub const READ_AHEAD: usize = 8;

/// How many entries are hashed and compressed at once: one per core. More only adds blocking
/// threads, each with its own allocator arena and compressor.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}

/// Buffers of written entries, reused for the next reads: large allocations freed and taken
/// again fault in fresh zeroed pages each time, which cost more than the reading itself.
#[derive(Clone, Default)]
pub struct BufferPool(Arc<std::sync::Mutex<Vec<Vec<u8>>>>);

impl BufferPool {
    /// Buffers kept; more than the read-ahead never wait at once.
    const KEEP: usize = READ_AHEAD + 2;

    pub fn take(&self) -> Vec<u8> {
        self.0.lock().ok().and_then(|mut pool| pool.pop()).unwrap_or_default()
    }

    pub fn give_back(&self, buffer: Vec<u8>) {
        if buffer.capacity() as u64 > 2 * WHOLE_LIMIT {
            return;
        }
        if let Ok(mut pool) = self.0.lock()
            && pool.len() < Self::KEEP
        {
            pool.push(buffer);
        }
    }
}

/// An entry's bytes as they go into the zip, with what its headers need.
#[derive(Debug)]
pub struct PreparedData {
    /// Raw deflate stream when `deflate`, else the content itself.
    pub data: Vec<u8>,
    pub deflate: bool,
    pub crc32: u32,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug)]
pub enum Ready {
    Directory {
        path: String,
        modified: DateTime<Utc>,
    },
    Whole {
        path: String,
        data: PreparedData,
        modified: DateTime<Utc>,
    },
    /// Too large to hold: the writer streams it from the store.
    Large {
        path: String,
        key: String,
        modified: DateTime<Utc>,
    },
    Missing {
        path: String,
    },
}

/// Why an entry cannot be prepared: the app's stream failed, or the store did.
#[derive(Debug)]
pub enum PrepareError {
    Connector(ConnectorError),
    Store(String),
}

pub async fn prepare(
    storage: Storage,
    cpu: Arc<Semaphore>,
    pool: BufferPool,
    entry: Result<AppEntry, ConnectorError>,
) -> Result<Ready, PrepareError> {
    match entry.map_err(PrepareError::Connector)? {
        AppEntry::Directory { path, modified } => Ok(Ready::Directory { path, modified }),
        AppEntry::Json { path, data, modified } => {
            let _permit =
                cpu.acquire_owned().await.map_err(|e| PrepareError::Store(e.to_string()))?;
            let data = blocking(move || pack(data.to_vec(), true)).await?;
            Ok(Ready::Whole { path, data, modified })
        }
        AppEntry::Object { path, key, size, modified, .. } if size > WHOLE_LIMIT => {
            Ok(Ready::Large { path, key, modified })
        }
        AppEntry::Object { path, key, size, content_type, modified } => {
            let name = path.clone();
            let read_and_pack = move |bytes: Vec<u8>| {
                let deflate = compress::should_deflate(&name, &content_type, &bytes);
                pack(bytes, deflate)
            };
            // A local store is read in the same blocking task that hashes and compresses: one
            // thread hop per file instead of one per system call.
            let _permit =
                cpu.acquire_owned().await.map_err(|e| PrepareError::Store(e.to_string()))?;
            let packed = if let Some(root) = storage.local_root.clone() {
                let buffer = pool.take();
                blocking(move || objects::read_local(&root, &key, size, buffer).map(read_and_pack))
                    .await?
            } else {
                match objects::read_all(&storage, &key, size).await {
                    Ok(bytes) => blocking(move || Ok(read_and_pack(bytes))).await?,
                    Err(e) => Err(e),
                }
            };
            match packed {
                Ok(data) => Ok(Ready::Whole { path, data, modified }),
                Err(ReadError::Missing) => Ok(Ready::Missing { path }),
                Err(e) => Err(PrepareError::Store(e.to_string())),
            }
        }
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PrepareError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| PrepareError::Store(format!("preparation task failed: {e}")))
}

/// Hashes and, when asked and worth it, deflates. A deflate that does not shrink the content
/// is dropped for the content itself.
fn pack(content: Vec<u8>, deflate: bool) -> PreparedData {
    let crc32 = crc32fast::hash(&content);
    let sha256 = hex::encode(Sha256::digest(&content));
    let size = content.len() as u64;
    if deflate
        && !content.is_empty()
        && let Some(compressed) = compress::deflate(&content, flate2::Compression::default())
        && compressed.len() < content.len()
    {
        return PreparedData { data: compressed, deflate: true, crc32, size, sha256 };
    }
    PreparedData { data: content, deflate: false, crc32, size, sha256 }
}
