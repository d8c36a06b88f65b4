//! A store that refuses to copy an object larger than a limit in one request, as S3's
//! `CopyObject` does above 5 GiB; the S3-compatible server of the tests has no such limit, so
//! without this a delivery that went through a single copy would pass unnoticed.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    ObjectStoreExt, PutMultipartOptions, PutOptions, PutPayload, PutResult,
};

#[derive(Debug)]
pub struct CopyLimitedStore {
    inner: Arc<dyn ObjectStore>,
    max_bytes: u64,
}

impl CopyLimitedStore {
    pub fn new(inner: Arc<dyn ObjectStore>, max_bytes: u64) -> Self {
        Self { inner, max_bytes }
    }
}

impl fmt::Display for CopyLimitedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CopyLimitedStore({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for CopyLimitedStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    async fn get_ranges(
        &self,
        location: &Path,
        ranges: &[Range<u64>],
    ) -> object_store::Result<Vec<Bytes>> {
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
        let size = self.inner.head(from).await?.size;
        if size > self.max_bytes {
            // S3's own words for it (an `InvalidRequest`).
            let words = format!(
                "The specified copy source is larger than the maximum allowable size for a copy \
                 source: {}",
                self.max_bytes
            );
            return Err(object_store::Error::Generic {
                store: "S3",
                source: Box::new(std::io::Error::other(words)),
            });
        }
        self.inner.copy_opts(from, to, options).await
    }
}
