//! Copies one entry of an uploaded archive into the object store, checked on the way: its
//! content against the central directory (by the scanner's entry stream), its SHA-256 against
//! what the format lists, when it lists one. What one copy holds at most is [`copy_charge`],
//! by which the import bounds the copies it runs at once.

use futures_util::StreamExt;
use mesdonnees_infra::Context;
use mesdonnees_zip::scan::{ScannedEntry, entry_read_overhead, open_entry};
use object_store::buffered::BufWriter;
use object_store::path::Path;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{Failure, Opened};
use crate::error::JobError;

/// Part size of the upload of a large document (S3 needs ≥ 5 MiB).
const PART_BYTES: usize = 8 * 1024 * 1024;
/// Parts of one document uploaded at once: with the part being filled, what bounds a copy's
/// buffers (the store's default, eight, would let one large file hold 72 MiB).
const PARTS_IN_FLIGHT: usize = 2;
/// Largest chunk a source hands out (a local archive is read 1 MiB at a time).
const READ_CHUNK: u64 = 1024 * 1024;
/// What a copy holds whatever its size: its task, hashers, the writer.
const COPY_OVERHEAD: u64 = 16 * 1024;

/// What copying `entry` holds at most at once: the chunk read, the inflater's room, and the
/// content buffered for the store (all of it for a small file; the parts in flight for a
/// large one).
pub(crate) fn copy_charge(entry: &ScannedEntry) -> u64 {
    let buffered = (PART_BYTES * (PARTS_IN_FLIGHT + 1)) as u64;
    entry.uncompressed_size.min(buffered)
        + entry.compressed_size.min(READ_CHUNK)
        + entry_read_overhead(entry)
        + COPY_OVERHEAD
}

/// Streams an entry into the store under `key`, hashing it; a content that differs from
/// the manifest's checksum is not kept. `None`: the format gives no checksum to compare.
pub(crate) async fn store_entry(
    ctx: &Context,
    opened: &Opened,
    entry: &ScannedEntry,
    key: &Path,
    checksum: Option<&str>,
) -> Result<Stored, Failure> {
    store_pieces(ctx, opened, &[(entry, checksum)], None, key).await
}

/// Streams the pieces of a file cut across parts, in order, into one object under `key`: each
/// piece is checked against its own checksum, and the whole against `whole` when known (the
/// app's metadata gives it). One piece with no `whole` is an ordinary entry.
pub(crate) async fn store_pieces(
    ctx: &Context,
    opened: &Opened,
    pieces: &[(&ScannedEntry, Option<&str>)],
    whole: Option<&str>,
    key: &Path,
) -> Result<Stored, Failure> {
    let mut writer = BufWriter::with_capacity(ctx.storage.store.clone(), key.clone(), PART_BYTES)
        .with_max_concurrency(PARTS_IN_FLIGHT);
    let mut whole_hasher = Sha256::new();
    let mut outcome = None;
    for (entry, checksum) in pieces {
        let mut hasher = Sha256::new();
        let mut content = open_entry(opened.source.as_ref(), entry);
        while let Some(chunk) = content.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(mesdonnees_zip::scan::ScanError::Io(e)) => {
                    abort(&mut writer).await;
                    let message = format!("reading the upload: {e}");
                    return Err(Failure::Job(JobError::Transient(message)));
                }
                Err(e) => {
                    outcome = Some(Stored::Corrupt(e.to_string()));
                    break;
                }
            };
            hasher.update(&chunk);
            if pieces.len() > 1 {
                whole_hasher.update(&chunk);
            }
            if let Err(e) = writer.write_all(&chunk).await {
                abort(&mut writer).await;
                let message = format!("writing a document: {e}");
                return Err(Failure::Job(JobError::Transient(message)));
            }
        }
        let sha256 = hex::encode(hasher.finalize());
        outcome = outcome.or_else(|| match checksum {
            Some(expected) if !sha256.eq_ignore_ascii_case(expected) => Some(Stored::Mismatch),
            _ if pieces.len() == 1 => Some(Stored::Ok(sha256)),
            _ => None,
        });
        if matches!(outcome, Some(Stored::Mismatch | Stored::Corrupt(_))) {
            break;
        }
    }
    let outcome = outcome.unwrap_or_else(|| {
        let sha256 = hex::encode(whole_hasher.finalize());
        match whole {
            Some(expected) if !sha256.eq_ignore_ascii_case(expected) => Stored::Mismatch,
            _ => Stored::Ok(sha256),
        }
    });
    if !matches!(outcome, Stored::Ok(_)) {
        abort(&mut writer).await;
        return Ok(outcome);
    }
    if let Err(e) = writer.shutdown().await {
        abort(&mut writer).await;
        return Err(Failure::Job(JobError::Transient(format!("writing a document: {e}"))));
    }
    Ok(outcome)
}

/// What became of an entry copied into the store.
pub(crate) enum Stored {
    /// Kept, with the SHA-256 of its content.
    Ok(String),
    Mismatch,
    Corrupt(String),
}

async fn abort(writer: &mut BufWriter) {
    if let Err(e) = writer.abort().await {
        tracing::warn!(error = %e, "partial document upload not aborted");
    }
}
