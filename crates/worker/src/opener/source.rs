//! An archive in the object store as a [`RangeSource`] for the scanner: ranged gets, so an
//! upload is analysed without downloading it whole.

use std::io;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream};
use futures_util::{FutureExt, StreamExt, TryStreamExt};
use mesdonnees_zip::{RangeSource, check_range};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};

/// An archive in the object store; `size` is the object's length, known from its listing or
/// upload, so that no request is spent on it.
pub struct StoreSource {
    pub store: Arc<dyn ObjectStore>,
    pub path: Path,
    pub size: u64,
}

impl StoreSource {
    /// Looks the object's size up.
    pub async fn open(store: Arc<dyn ObjectStore>, path: Path) -> io::Result<Self> {
        let size = store.head(&path).await.map_err(store_error)?.size;
        Ok(Self { store, path, size })
    }
}

impl RangeSource for StoreSource {
    fn len(&self) -> u64 {
        self.size
    }

    fn read(&self, range: Range<u64>) -> BoxFuture<'_, io::Result<Bytes>> {
        async move {
            check_range(&range, self.size)?;
            // Stores refuse an empty range rather than answering nothing.
            if range.is_empty() {
                return Ok(Bytes::new());
            }
            let expected = range.end - range.start;
            let bytes = self.store.get_range(&self.path, range).await.map_err(store_error)?;
            if bytes.len() as u64 == expected {
                Ok(bytes)
            } else {
                Err(io::Error::new(io::ErrorKind::UnexpectedEof, "object shorter than its size"))
            }
        }
        .boxed()
    }

    fn stream(&self, range: Range<u64>) -> BoxStream<'static, io::Result<Bytes>> {
        if let Err(e) = check_range(&range, self.size) {
            return stream::once(async move { Err(e) }).boxed();
        }
        if range.is_empty() {
            return stream::empty().boxed();
        }
        let store = Arc::clone(&self.store);
        let path = self.path.clone();
        let options = GetOptions { range: Some(GetRange::Bounded(range)), ..GetOptions::default() };
        stream::once(async move { store.get_opts(&path, options).await })
            .map_ok(object_store::GetResult::into_stream)
            .try_flatten()
            .map_err(store_error)
            .boxed()
    }
}

fn store_error(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        other => io::Error::other(other),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use mesdonnees_zip::scan::{ScanError, ScanLimits, open_entry, scan};
    use mesdonnees_zip::write::{WholeEntry, ZipWriter};
    use object_store::memory::InMemory;

    use super::*;

    /// Text that deflates, but not to nothing.
    fn text(len: usize) -> Vec<u8> {
        (0..len).map(|i| b"abcdefgh ijklmnop\n"[(i * 7 + i / 18) % 18]).collect()
    }

    /// A stored entry and a deflated one.
    async fn two() -> Vec<u8> {
        let mut zip = ZipWriter::new(Vec::new());
        let content = text(2000);
        let deflated =
            mesdonnees_zip::deflate::deflate(&content, mesdonnees_zip::deflate::WholeLevel::FAST)
                .unwrap();
        for (name, data, deflated, content) in
            [("a.txt", &b"alpha"[..], false, &b"alpha"[..]), ("b.txt", &deflated, true, &content)]
        {
            let entry = WholeEntry {
                data,
                deflated,
                crc32: crc32fast::hash(content),
                size: content.len() as u64,
            };
            zip.add_whole(name, entry, Utc::now()).await.unwrap();
        }
        zip.finish().await.unwrap().0
    }

    #[tokio::test]
    async fn a_missing_object_is_not_found() {
        let store: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let error = StoreSource::open(store, Path::from("imports/none.zip")).await.err().unwrap();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }

    #[tokio::test]
    async fn an_archive_in_the_store_is_scanned_through_ranged_reads() {
        let store: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let path = Path::from("imports/a.zip");
        let bytes = Bytes::from(two().await);
        store.put(&path, bytes.into()).await.unwrap();
        let source = StoreSource::open(Arc::clone(&store), path.clone()).await.unwrap();
        let archive = scan(&source, &ScanLimits::default()).await.unwrap();
        let content: Vec<u8> = open_entry(&source, &archive.entries[1])
            .map(|chunk| chunk.unwrap().to_vec())
            .concat()
            .await;
        assert_eq!(content, text(2000));
        store.delete(&path).await.unwrap();
        let error = scan(&source, &ScanLimits::default()).await.unwrap_err();
        assert_eq!(error.code(), "archive_unreadable");
        let ScanError::Io(io) = error else { unreachable!() };
        assert_eq!(io.kind(), io::ErrorKind::NotFound);
    }
}
