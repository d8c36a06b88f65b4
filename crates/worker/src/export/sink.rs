//! Where the archive's bytes go: a multipart upload to the object store, or, for a local
//! store, a staging file renamed into place at the end — the same all-or-nothing visibility
//! without allocating an 8 MiB part buffer per part.
//!
//! `BufWriter`'s defaults (10 MiB parts, 8 in flight) can hold ~110 MiB against a slow store:
//! parts are sized here for the memory target (8 MiB, the S3 minimum being 5, two in flight).
//! Nothing exists until `shutdown()` completes the upload. After `shutdown()`, even a failed
//! one (a full disk, a refused completion), `abort()` panics ("Already shut down"), and there is
//! nothing left to abort (a failed completion aborts itself): a failed `complete` leaves the
//! sink `Closed`, on which `abort` does nothing. A killed process leaves `<key>#<n>` staging
//! files on a local store, which the periodic cleanup removes (`crate::staging`).

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use object_store::ObjectStore;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::chunk_thread::{ChunkConsumer, ChunkThread};

impl ChunkConsumer for std::fs::File {
    fn consume(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        std::io::Write::write_all(self, chunk)
    }
}

/// Part size of an upload (S3 needs ≥ 5 MiB); two parts in flight bound the memory.
const PART_BYTES: usize = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT: usize = 2;

pub enum Sink {
    Upload(BufWriter),
    /// Written by a thread of its own, a chunk at a time.
    Local {
        file: ChunkThread<std::fs::File>,
        staging: PathBuf,
        target: PathBuf,
    },
    /// Completed, or failed to: nothing more to write nor to abort.
    Closed,
}

impl Sink {
    pub async fn open(
        store: Arc<dyn ObjectStore>,
        local_root: Option<&std::path::Path>,
        key: &str,
    ) -> std::io::Result<Self> {
        let Some(root) = local_root else {
            let upload = BufWriter::with_capacity(store, Path::from(key), PART_BYTES)
                .with_max_concurrency(PARTS_IN_FLIGHT);
            return Ok(Self::Upload(upload));
        };
        let target = root.join(key);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        // Named like the store's own staging files (`<name>#<suffix>`), which listings skip and
        // a later attempt removes.
        let staging = target.with_file_name(format!(
            "{}#{}",
            target.file_name().and_then(|n| n.to_str()).unwrap_or("archive"),
            mesdonnees_shared::JobId::new()
        ));
        let file = tokio::fs::File::create(&staging).await?.into_std().await;
        Ok(Self::Local { file: ChunkThread::start(file), staging, target })
    }

    /// Makes the archive visible under its key. On failure nothing appears and nothing is left
    /// behind.
    pub async fn complete(&mut self) -> std::io::Result<()> {
        match std::mem::replace(self, Self::Closed) {
            Self::Upload(mut upload) => upload.shutdown().await,
            Self::Local { file, staging, target } => {
                // Written, not synced: like the object store's own local writes, the archive is
                // safe from a process crash, and a rename makes it appear whole or not at all.
                let done = match file.finish().await {
                    Ok(_) => tokio::fs::rename(&staging, &target).await,
                    Err(e) => Err(e),
                };
                if done.is_err()
                    && let Err(e) = tokio::fs::remove_file(&staging).await
                {
                    tracing::warn!(error = %e, "partial archive not removed");
                }
                done
            }
            Self::Closed => Err(closed()),
        }
    }

    /// Gives up: nothing appears under the key.
    pub async fn abort(&mut self) {
        let result = match std::mem::replace(self, Self::Closed) {
            Self::Upload(mut upload) => upload.abort().await.map_err(std::io::Error::other),
            Self::Local { file, staging, .. } => {
                // The thread may still write what was queued, into a file no longer named.
                file.abandon();
                tokio::fs::remove_file(&staging).await
            }
            Self::Closed => Ok(()),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "partial archive not removed");
        }
    }
}

impl AsyncWrite for Sink {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Self::Upload(upload) => Pin::new(upload).poll_write(cx, buf),
            Self::Local { file, .. } => {
                let room = ready!(file.poll_room(cx))?;
                let n = buf.len().min(room);
                file.fill(&buf[..n]);
                Poll::Ready(Ok(n))
            }
            Self::Closed => Poll::Ready(Err(closed())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Upload(upload) => Pin::new(upload).poll_flush(cx),
            Self::Local { file, .. } => file.poll_hand_over(cx),
            Self::Closed => Poll::Ready(Err(closed())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Upload(upload) => Pin::new(upload).poll_shutdown(cx),
            Self::Local { file, .. } => file.poll_hand_over(cx),
            Self::Closed => Poll::Ready(Err(closed())),
        }
    }
}

fn closed() -> std::io::Error {
    std::io::Error::other("the archive's sink is closed")
}
