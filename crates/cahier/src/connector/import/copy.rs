//! Copying a staged object into this app's own key, checking it on the way.

use std::sync::Arc;

use object_store::path::Path;
use object_store::{Error as StoreError, ObjectStore, ObjectStoreExt};

use crate::storage::{self, WriteError, Written};

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("the staged object does not exist")]
    Missing,
    #[error("the staged object does not have the announced size and SHA-256")]
    Mismatch,
    #[error("the object store failed")]
    Store(#[from] StoreError),
}

/// Streams `from` into `to`, refusing it (and leaving nothing under `to`) unless it has exactly
/// `size` bytes hashing to `sha256`.
pub async fn copy_verified(
    store: &Arc<dyn ObjectStore>,
    from: &Path,
    to: &Path,
    size: u64,
    sha256: &str,
) -> Result<Written, CopyError> {
    let object = match store.get(from).await {
        Ok(object) => object,
        Err(StoreError::NotFound { .. }) => return Err(CopyError::Missing),
        Err(e) => return Err(e.into()),
    };
    let written = storage::write_stream(store, to, object.into_stream(), size).await.map_err(
        |e| match e {
            WriteError::TooLarge(_) => CopyError::Mismatch,
            WriteError::Source(StoreError::NotFound { .. }) => CopyError::Missing,
            WriteError::Source(e) | WriteError::Store(e) => CopyError::Store(e),
        },
    )?;
    if written.size != size || !written.sha256.eq_ignore_ascii_case(sha256) {
        storage::discard(store, std::slice::from_ref(to)).await;
        return Err(CopyError::Mismatch);
    }
    Ok(written)
}

/// Objects an import call wrote: deleted unless the call commits, even when the call is dropped
/// halfway (its client went away).
pub struct Copied {
    store: Arc<dyn ObjectStore>,
    keys: Vec<Path>,
}

impl Copied {
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store, keys: Vec::new() }
    }

    pub fn push(&mut self, key: Path) {
        self.keys.push(key);
    }

    /// The call committed: the objects stay.
    pub fn keep(mut self) {
        self.keys.clear();
    }

    pub async fn discard(mut self) {
        let keys = std::mem::take(&mut self.keys);
        storage::discard(&self.store, &keys).await;
    }
}

impl Drop for Copied {
    fn drop(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        let keys = std::mem::take(&mut self.keys);
        let store = self.store.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { storage::discard(&store, &keys).await });
        } else {
            tracing::warn!(objects = keys.len(), "objects of a dropped import left behind");
        }
    }
}
