//! Getting entries ready ahead of the zip writer. Per-file latency (open, read, hash, compress)
//! dominates small files, so entries are grouped in small batches, each read, hashed and
//! compressed by one blocking task — one per core at a time — while the writer appends the
//! entries of the previous batch. A batch per task rather than a file per task: with small
//! files the thread hand-offs cost as much as the work.

use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, Stream, StreamExt};
use mesdonnees_infra::storage::Storage;

use super::compress;
use super::objects::{self, ReadError};
use crate::apps::{AppEntry, ConnectorError, PreparedData, pack};
use mesdonnees_shared::tables::TableRow;

/// Files up to this size are read whole and prepared ahead; larger ones are streamed.
pub const WHOLE_LIMIT: u64 = 1024 * 1024;
/// A batch closes once it holds this many bytes to read (so at most this and one file of up
/// to [`WHOLE_LIMIT`] in memory)…
const BATCH_BYTES: u64 = 512 * 1024;
/// …or this many entries.
const BATCH_ENTRIES: usize = 64;

/// Batches prepared at once: two per core, and one more, so that a core finishing a batch
/// finds the next one queued while the writer drains the oldest.
pub fn batches_in_flight() -> usize {
    2 * std::thread::available_parallelism().map_or(2, std::num::NonZero::get) + 1
}

type Entry = Result<AppEntry, ConnectorError>;

/// Bytes an entry makes a batch read and hold.
fn weight(entry: &Entry) -> u64 {
    match entry {
        Ok(AppEntry::Object { size, .. }) if *size <= WHOLE_LIMIT => *size,
        // What waits in a scratch file is not held.
        Ok(AppEntry::Prepared { data, .. }) => data.data.len() as u64,
        _ => 0,
    }
}

/// Groups an app's entries into batches of at most [`BATCH_ENTRIES`] entries and about
/// [`BATCH_BYTES`] bytes, in order.
pub fn batches(entries: BoxStream<'static, Entry>) -> impl Stream<Item = Vec<Entry>> + Unpin {
    struct State {
        entries: BoxStream<'static, Entry>,
        carry: Option<Entry>,
        done: bool,
    }
    Box::pin(futures_util::stream::unfold(
        State { entries, carry: None, done: false },
        |mut state| async move {
            let mut batch = Vec::new();
            let mut bytes = 0;
            if let Some(entry) = state.carry.take() {
                bytes += weight(&entry);
                batch.push(entry);
            }
            while !state.done && batch.len() < BATCH_ENTRIES && bytes < BATCH_BYTES {
                match state.entries.next().await {
                    Some(entry) => {
                        let w = weight(&entry);
                        if !batch.is_empty() && bytes + w > BATCH_BYTES {
                            state.carry = Some(entry);
                            break;
                        }
                        bytes += w;
                        batch.push(entry);
                    }
                    None => state.done = true,
                }
            }
            (!batch.is_empty()).then_some((batch, state))
        },
    ))
}

/// Buffers of written entries, reused for the next reads: large allocations freed and taken
/// again fault in fresh zeroed pages each time, which cost more than the reading itself.
#[derive(Clone, Default)]
pub struct BufferPool(std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>);

impl BufferPool {
    /// Capacity kept in the pool at most; what the batches in flight read, about.
    const KEEP_BYTES: usize = 4 * 1024 * 1024;

    pub fn take(&self) -> Vec<u8> {
        self.0.lock().ok().and_then(|mut pool| pool.pop()).unwrap_or_default()
    }

    pub fn give_back(&self, mut buffer: Vec<u8>) {
        if let Ok(mut pool) = self.0.lock() {
            let kept: usize = pool.iter().map(Vec::capacity).sum();
            if kept + buffer.capacity() <= Self::KEEP_BYTES {
                buffer.clear();
                pool.push(buffer);
            }
        }
    }
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
        json: bool,
        modified: DateTime<Utc>,
        expected_sha256: Option<String>,
        row: Option<Box<TableRow>>,
    },
    /// Too large to hold: the writer streams it from the store.
    Large(LargeEntry),
    Missing {
        path: String,
    },
    /// Larger in the store than its app said.
    Mismatch {
        path: String,
    },
}

/// A file the writer streams from the store.
#[derive(Debug)]
pub struct LargeEntry {
    pub path: String,
    pub key: String,
    pub size: u64,
    pub content_type: String,
    pub modified: DateTime<Utc>,
    pub expected_sha256: Option<String>,
    pub row: Option<Box<TableRow>>,
}

/// Why an entry cannot be prepared: the app's stream failed, or the store did.
#[derive(Debug)]
pub enum PrepareError {
    Connector(ConnectorError),
    Store(String),
}

/// Reads, hashes and compresses one batch on a blocking thread, keeping its order.
pub async fn prepare_batch(
    storage: Storage,
    pool: BufferPool,
    batch: Vec<Entry>,
) -> Vec<Result<Ready, PrepareError>> {
    // A remote store is read here, asynchronously; a local one in the blocking task itself.
    let mut fetched = Vec::with_capacity(batch.len());
    for entry in batch {
        let bytes = match (&entry, &storage.local_root) {
            (Ok(AppEntry::Object { key, size, .. }), None) if *size <= WHOLE_LIMIT => {
                Some(objects::read_all(&storage, key, *size).await)
            }
            _ => None,
        };
        fetched.push((entry, bytes));
    }
    let root = storage.local_root.clone();
    let count = fetched.len();
    blocking(move || {
        fetched
            .into_iter()
            .map(|(entry, bytes)| prepare_one(root.as_deref(), &pool, entry, bytes))
            .collect()
    })
    .await
    .unwrap_or_else(|e| {
        let message = match e {
            PrepareError::Store(message) => message,
            PrepareError::Connector(e) => e.message,
        };
        (0..count).map(|_| Err(PrepareError::Store(message.clone()))).collect()
    })
}

fn prepare_one(
    local_root: Option<&std::path::Path>,
    pool: &BufferPool,
    entry: Entry,
    fetched: Option<Result<Vec<u8>, ReadError>>,
) -> Result<Ready, PrepareError> {
    match entry.map_err(PrepareError::Connector)? {
        AppEntry::Directory { path, modified } => Ok(Ready::Directory { path, modified }),
        AppEntry::Prepared { path, data, json, modified, row } => {
            Ok(Ready::Whole { path, data, json, modified, expected_sha256: None, row })
        }
        AppEntry::Object { path, key, size, content_type, modified, expected_sha256, row }
            if size > WHOLE_LIMIT =>
        {
            Ok(Ready::Large(LargeEntry {
                path,
                key,
                size,
                content_type,
                modified,
                expected_sha256,
                row,
            }))
        }
        AppEntry::Object { path, key, size, content_type, modified, expected_sha256, row } => {
            let bytes = match (fetched, local_root) {
                (Some(bytes), _) => bytes,
                (None, Some(root)) => objects::read_local(root, &key, size, pool.take()),
                (None, None) => Err(ReadError::Store("object not fetched".into())),
            };
            match bytes {
                Ok(bytes) => {
                    let deflate = compress::should_deflate(&path, &content_type, &bytes);
                    let data = pack(bytes, deflate);
                    Ok(Ready::Whole { path, data, json: false, modified, expected_sha256, row })
                }
                Err(ReadError::Missing) => Ok(Ready::Missing { path }),
                // A remote app's declaration was wrong: its app fails. Our own row being
                // wrong is the store's fault, and fails the export.
                Err(ReadError::TooLarge) if expected_sha256.is_some() => {
                    Ok(Ready::Mismatch { path })
                }
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

#[cfg(test)]
mod tests {
    use std::io::Read;

    use chrono::{TimeZone, Utc};
    use mesdonnees_zip::write::ZipWriter;

    use super::*;

    /// French JSON of `len` bytes, varied enough that the compressor has work to do.
    fn json(len: usize) -> Vec<u8> {
        (0_usize..)
            .flat_map(|i| {
                format!(r#"{{"élève":"n°{i}","note":{},"remarque":"à revoir"}},"#, i * 7 % 21)
                    .into_bytes()
            })
            .take(len)
            .collect()
    }

    /// Entries packed whole, up to the size beyond which files are streamed, come out of the
    /// archive byte for byte, the reader checking each CRC-32 against what it inflates.
    #[tokio::test]
    async fn packed_entries_read_back_byte_for_byte() {
        let limit = usize::try_from(WHOLE_LIMIT).unwrap();
        let contents = [Vec::new(), b"x".to_vec(), json(4_000), json(limit - 1), json(limit)];
        let modified = Utc.with_ymd_and_hms(2026, 9, 3, 16, 20, 40).unwrap();
        let mut zip = ZipWriter::new(Vec::new());
        for (i, content) in contents.iter().enumerate() {
            let packed = pack(content.clone(), true);
            // Empty or a byte, deflate would grow it: stored.
            assert_eq!(packed.deflate, content.len() > 1, "entry {i}");
            zip.add_whole(&format!("{i}.json"), packed.whole(), modified).await.unwrap();
        }
        let (bytes, _) = zip.finish().await.unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for (i, content) in contents.iter().enumerate() {
            let mut entry = archive.by_name(&format!("{i}.json")).unwrap();
            let mut back = Vec::new();
            entry.read_to_end(&mut back).expect("inflates with a matching CRC-32");
            assert!(back == *content, "entry {i} differs");
        }
    }
}
