//! The archive of an export: entries go through the zip writer into a hashing counter into a
//! multipart upload to the object store. Nothing is held whole but small entries: what must
//! wait for the end and grows with the file count (the central directory, SHA256SUMS) waits in
//! unnamed files of the scratch folder, which the system removes with the writer, or the
//! process.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use chrono::{DateTime, Utc};
use flate2::{Compress, Compression};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWrite;

use super::checksums::Checksums;
use super::chunk_thread::{ChunkConsumer, ChunkThread};
use super::compress;
use super::sink::Sink;
use mesdonnees_zip::write::ZipWriter;

use crate::apps::PreparedData;
use mesdonnees_shared::archive::CHECKSUMS_PATH;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("archive writing failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Read size of a streamed entry.
const STREAM_CHUNK: usize = 1024 * 1024;

/// Counts every byte of the archive on its way to the store and has it hashed (SHA-256) on
/// another thread, so the archive's checksum costs the writer a copy, not a hash pass.
pub struct HashingWriter<W> {
    inner: W,
    hashing: Option<ChunkThread<ArchiveHash>>,
    written: u64,
}

/// The archive's SHA-256, fed chunk by chunk on its thread.
struct ArchiveHash(Sha256);

impl ChunkConsumer for ArchiveHash {
    fn consume(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.0.update(chunk);
        Ok(())
    }
}

impl<W> HashingWriter<W> {
    fn new(inner: W) -> Self {
        Self { inner, hashing: Some(ChunkThread::start(ArchiveHash(Sha256::new()))), written: 0 }
    }

    /// The SHA-256 of everything written.
    async fn digest(&mut self) -> std::io::Result<String> {
        let hashing =
            self.hashing.take().ok_or_else(|| std::io::Error::other("digest taken twice"))?;
        Ok(hex::encode(hashing.finish().await?.0.finalize()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for HashingWriter<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let hashing = this
            .hashing
            .as_mut()
            .ok_or_else(|| std::io::Error::other("written after its digest"))?;
        // Waits here when the hashing thread is behind, so memory stays bounded; no more than
        // the chunk has room for, so no chunk grows.
        let room = ready!(hashing.poll_room(cx))?;
        let poll = Pin::new(&mut this.inner).poll_write(cx, &buf[..buf.len().min(room)]);
        if let Poll::Ready(Ok(n)) = &poll {
            hashing.fill(&buf[..*n]);
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

/// A streamed entry's SHA-256 (for the manifest), CRC-32 (for the zip) and size.
#[derive(Default)]
struct ContentHash {
    sha256: Sha256,
    crc32: crc32fast::Hasher,
    size: u64,
}

impl ChunkConsumer for ContentHash {
    fn consume(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.sha256.update(chunk);
        self.crc32.update(chunk);
        self.size += chunk.len() as u64;
        Ok(())
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
    zip: ZipWriter<HashingWriter<Sink>>,
    /// Deflate state of streamed entries, reset between them.
    stream_compressor: Option<Compress>,
    /// Every file entry's checksum until SHA256SUMS is written; fed here, where every entry
    /// passes, so that no kind of file can be left out of it.
    checksums: Option<Checksums>,
}

impl ArchiveWriter {
    /// A writer into `sink`, its waiting lists in `scratch`; the sink is aborted when they
    /// cannot be made.
    pub async fn create(mut sink: Sink, scratch: &std::path::Path) -> std::io::Result<Self> {
        let files = Checksums::create(scratch)
            .and_then(|checksums| Ok((checksums, tempfile::tempfile_in(scratch)?)));
        match files {
            Ok((checksums, directory)) => Ok(Self {
                zip: ZipWriter::with_directory_in(HashingWriter::new(sink), directory),
                stream_compressor: None,
                checksums: Some(checksums),
            }),
            Err(e) => {
                sink.abort().await;
                Err(e)
            }
        }
    }

    /// SHA256SUMS, listing every file written so far; entries written after it are not in it.
    pub async fn add_checksums(
        &mut self,
        modified: DateTime<Utc>,
    ) -> Result<EntrySummary, ArchiveError> {
        let checksums = self
            .checksums
            .take()
            .ok_or_else(|| std::io::Error::other("SHA256SUMS written twice"))?;
        let prepared = checksums.finish()?;
        self.add_prepared(CHECKSUMS_PATH, &prepared, modified).await
    }

    fn record(&mut self, path: &str, summary: &EntrySummary) -> Result<(), ArchiveError> {
        if let Some(checksums) = &mut self.checksums {
            checksums.add(path, &summary.sha256)?;
        }
        Ok(())
    }

    pub async fn add_directory(
        &mut self,
        path: &str,
        modified: DateTime<Utc>,
    ) -> Result<(), ArchiveError> {
        Ok(self.zip.add_directory(path, modified).await?)
    }

    /// A small entry whose bytes are at hand, deflated when asked and worth it.
    pub async fn add_whole(
        &mut self,
        path: &str,
        data: &[u8],
        deflate: bool,
        modified: DateTime<Utc>,
    ) -> Result<EntrySummary, ArchiveError> {
        let prepared = crate::apps::pack(data.to_vec(), deflate);
        self.add_prepared(path, &prepared, modified).await
    }

    /// An entry prepared ahead (hashed, compressed when worth it), written as is.
    pub async fn add_prepared(
        &mut self,
        path: &str,
        prepared: &PreparedData,
        modified: DateTime<Utc>,
    ) -> Result<EntrySummary, ArchiveError> {
        match &prepared.spilled {
            Some(spilled) => {
                let (bytes, len) = (spilled.reader(), spilled.len);
                self.zip.add_whole_from(path, prepared.whole(), bytes, len, modified).await?;
            }
            None => self.zip.add_whole(path, prepared.whole(), modified).await?,
        }
        let summary = EntrySummary { size: prepared.size, sha256: prepared.sha256.clone() };
        self.record(path, &summary)?;
        Ok(summary)
    }

    /// A large entry streamed chunk by chunk; deflated when its type or first chunk says it
    /// shrinks. `buffer` is reused from one large entry to the next.
    pub async fn add_stream<R>(
        &mut self,
        file: StreamedFile<'_>,
        mut reader: R,
        buffer: &mut Vec<u8>,
    ) -> Result<EntrySummary, ArchiveError>
    where
        R: tokio::io::AsyncRead + Unpin,
    {
        buffer.resize(STREAM_CHUNK, 0);
        let mut filled = read_full(&mut reader, buffer).await?;
        let deflate = compress::should_deflate(file.path, file.content_type, &buffer[..filled]);
        let mut entry = self.zip.begin_stream(file.path, deflate, file.size, file.modified).await?;
        let mut hashing = ChunkThread::start(ContentHash::default());
        let mut compressor = deflate.then(|| self.take_compressor());
        let mut compressed = Vec::new();
        loop {
            let last = filled < buffer.len();
            // Hashed on another thread while this one writes the chunk and reads the next.
            hashing.push(&buffer[..filled]).await?;
            if let Some(state) = compressor.take() {
                let input = std::mem::take(buffer);
                let output = std::mem::take(&mut compressed);
                let (state, input, output) = tokio::task::spawn_blocking(move || {
                    let mut state = state;
                    let mut output = output;
                    let result = mesdonnees_zip::deflate::deflate_chunk(
                        &mut state,
                        &input[..filled],
                        last,
                        &mut output,
                    );
                    (state, input, result.map(|()| output))
                })
                .await
                .map_err(std::io::Error::other)?;
                *buffer = input;
                compressed = output?;
                compressor = Some(state);
                self.zip.write_stream(&mut entry, &compressed).await?;
            } else {
                self.zip.write_stream(&mut entry, &buffer[..filled]).await?;
            }
            if last {
                break;
            }
            filled = read_full(&mut reader, buffer).await?;
        }
        if let Some(state) = compressor {
            self.stream_compressor = Some(state);
        }
        let ContentHash { sha256, crc32, size } = hashing.finish().await?;
        self.zip.end_stream(entry, crc32.finalize(), size).await?;
        let summary = EntrySummary { size, sha256: hex::encode(sha256.finalize()) };
        self.record(file.path, &summary)?;
        Ok(summary)
    }

    fn take_compressor(&mut self) -> Compress {
        let mut state = self
            .stream_compressor
            .take()
            .unwrap_or_else(|| Compress::new(Compression::new(crate::apps::STREAM_LEVEL), false));
        state.reset();
        state
    }

    /// Writes the central directory and completes the upload: only now does the object exist.
    pub async fn finish(self) -> Result<ArchiveSummary, ArchiveError> {
        let (mut hashing, size) = self.zip.finish().await?;
        // A failed completion leaves nothing behind, and nothing to abort (`sink`).
        hashing.inner.complete().await?;
        let sha256 = hashing.digest().await?;
        debug_assert_eq!(size, hashing.written);
        Ok(ArchiveSummary { size: hashing.written, sha256 })
    }

    /// Gives up: the multipart upload is aborted, no object appears.
    pub async fn abort(mut self) {
        self.zip.get_mut().inner.abort().await;
    }
}

/// What the archive needs to know of a streamed file before its bytes.
pub struct StreamedFile<'a> {
    pub path: &'a str,
    pub content_type: &'a str,
    /// Expected size (from the store's listing or the app), to choose ZIP64 headers.
    pub size: u64,
    pub modified: DateTime<Utc>,
}

/// Fills `buffer` unless the reader ends first; returns how much it holds.
async fn read_full<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut R,
    buffer: &mut [u8],
) -> std::io::Result<usize> {
    use tokio::io::AsyncReadExt;
    let mut filled = 0;
    while filled < buffer.len() {
        let n = reader.read(&mut buffer[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};
    use tokio::io::AsyncWriteExt;

    use super::HashingWriter;

    /// One write far larger than a chunk is hashed whole and reaches the sink whole (that no
    /// chunk grows past its size is `chunk_thread`'s test).
    #[tokio::test]
    async fn a_large_write_is_hashed_in_chunks_of_bounded_size() {
        let data: Vec<u8> = (0..3 * 1024 * 1024 + 5_u32).map(|i| (i * 31 % 251) as u8).collect();
        let mut writer = HashingWriter::new(Vec::new());
        writer.write_all(&data).await.expect("written");
        let digest = writer.digest().await.expect("digest");
        assert_eq!(digest, hex::encode(Sha256::digest(&data)));
        assert_eq!(writer.written, data.len() as u64);
        assert!(writer.inner == data);
    }
}
