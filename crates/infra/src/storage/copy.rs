//! A copy inside the store. S3's `CopyObject` takes objects of at most 5 GiB, and object_store
//! offers no ranged part copy (`UploadPartCopy`): a larger object is read as a stream and
//! written into a multipart upload, a few parts in memory at a time.
//!
//! The target appears whole or not at all: a multipart upload is invisible until completed, a
//! failure aborts it (`WriteMultipart::finish` aborts a refused completion itself), and a
//! source that ends short is not completed. A process killed mid-copy leaves an open upload,
//! which only the bucket's lifecycle rule removes, as for an archive being written; the caller
//! copies onto a key it derives, so its rerun writes the same target again.

use futures_util::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};

/// Part size of the streamed copy: S3 needs ≥ 5 MiB; the same as an archive's upload.
const PART_BYTES: u64 = 8 * 1024 * 1024;
/// Parts sent at once, the one being filled aside: what bounds the copy's memory.
const PARTS_IN_FLIGHT: usize = 2;
/// S3 takes at most this many parts in an upload: a very large object gets larger parts.
const MAX_PARTS: u64 = 10_000;

/// Copies `from` onto `to` through a multipart upload; returns the bytes copied.
pub(super) async fn streamed(
    store: &dyn ObjectStore,
    from: &Path,
    to: &Path,
) -> Result<u64, object_store::Error> {
    let source = store.get(from).await?;
    let expected = source.meta.size;
    let part = usize::try_from(PART_BYTES.max(expected.div_ceil(MAX_PARTS))).unwrap_or(usize::MAX);
    let upload = store.put_multipart(to).await?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, part);
    let mut stream = source.into_stream();
    let mut copied = 0_u64;
    while let Some(chunk) = stream.next().await {
        let written = match chunk {
            Ok(chunk) => writer.wait_for_capacity(PARTS_IN_FLIGHT - 1).await.map(|()| chunk),
            Err(e) => Err(e),
        };
        match written {
            Ok(chunk) => {
                copied += chunk.len() as u64;
                writer.put(chunk);
            }
            Err(e) => return Err(aborted(writer, e).await),
        }
    }
    if copied != expected {
        let short = std::io::Error::other(format!("read {copied} of {expected} bytes"));
        return Err(aborted(writer, generic(short)).await);
    }
    writer.finish().await?;
    Ok(copied)
}

/// Gives the upload up, and returns the error that made it fail.
async fn aborted(writer: WriteMultipart, error: object_store::Error) -> object_store::Error {
    if let Err(e) = writer.abort().await {
        tracing::warn!(error = %e, "a copy given up left its upload open");
    }
    error
}

fn generic(source: std::io::Error) -> object_store::Error {
    object_store::Error::Generic { store: "copy", source: Box::new(source) }
}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;

    use super::*;

    #[tokio::test]
    async fn an_object_of_several_parts_is_copied_byte_for_byte() {
        let store = InMemory::new();
        let len = usize::try_from(2 * PART_BYTES + 12_345).expect("small");
        let bytes: Vec<u8> = (0_u32..).flat_map(u32::to_le_bytes).take(len).collect();
        let (from, to) = (Path::from("exports/a.zip"), Path::from("documents/b"));
        store.put(&from, bytes.clone().into()).await.expect("put");
        store.put(&to, b"an older copy".to_vec().into()).await.expect("put");
        assert_eq!(streamed(&store, &from, &to).await.expect("copied"), len as u64);
        let copy = store.get(&to).await.expect("get").bytes().await.expect("bytes");
        assert!(copy == bytes, "the copy replaces the older one with the same bytes");

        let missing = streamed(&store, &Path::from("exports/none.zip"), &to).await;
        assert!(matches!(missing, Err(object_store::Error::NotFound { .. })), "{missing:?}");
    }
}
