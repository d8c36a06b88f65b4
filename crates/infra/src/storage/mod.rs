//! The object store: a local folder by default, S3 (or any S3-compatible server) by URL.
//!
//! object_store's `LocalFileSystem` streams a file 8 KiB at a time with a thread hop per chunk,
//! several times slower than reading the file in 1 MiB chunks: hot paths take `local_root`
//! and read the file themselves (positional reads for the scanner), and keep the store's
//! stream and ranged GETs for S3. Since object_store 0.13, `put`, `get` and `delete` come from
//! `ObjectStoreExt`, which must be in scope. Listings of a local store come back unsorted.
//!
//! A full disk reaches the code as many types: an `io::Error` (ENOSPC, EDQUOT) wrapped in the
//! store's error, wrapped again in an `io::Error` by `BufWriter`, whose `source()` skips the
//! error it wraps; SQLite says it in words only, Postgres with the OS's words.
//! [`is_storage_full`] looks through all of them.
//!
//! A copy goes through [`Storage::copy`], not the store's own: on S3 that one is a single
//! `CopyObject`, refused above 5 GiB (`copy`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStore;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::signer::{Method, SignedUrlOptions, Signer, Url};

use crate::config::StorageConfig;

mod copy;

/// The store and where it really lives; a local folder can be read with plain file I/O, which is
/// several times faster than the store's 8 KiB local stream.
#[derive(Clone)]
pub struct Storage {
    pub store: Arc<dyn ObjectStore>,
    pub local_root: Option<PathBuf>,
    /// Present when clients may fetch objects from the store itself (`storage.s3_presigned_links`).
    pub presigner: Option<Presigner>,
    /// On S3, the largest object copied in one request (`storage.s3_single_copy_max_bytes`).
    single_copy_max: Option<u64>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("store", &self.store.to_string())
            .field("local_root", &self.local_root)
            .field("presigned_links", &self.presigner.is_some())
            .field("single_copy_max", &self.single_copy_max)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("unsupported storage URL (expected file://PATH or s3://BUCKET[/PREFIX])")]
    UnsupportedUrl,
    #[error("cannot create the storage folder {0}")]
    Folder(PathBuf, #[source] std::io::Error),
    #[error("cannot configure the object store")]
    Store(#[from] object_store::Error),
}

impl Storage {
    pub fn from_config(config: &StorageConfig) -> Result<Self, StorageError> {
        if let Some(path) = config.url.strip_prefix("file://") {
            let root = PathBuf::from(path);
            std::fs::create_dir_all(&root).map_err(|e| StorageError::Folder(root.clone(), e))?;
            let root = root.canonicalize().map_err(|e| StorageError::Folder(root.clone(), e))?;
            let store = LocalFileSystem::new_with_prefix(&root)?.with_automatic_cleanup(true);
            return Ok(Self {
                store: Arc::new(store),
                local_root: Some(root),
                presigner: None,
                single_copy_max: None,
            });
        }
        let Some(rest) = config.url.strip_prefix("s3://") else {
            return Err(StorageError::UnsupportedUrl);
        };
        let (bucket, prefix) = match rest.split_once('/') {
            Some((bucket, prefix)) => (bucket, prefix.trim_matches('/')),
            None => (rest, ""),
        };
        if bucket.is_empty() {
            return Err(StorageError::UnsupportedUrl);
        }
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(&config.s3_region)
            .with_allow_http(config.s3_allow_http)
            .with_virtual_hosted_style_request(!config.s3_path_style);
        if let Some(endpoint) = &config.s3_endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(key) = &config.s3_access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &config.s3_secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        let s3 = builder.build()?;
        let presigner = config
            .s3_presigned_links
            .then(|| Presigner { s3: s3.clone(), prefix: prefix.to_owned() });
        let store: Arc<dyn ObjectStore> =
            if prefix.is_empty() { Arc::new(s3) } else { Arc::new(PrefixStore::new(s3, prefix)) };
        Ok(Self {
            store,
            local_root: None,
            presigner,
            single_copy_max: Some(config.s3_single_copy_max_bytes),
        })
    }

    /// Copies the object `from` onto `to`, replacing what is there; `to` appears whole or not at
    /// all. An object over the store's single-copy limit is streamed into a multipart upload.
    pub async fn copy(&self, from: &Path, to: &Path) -> Result<(), object_store::Error> {
        use object_store::ObjectStoreExt;
        if let Some(max) = self.single_copy_max
            && self.store.head(from).await?.size > max
        {
            copy::streamed(self.store.as_ref(), from, to).await?;
            return Ok(());
        }
        self.store.copy(from, to).await
    }
}

/// What a full disk says in words, where no `io::Error` carries it: the OS's message (Postgres
/// quotes it), SQLite's `SQLITE_FULL`, MinIO's code.
const FULL_WORDS: [&str; 3] =
    ["No space left on device", "database or disk is full", "XMinioStorageFull"];

/// Whether `error`, or an error it wraps, says that the disk (or the disk quota) of the store or
/// of the database is full.
pub fn is_storage_full(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind;
            if matches!(io.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded) {
                return true;
            }
            // An `io::Error` made from another error hides it from `source()`.
            if io.get_ref().is_some_and(|inner| is_storage_full(inner)) {
                return true;
            }
        }
        let words = e.to_string();
        if FULL_WORDS.iter().any(|w| words.contains(w)) {
            return true;
        }
        next = e.source();
    }
    false
}

/// Signs URLs through which a client reads an object straight from an S3 store, without
/// credentials and without the bytes passing through this service.
#[derive(Clone, Debug)]
pub struct Presigner {
    s3: AmazonS3,
    /// The URL's prefix: the signer works on the bucket, beneath the store's `PrefixStore`.
    prefix: String,
}

impl Presigner {
    /// A GET of `key` valid for `ttl`. `response` overrides headers of the answer (S3's
    /// `response-content-disposition`, …); they are signed with the rest, so a client cannot
    /// alter them.
    pub async fn get_url(
        &self,
        key: &str,
        ttl: Duration,
        response: &[(&str, &str)],
    ) -> Result<Url, object_store::Error> {
        let path = if self.prefix.is_empty() {
            Path::from(key)
        } else {
            Path::from(format!("{}/{key}", self.prefix))
        };
        let options = SignedUrlOptions::new().with_query(response.iter().copied());
        self.s3.signed_url_opts(Method::GET, &path, ttl, &options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enospc() -> std::io::Error {
        std::io::Error::from_raw_os_error(28)
    }

    #[test]
    fn a_full_disk_is_recognised_however_it_is_wrapped() {
        let store =
            object_store::Error::Generic { store: "LocalFileSystem", source: Box::new(enospc()) };
        assert!(is_storage_full(&store));
        // What `BufWriter::shutdown` answers: the store's error inside an `io::Error`.
        assert!(is_storage_full(&std::io::Error::from(store)));
        // SQLite's words, as a statement's failure carries them.
        let sqlite = mesdonnees_db::DbError::Migration("database or disk is full".to_owned());
        assert!(is_storage_full(&sqlite));
        assert!(is_storage_full(&std::io::Error::from(std::io::ErrorKind::QuotaExceeded)));

        let other = object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(std::io::Error::from(std::io::ErrorKind::PermissionDenied)),
        };
        assert!(!is_storage_full(&other));
        assert!(!is_storage_full(&std::io::Error::from(other)));
        assert!(!is_storage_full(&mesdonnees_db::DbError::Cancelled));
    }
}
