//! What every streamed upload shares: the part sizes of the streaming write to the store, how a
//! refused body leaves nothing behind, and how much of a refused body is still read.
//!
//! Parts are sized as the export's (8 MiB, two in flight) rather than by `BufWriter`'s
//! defaults, which can hold ~110 MiB against a slow store. After `shutdown()`, even a failed
//! one, `abort()` panics ("Already shut down"): the writer is dropped instead.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use mesdonnees_infra::Context;
use object_store::ObjectStoreExt;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use tokio::io::AsyncWriteExt;

use crate::Error;

/// Bytes read and thrown away after a refusal so the client gets the answer instead of a reset
/// connection; past this the connection is simply closed. A body declared larger than a limit
/// by more than this is refused before it is read.
pub const DRAIN_CAP: u64 = 16 * 1024 * 1024;
/// Part size of the streaming upload to the store: S3 needs ≥ 5 MiB, memory stays bounded by
/// this times the parts in flight.
const PART_BYTES: usize = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT: usize = 2;

/// Refuses, before reading it, a body whose declared length exceeds `max` by more than what a
/// refusal reads; `too_large` is the answer.
pub(crate) fn check_declared(
    declared: Option<u64>,
    max: u64,
    too_large: impl FnOnce(u64) -> Error,
) -> Result<(), Error> {
    if declared.is_some_and(|len| len > max.saturating_add(DRAIN_CAP)) {
        return Err(too_large(max));
    }
    Ok(())
}

/// What an upload checks while it streams.
pub(crate) trait Inspect {
    /// Sees each chunk, `size` being the bytes received so far, this chunk included.
    fn chunk(&mut self, size: u64, chunk: &[u8]) -> Result<(), Error>;
    /// Runs once the body has ended, before the object is committed.
    fn end(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

/// Streams `body` into the store under `key` while `inspect` checks it; answers its size. On any
/// refusal or failure, of the body or of the store, the partial upload is aborted, so nothing
/// half written remains.
pub(crate) async fn store<E: From<Error>>(
    ctx: &Context,
    key: &Path,
    body: impl Stream<Item = Result<Bytes, E>>,
    inspect: &mut impl Inspect,
) -> Result<u64, E> {
    let mut writer = BufWriter::with_capacity(ctx.storage.store.clone(), key.clone(), PART_BYTES)
        .with_max_concurrency(PARTS_IN_FLIGHT);
    let mut body = std::pin::pin!(body);
    let mut size = 0_u64;
    let received: Result<(), E> = async {
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            size = size.saturating_add(chunk.len() as u64);
            inspect.chunk(size, &chunk)?;
            writer.put(chunk).await.map_err(Error::from)?;
        }
        inspect.end()?;
        Ok(())
    }
    .await;
    if let Err(e) = received {
        if let Err(abort) = writer.abort().await {
            tracing::warn!(error = %abort, "partial upload not aborted");
        }
        return Err(e);
    }
    // Not followed by `abort` when it fails (a full disk): object_store's `BufWriter` panics
    // then, and has already removed what it had written.
    writer.shutdown().await.map_err(Error::storage)?;
    Ok(size)
}

/// Removes a stored upload that did not become a row.
pub(crate) async fn discard(ctx: &Context, key: &Path) {
    if let Err(e) = ctx.storage.store.delete(key).await {
        tracing::warn!(error = %e, "uploaded object not removed after a refusal");
    }
}
