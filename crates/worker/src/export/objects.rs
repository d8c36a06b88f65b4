//! Reading stored objects for the archive: a local store is read as plain files in 1 MiB
//! chunks (its own stream reads 8 KiB with a thread hop each), other stores through their stream.

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use mesdonnees_infra::storage::Storage;
use object_store::ObjectStoreExt;
use object_store::path::Path;
use tokio::io::AsyncReadExt;

const CHUNK: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the object is missing from the store")]
    Missing,
    #[error("the object is larger than recorded")]
    TooLarge,
    #[error("the object store failed: {0}")]
    Store(String),
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::NotFound {
            Self::Missing
        } else {
            Self::Store(e.to_string())
        }
    }
}

impl From<object_store::Error> for ReadError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => Self::Missing,
            other => Self::Store(other.to_string()),
        }
    }
}

/// The object's bytes as a stream.
pub async fn open(
    storage: &Storage,
    key: &str,
) -> Result<BoxStream<'static, std::io::Result<Bytes>>, ReadError> {
    if let Some(root) = &storage.local_root {
        let file = tokio::fs::File::open(root.join(key)).await?;
        return Ok(tokio_util::io::ReaderStream::with_capacity(file, CHUNK).boxed());
    }
    let result = storage.store.get(&Path::from(key)).await?;
    Ok(result.into_stream().map_err(std::io::Error::other).boxed())
}

/// The object as a reader: a local file read directly, another store's stream adapted.
pub async fn open_reader(
    storage: &Storage,
    key: &str,
) -> Result<Box<dyn tokio::io::AsyncRead + Send + Unpin>, ReadError> {
    if let Some(root) = &storage.local_root {
        return Ok(Box::new(tokio::fs::File::open(root.join(key)).await?));
    }
    let result = storage.store.get(&Path::from(key)).await?;
    Ok(Box::new(tokio_util::io::StreamReader::new(
        result.into_stream().map_err(std::io::Error::other),
    )))
}

/// A small object of a local store, read with plain blocking I/O (call it on a blocking thread).
/// `data` is a recycled buffer: its content is replaced.
pub fn read_local(
    root: &std::path::Path,
    key: &str,
    expected: u64,
    mut data: Vec<u8>,
) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let cap = usize::try_from(expected).map_err(|_| ReadError::TooLarge)?;
    let file = std::fs::File::open(root.join(key))?;
    data.clear();
    data.reserve(cap + 1);
    file.take(expected + 1).read_to_end(&mut data)?;
    if data.len() > cap {
        return Err(ReadError::TooLarge);
    }
    Ok(data)
}

/// The whole object, for small ones; refuses to read more than `expected` bytes.
pub async fn read_all(storage: &Storage, key: &str, expected: u64) -> Result<Vec<u8>, ReadError> {
    let cap = usize::try_from(expected).map_err(|_| ReadError::TooLarge)?;
    let mut data = Vec::with_capacity(cap);
    if let Some(root) = &storage.local_root {
        let file = tokio::fs::File::open(root.join(key)).await?;
        file.take(expected + 1).read_to_end(&mut data).await?;
    } else {
        let mut stream = open(storage, key).await?;
        while let Some(chunk) = stream.next().await {
            data.extend_from_slice(&chunk?);
            if data.len() > cap {
                break;
            }
        }
    }
    if data.len() > cap {
        return Err(ReadError::TooLarge);
    }
    Ok(data)
}
