//! A store whose disk can fill up: once [`DiskSwitch::fill`] is called, every write fails as a
//! local store's does on a full disk (ENOSPC inside the store's error), reads go on. The
//! service runs on it as on S3 (no `local_root`), so the archive an export writes goes
//! through it too. It also counts the reads of an object's content, so a test can tell that
//! an answer opened none.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, UploadPart,
};

/// Fills and frees the disk of a [`FullableStore`], and tells how many reads it served.
#[derive(Clone, Debug, Default)]
pub struct DiskSwitch {
    full: Arc<AtomicBool>,
    reads: Arc<AtomicUsize>,
}

impl DiskSwitch {
    pub fn fill(&self) {
        self.full.store(true, Ordering::SeqCst);
    }

    pub fn free(&self) {
        self.full.store(false, Ordering::SeqCst);
    }

    /// How many times an object's content was asked for (a lookup of its metadata is not).
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }

    fn check(&self) -> object_store::Result<()> {
        if self.full.load(Ordering::SeqCst) {
            return Err(object_store::Error::Generic {
                store: "LocalFileSystem",
                source: Box::new(std::io::Error::from_raw_os_error(28)),
            });
        }
        Ok(())
    }
}

#[derive(Debug)]
pub struct FullableStore {
    inner: Arc<dyn ObjectStore>,
    disk: DiskSwitch,
}

impl FullableStore {
    pub fn new(inner: Arc<dyn ObjectStore>, disk: DiskSwitch) -> Self {
        Self { inner, disk }
    }
}

impl fmt::Display for FullableStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FullableStore({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for FullableStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        self.disk.check()?;
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        let inner = self.inner.put_multipart_opts(location, opts).await?;
        Ok(Box::new(FullableUpload { inner, disk: self.disk.clone() }))
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        if !options.head {
            self.disk.reads.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.get_opts(location, options).await
    }

    async fn get_ranges(
        &self,
        location: &Path,
        ranges: &[Range<u64>],
    ) -> object_store::Result<Vec<Bytes>> {
        self.disk.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.get_ranges(location, ranges).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        from: &Path,
        to: &Path,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        self.disk.check()?;
        self.inner.copy_opts(from, to, options).await
    }
}

#[derive(Debug)]
struct FullableUpload {
    inner: Box<dyn MultipartUpload>,
    disk: DiskSwitch,
}

#[async_trait]
impl MultipartUpload for FullableUpload {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        match self.disk.check() {
            Ok(()) => self.inner.put_part(data),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }

    async fn complete(&mut self) -> object_store::Result<PutResult> {
        self.disk.check()?;
        self.inner.complete().await
    }

    async fn abort(&mut self) -> object_store::Result<()> {
        self.inner.abort().await
    }
}
