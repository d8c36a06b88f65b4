//! Where an archive's bytes come from: ranged reads, so that an upload is analysed without
//! downloading it whole.

use std::io;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream};
use futures_util::{FutureExt, StreamExt};

/// Chunk size of an in-memory source's stream.
const MEMORY_CHUNK: usize = 64 * 1024;

/// Random access to the bytes of one archive.
pub trait RangeSource: Send + Sync {
    fn len(&self) -> u64;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A small range, returned whole; callers bound its length.
    fn read(&self, range: Range<u64>) -> BoxFuture<'_, io::Result<Bytes>>;

    /// A large range, in chunks.
    fn stream(&self, range: Range<u64>) -> BoxStream<'static, io::Result<Bytes>>;
}

/// An archive in a local file, read with positional reads on blocking threads (an object
/// store's own streams of a local file come 8 KiB at a time with a thread hop each, several
/// times slower).
pub struct LocalSource {
    file: Arc<std::fs::File>,
    size: u64,
}

/// Chunk size of a local file's stream.
const LOCAL_CHUNK: u64 = 1024 * 1024;

impl LocalSource {
    pub fn open(path: &std::path::Path) -> io::Result<Self> {
        let file = std::fs::File::open(path)?;
        let size = file.metadata()?.len();
        Ok(Self { file: Arc::new(file), size })
    }
}

fn read_at(file: &std::fs::File, range: Range<u64>) -> io::Result<Bytes> {
    use std::os::unix::fs::FileExt;
    let mut buffer = vec![0; usize::try_from(range.end - range.start).map_err(io::Error::other)?];
    file.read_exact_at(&mut buffer, range.start)?;
    Ok(Bytes::from(buffer))
}

impl RangeSource for LocalSource {
    fn len(&self) -> u64 {
        self.size
    }

    fn read(&self, range: Range<u64>) -> BoxFuture<'_, io::Result<Bytes>> {
        let file = Arc::clone(&self.file);
        let size = self.size;
        async move {
            check_range(&range, size)?;
            tokio::task::spawn_blocking(move || read_at(&file, range))
                .await
                .map_err(io::Error::other)?
        }
        .boxed()
    }

    fn stream(&self, range: Range<u64>) -> BoxStream<'static, io::Result<Bytes>> {
        if let Err(e) = check_range(&range, self.size) {
            return stream::once(async move { Err(e) }).boxed();
        }
        let file = Arc::clone(&self.file);
        stream::try_unfold(range, move |rest| {
            let file = Arc::clone(&file);
            async move {
                if rest.is_empty() {
                    return Ok(None);
                }
                let end = rest.end.min(rest.start + LOCAL_CHUNK);
                let chunk = rest.start..end;
                let bytes = tokio::task::spawn_blocking(move || read_at(&file, chunk))
                    .await
                    .map_err(io::Error::other)??;
                Ok(Some((bytes, end..rest.end)))
            }
        })
        .boxed()
    }
}

impl RangeSource for Bytes {
    fn len(&self) -> u64 {
        self.len() as u64
    }

    fn read(&self, range: Range<u64>) -> BoxFuture<'_, io::Result<Bytes>> {
        let result =
            check_range(&range, RangeSource::len(self)).map(|()| self.slice(usizes(&range)));
        async move { result }.boxed()
    }

    fn stream(&self, range: Range<u64>) -> BoxStream<'static, io::Result<Bytes>> {
        if let Err(e) = check_range(&range, RangeSource::len(self)) {
            return stream::once(async move { Err(e) }).boxed();
        }
        let mut rest = self.slice(usizes(&range));
        let chunks = std::iter::from_fn(move || {
            (!rest.is_empty()).then(|| rest.split_to(rest.len().min(MEMORY_CHUNK)))
        });
        stream::iter(chunks.map(Ok)).boxed()
    }
}

/// Checks that a range lies within an archive of `len` bytes, as every read of a
/// [`RangeSource`] must: an error of kind `UnexpectedEof` otherwise.
pub fn check_range(range: &Range<u64>, len: u64) -> io::Result<()> {
    if range.start <= range.end && range.end <= len {
        Ok(())
    } else {
        Err(io::Error::new(io::ErrorKind::UnexpectedEof, "range past the end of the archive"))
    }
}

/// A range already checked against a length held in memory, so it fits `usize`.
#[expect(clippy::cast_possible_truncation, reason = "bounded by the length of an in-memory buffer")]
fn usizes(range: &Range<u64>) -> Range<usize> {
    range.start as usize..range.end as usize
}
