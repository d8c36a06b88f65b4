//! The zip writer of an export: entries go through async_zip into a hashing counter into a
//! multipart upload to the object store. Nothing is held whole but small entries.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use async_zip::base::write::ZipFileWriter;
use async_zip::tokio::write::ZipFileWriter as TokioZipFileWriter;
use async_zip::{Compression, ZipDateTime, ZipEntryBuilder};
use chrono::{DateTime, Utc};
use futures_util::AsyncWriteExt as _;

use super::sink::Sink;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWrite;
use tokio_util::compat::Compat;
use tokio_util::sync::PollSender;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("zip writing failed: {0}")]
    Zip(#[from] async_zip::error::ZipError),
    #[error("object store I/O failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Read size of a streamed entry.
const STREAM_CHUNK: usize = 1024 * 1024;

/// Bytes handed to the hashing thread at once.
const HASH_CHUNK: usize = 1024 * 1024;

/// Counts every byte of the archive on its way to the store and has it hashed (SHA-256) on
/// another thread, so the archive's checksum costs the writer a copy, not a hash pass.
pub struct HashingWriter<W> {
    inner: W,
    pending: Vec<u8>,
    sender: PollSender<Vec<u8>>,
    /// Chunks the hashing thread is done with, reused so no new pages are faulted in per chunk.
    recycled: std::sync::mpsc::Receiver<Vec<u8>>,
    hasher: Option<tokio::task::JoinHandle<Sha256>>,
    written: u64,
}

impl<W> HashingWriter<W> {
    fn new(inner: W) -> Self {
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
        let (give_back, recycled) = std::sync::mpsc::channel();
        let hasher = tokio::task::spawn_blocking(move || {
            let mut hasher = Sha256::new();
            while let Some(mut chunk) = receiver.blocking_recv() {
                hasher.update(&chunk);
                chunk.clear();
                let _ = give_back.send(chunk);
            }
            hasher
        });
        Self {
            inner,
            pending: Vec::with_capacity(HASH_CHUNK),
            sender: PollSender::new(sender),
            recycled,
            hasher: Some(hasher),
            written: 0,
        }
    }

    /// The SHA-256 of everything written.
    async fn digest(&mut self) -> std::io::Result<String> {
        let rest = std::mem::take(&mut self.pending);
        if let Some(sender) = self.sender.get_ref() {
            sender
                .send(rest)
                .await
                .map_err(|_| std::io::Error::other("the hashing thread stopped"))?;
        }
        self.sender.close();
        let hasher =
            self.hasher.take().ok_or_else(|| std::io::Error::other("digest taken twice"))?;
        let hasher = hasher.await.map_err(std::io::Error::other)?;
        Ok(hex::encode(hasher.finalize()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for HashingWriter<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        if this.pending.len() >= HASH_CHUNK {
            // Waits here when the hashing thread is behind, so memory stays bounded.
            ready!(this.sender.poll_reserve(cx))
                .map_err(|_| std::io::Error::other("the hashing thread stopped"))?;
            let next = this.recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(HASH_CHUNK));
            let chunk = std::mem::replace(&mut this.pending, next);
            this.sender
                .send_item(chunk)
                .map_err(|_| std::io::Error::other("the hashing thread stopped"))?;
        }
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            this.pending.extend_from_slice(&buf[..*n]);
            this.written += *n as u64;
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// What a finished archive came to.
#[derive(Debug, Clone)]
pub struct ArchiveSummary {
    pub size: u64,
    pub sha256: String,
}

/// What one file entry came to.
#[derive(Debug, Clone)]
pub struct EntrySummary {
    pub size: u64,
    pub sha256: String,
}

pub struct ArchiveWriter {
    zip: TokioZipFileWriter<HashingWriter<Sink>>,
}

impl ArchiveWriter {
    /// `zip64` is needed past 4 GiB or 65,535 entries. Without it, streamed entries are written
    /// in the classic layout (real sizes in a 32-bit data descriptor), which every reader takes;
    /// async_zip's ZIP64 streamed entries are refused by some readers, so they are kept for the
    /// archives that need them.
    pub fn create(sink: Sink, zip64: bool) -> Self {
        let hashing = HashingWriter::new(sink);
        let zip = ZipFileWriter::with_tokio(hashing);
        Self { zip: if zip64 { zip } else { zip.force_no_zip64() } }
    }

    pub async fn add_directory(
        &mut self,
        path: &str,
        modified: DateTime<Utc>,
    ) -> Result<(), ArchiveError> {
        let entry = ZipEntryBuilder::new(format!("{path}/").into(), Compression::Stored)
            .last_modification_date(ZipDateTime::from_chrono(&modified))
            .unix_permissions(0o040_755);
        self.zip.write_entry_whole(entry, &[]).await?;
        Ok(())
    }

    /// A small entry whose bytes are at hand; its sizes go in the local header, which every
    /// reader (Java's included) handles.
    pub async fn add_whole(
        &mut self,
        path: &str,
        data: &[u8],
        deflate: bool,
        modified: DateTime<Utc>,
    ) -> Result<EntrySummary, ArchiveError> {
        let entry = ZipEntryBuilder::new(path.into(), compression(deflate))
            .last_modification_date(ZipDateTime::from_chrono(&modified))
            .unix_permissions(0o100_644);
        self.zip.write_entry_whole(entry, data).await?;
        Ok(EntrySummary { size: data.len() as u64, sha256: hex::encode(Sha256::digest(data)) })
    }

    /// An entry prepared ahead (hashed, compressed when worth it): written as is, with its
    /// sizes and CRC in the local header.
    pub async fn add_prepared(
        &mut self,
        path: &str,
        prepared: &super::prepare::PreparedData,
        modified: DateTime<Utc>,
    ) -> Result<EntrySummary, ArchiveError> {
        let entry = ZipEntryBuilder::new(path.into(), compression(prepared.deflate))
            .last_modification_date(ZipDateTime::from_chrono(&modified))
            .unix_permissions(0o100_644)
            .crc32(prepared.crc32)
            .uncompressed_size(prepared.size);
        self.zip.write_entry_whole_precompressed(entry, &prepared.data).await?;
        Ok(EntrySummary { size: prepared.size, sha256: prepared.sha256.clone() })
    }

    /// A large entry streamed chunk by chunk, stored (sizes go in a data descriptor).
    /// async_zip 0.0.19 swaps the two sizes in the central directory of a streamed entry without
    /// ZIP64, harmless only when they are equal: streamed entries are never deflated.
    /// `buffer` is reused from one large entry to the next.
    pub async fn add_stream<R>(
        &mut self,
        path: &str,
        mut reader: R,
        buffer: &mut Vec<u8>,
        modified: DateTime<Utc>,
    ) -> Result<EntrySummary, ArchiveError>
    where
        R: tokio::io::AsyncRead + Unpin,
    {
        use tokio::io::AsyncReadExt;
        let entry = ZipEntryBuilder::new(path.into(), Compression::Stored)
            .last_modification_date(ZipDateTime::from_chrono(&modified))
            .unix_permissions(0o100_644);
        let mut writer = self.zip.write_entry_stream(entry).await?;
        let mut hasher = Sha256::new();
        let mut size = 0_u64;
        buffer.resize(STREAM_CHUNK, 0);
        loop {
            let n = reader.read(buffer).await?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            size += n as u64;
            writer.write_all(&buffer[..n]).await?;
        }
        writer.close().await?;
        Ok(EntrySummary { size, sha256: hex::encode(hasher.finalize()) })
    }

    /// Writes the central directory and completes the upload: only now does the object exist.
    pub async fn finish(self) -> Result<ArchiveSummary, ArchiveError> {
        let compat: Compat<HashingWriter<Sink>> = self.zip.close().await?;
        let mut hashing = compat.into_inner();
        if let Err(e) = hashing.inner.complete().await {
            hashing.inner.abort().await;
            return Err(e.into());
        }
        let sha256 = hashing.digest().await?;
        Ok(ArchiveSummary { size: hashing.written, sha256 })
    }

    /// Gives up: the multipart upload is aborted, no object appears.
    pub async fn abort(mut self) {
        self.zip.inner_mut().get_mut().inner.abort().await;
    }
}

fn compression(deflate: bool) -> Compression {
    if deflate { Compression::Deflate } else { Compression::Stored }
}
