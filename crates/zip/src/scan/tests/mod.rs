//! Archives built for real, valid ones with the `zip` crate and hostile ones byte by byte.

mod builder;
mod hostile;
mod layout;
mod open;
mod parts;
mod valid;

use std::io::{Cursor, Write};
use std::ops::Range;
use std::sync::Mutex;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};
use zip::write::SimpleFileOptions;

use super::{RangeSource, ScanError, ScanLimits, ScannedArchive, ScannedEntry, open_entry, scan};

async fn scan_bytes(bytes: Bytes) -> Result<ScannedArchive, ScanError> {
    scan(&bytes, &ScanLimits::default()).await
}

/// The code an archive is refused with, or "ok".
async fn code(bytes: Bytes, limits: &ScanLimits) -> &'static str {
    match scan(&bytes, limits).await {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

async fn default_code(bytes: Bytes) -> &'static str {
    code(bytes, &ScanLimits::default()).await
}

/// Everything an entry stream yields before it ends, and the error it ended with.
async fn read_entry(
    source: &dyn RangeSource,
    entry: &ScannedEntry,
) -> (Vec<u8>, Option<ScanError>) {
    let mut stream = open_entry(source, entry);
    let mut content = Vec::new();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => {
                assert!(chunk.len() <= 256 * 1024, "chunk of {} bytes", chunk.len());
                content.extend_from_slice(&chunk);
            }
            Err(e) => {
                assert!(stream.next().await.is_none(), "the stream goes on after an error");
                return (content, Some(e));
            }
        }
    }
    (content, None)
}

/// Entries of the `zip` crate: name, content (`None` for a folder), deflated or not.
fn zip_crate(entries: &[(&str, Option<&[u8]>, bool)], large_file: bool) -> Bytes {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let time = zip::DateTime::from_date_and_time(2026, 9, 3, 16, 20, 40).unwrap();
    for &(name, content, deflated) in entries {
        let method = if deflated {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(time)
            .large_file(large_file);
        match content {
            Some(content) => {
                writer.start_file(name, options).unwrap();
                writer.write_all(content).unwrap();
            }
            None => writer.add_directory(name, options).unwrap(),
        }
    }
    Bytes::from(writer.finish().unwrap().into_inner())
}

/// Text that deflates, but not to nothing.
fn text(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            b"abcdefgh ijklmnop\n"[(state % 18) as usize]
        })
        .collect()
}

/// Hands a stream out in chunks of a few bytes, to cross every boundary.
struct Chunked {
    bytes: Bytes,
    chunk: usize,
}

impl RangeSource for Chunked {
    fn len(&self) -> u64 {
        RangeSource::len(&self.bytes)
    }

    fn read(&self, range: Range<u64>) -> BoxFuture<'_, std::io::Result<Bytes>> {
        self.bytes.read(range)
    }

    fn stream(&self, range: Range<u64>) -> BoxStream<'static, std::io::Result<Bytes>> {
        let chunk = self.chunk;
        self.bytes
            .stream(range)
            .flat_map(move |part| {
                let part = part.unwrap();
                let pieces: Vec<_> =
                    part.chunks(chunk).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
                futures_util::stream::iter(pieces)
            })
            .boxed()
    }
}

/// Records every range read.
struct Recording {
    bytes: Bytes,
    reads: Mutex<Vec<Range<u64>>>,
}

impl RangeSource for Recording {
    fn len(&self) -> u64 {
        RangeSource::len(&self.bytes)
    }

    fn read(&self, range: Range<u64>) -> BoxFuture<'_, std::io::Result<Bytes>> {
        self.reads.lock().unwrap().push(range.clone());
        self.bytes.read(range)
    }

    fn stream(&self, range: Range<u64>) -> BoxStream<'static, std::io::Result<Bytes>> {
        self.reads.lock().unwrap().push(range.clone());
        self.bytes.stream(range)
    }
}

/// Fails every read after the first `good` ones.
struct Failing {
    bytes: Bytes,
    good: Mutex<usize>,
}

impl RangeSource for Failing {
    fn len(&self) -> u64 {
        RangeSource::len(&self.bytes)
    }

    fn read(&self, range: Range<u64>) -> BoxFuture<'_, std::io::Result<Bytes>> {
        let mut good = self.good.lock().unwrap();
        if *good == 0 {
            return async { Err(std::io::Error::other("connection reset")) }.boxed();
        }
        *good -= 1;
        self.bytes.read(range)
    }

    fn stream(&self, _: Range<u64>) -> BoxStream<'static, std::io::Result<Bytes>> {
        futures_util::stream::once(async { Err(std::io::Error::other("connection reset")) }).boxed()
    }
}
