//! Reading one entry's content. A `Stream` of `Bytes` rather than an `AsyncRead`: importers
//! hand chunks on to the object store and to hashers, which take `Bytes` without a copy, and
//! `tokio_util::io::StreamReader` turns it into a reader where one is wanted.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use flate2::{Decompress, FlushDecompress, Status};
use futures_util::Stream;
use futures_util::stream::BoxStream;

use super::entry::{Method, ScannedEntry};
use super::error::{ScanError, shown};
use crate::RangeSource;

/// Largest chunk of content handed out at once.
const OUTPUT_CHUNK: usize = 256 * 1024;

/// The content of an entry, inflated if need be. It fails with `entry_corrupt` as soon as the
/// content grows past the size the central directory declares, and at the end when the size,
/// the CRC-32 or the compressed length disagree with it.
pub fn open_entry(source: &dyn RangeSource, entry: &ScannedEntry) -> EntryStream {
    let end = entry.data_offset.saturating_add(entry.compressed_size);
    EntryStream {
        input: source.stream(entry.data_offset..end),
        pending: Bytes::new(),
        inflater: match entry.method {
            Method::Stored => None,
            Method::Deflate => Some(Inflater {
                state: Decompress::new(false),
                // A small entry needs no more room than its size (and the byte that tells a
                // longer content): many small entries are read at once.
                scratch: vec![0; scratch_len(entry.uncompressed_size)].into_boxed_slice(),
            }),
        },
        crc: crc32fast::Hasher::new(),
        received: 0,
        produced: 0,
        input_done: false,
        deflate_done: false,
        finished: false,
        path: entry.path.clone(),
        crc32: entry.crc32,
        compressed_size: entry.compressed_size,
        uncompressed_size: entry.uncompressed_size,
    }
}

/// Room to inflate an entry into: its declared size and one byte, at most [`OUTPUT_CHUNK`].
fn scratch_len(uncompressed_size: u64) -> usize {
    usize::try_from(uncompressed_size.saturating_add(1))
        .map_or(OUTPUT_CHUNK, |n| n.min(OUTPUT_CHUNK))
}

/// What reading one entry holds besides the chunks its source hands out: for a deflated one,
/// the room it is inflated into and the inflater's window and state. For a caller bounding the
/// memory of the entries it reads at once.
pub fn entry_read_overhead(entry: &ScannedEntry) -> u64 {
    const INFLATER_STATE: u64 = 48 * 1024;
    match entry.method {
        Method::Stored => 0,
        Method::Deflate => scratch_len(entry.uncompressed_size) as u64 + INFLATER_STATE,
    }
}

/// The whole content of an entry, checked as [`open_entry`] checks it; for small entries
/// (a manifest, a signature), whose declared size the caller has bounded.
pub async fn read_entry(
    source: &dyn RangeSource,
    entry: &ScannedEntry,
) -> Result<Vec<u8>, ScanError> {
    use futures_util::StreamExt;
    let mut bytes = Vec::with_capacity(usize::try_from(entry.uncompressed_size).unwrap_or(0));
    let mut stream = open_entry(source, entry);
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk?);
    }
    Ok(bytes)
}

/// See [`open_entry`].
pub struct EntryStream {
    input: BoxStream<'static, std::io::Result<Bytes>>,
    /// Compressed bytes received and not yet inflated.
    pending: Bytes,
    inflater: Option<Inflater>,
    crc: crc32fast::Hasher,
    received: u64,
    produced: u64,
    input_done: bool,
    deflate_done: bool,
    finished: bool,
    path: String,
    crc32: u32,
    compressed_size: u64,
    uncompressed_size: u64,
}

/// Raw deflate (no zlib header, as zip entries hold it), inflated into a buffer that is reused,
/// so that each chunk handed out is allocated at its own size.
struct Inflater {
    state: Decompress,
    scratch: Box<[u8]>,
}

/// What one step of the stream came to.
enum Step {
    Chunk(Bytes),
    /// Progress made, nothing to hand out yet.
    Again,
    NeedInput,
    End,
}

impl EntryStream {
    fn corrupt(&self) -> ScanError {
        ScanError::EntryCorrupt { path: shown(&self.path) }
    }

    fn step(&mut self) -> Result<Step, ScanError> {
        if self.inflater.is_none() {
            return Ok(self.step_stored());
        }
        self.step_deflate()
    }

    fn step_stored(&mut self) -> Step {
        if self.pending.is_empty() {
            return if self.input_done { Step::End } else { Step::NeedInput };
        }
        let take = self.pending.len().min(OUTPUT_CHUNK);
        Step::Chunk(self.pending.split_to(take))
    }

    fn step_deflate(&mut self) -> Result<Step, ScanError> {
        if self.deflate_done {
            // Anything after the end of the deflate stream is not part of the entry.
            if !self.pending.is_empty() {
                return Err(self.corrupt());
            }
            return Ok(if self.input_done { Step::End } else { Step::NeedInput });
        }
        if self.pending.is_empty() && !self.input_done {
            return Ok(Step::NeedInput);
        }
        // One byte of room past the declared size, so that a longer content shows itself.
        let left = self.uncompressed_size.saturating_sub(self.produced).saturating_add(1);
        let room = usize::try_from(left).map_or(OUTPUT_CHUNK, |left| left.min(OUTPUT_CHUNK));
        let flush = if self.input_done { FlushDecompress::Finish } else { FlushDecompress::None };
        let Some(Inflater { state, scratch }) = self.inflater.as_mut() else {
            return Ok(Step::End);
        };
        let (read_before, written_before) = (state.total_in(), state.total_out());
        let status = state.decompress(&self.pending, &mut scratch[..room], flush);
        let read = usize::try_from(state.total_in() - read_before).unwrap_or(usize::MAX);
        let written = usize::try_from(state.total_out() - written_before).unwrap_or(usize::MAX);
        let chunk = scratch.get(..written).map(Bytes::copy_from_slice);
        let (Ok(status), Some(chunk)) = (status, chunk) else { return Err(self.corrupt()) };
        self.pending.advance(read.min(self.pending.len()));
        self.deflate_done = status == Status::StreamEnd;
        if !chunk.is_empty() {
            return Ok(Step::Chunk(chunk));
        }
        if read == 0 && written == 0 && !self.deflate_done {
            // No progress with room to write: the input ended, or what is left cannot inflate.
            return Err(self.corrupt());
        }
        Ok(Step::Again)
    }

    /// Accounts for a chunk about to be handed out.
    fn emit(&mut self, chunk: &Bytes) -> Result<(), ScanError> {
        self.produced += chunk.len() as u64;
        if self.produced > self.uncompressed_size {
            return Err(self.corrupt());
        }
        self.crc.update(chunk);
        Ok(())
    }

    fn finish(&self) -> Result<(), ScanError> {
        let whole = self.received == self.compressed_size
            && self.produced == self.uncompressed_size
            && self.crc.clone().finalize() == self.crc32;
        if whole { Ok(()) } else { Err(self.corrupt()) }
    }

    fn poll_step(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, ScanError>>> {
        loop {
            match self.step()? {
                Step::Chunk(chunk) => {
                    self.emit(&chunk)?;
                    return Poll::Ready(Some(Ok(chunk)));
                }
                Step::Again => {}
                Step::End => {
                    self.finish()?;
                    return Poll::Ready(None);
                }
                Step::NeedInput => match self.input.as_mut().poll_next(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(None) => self.input_done = true,
                    Poll::Ready(Some(chunk)) => {
                        let chunk = chunk?;
                        self.received += chunk.len() as u64;
                        if self.received > self.compressed_size {
                            return Poll::Ready(Some(Err(self.corrupt())));
                        }
                        self.pending = chunk;
                    }
                },
            }
        }
    }
}

impl Stream for EntryStream {
    type Item = Result<Bytes, ScanError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.finished {
            return Poll::Ready(None);
        }
        let poll = this.poll_step(cx);
        // After an error or the end, the stream stays ended.
        if matches!(poll, Poll::Ready(None | Some(Err(_)))) {
            this.finished = true;
        }
        poll
    }
}
