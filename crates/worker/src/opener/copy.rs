//! Copies one entry of an uploaded archive into the object store, checked on the way: its
//! content against the central directory (by the scanner's entry stream), its SHA-256 against
//! what the format lists, when it lists one.

use futures_util::StreamExt;
use mesdonnees_infra::Context;
use mesdonnees_zip::scan::{ScannedEntry, open_entry};
use object_store::buffered::BufWriter;
use object_store::path::Path;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{Failure, Opened};
use crate::error::JobError;

/// Part size of the upload of a large document (S3 needs ≥ 5 MiB).
const PART_BYTES: usize = 8 * 1024 * 1024;

/// Streams an entry into the store under `key`, hashing it; a content that differs from
/// the manifest's checksum is not kept. `None`: the format gives no checksum to compare.
pub(crate) async fn store_entry(
    ctx: &Context,
    opened: &Opened,
    entry: &ScannedEntry,
    key: &Path,
    checksum: Option<&str>,
) -> Result<Stored, Failure> {
    let mut writer = BufWriter::with_capacity(ctx.storage.store.clone(), key.clone(), PART_BYTES);
    let mut hasher = Sha256::new();
    let mut content = open_entry(opened.source.as_ref(), entry);
    let mut outcome = None;
    while let Some(chunk) = content.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(mesdonnees_zip::scan::ScanError::Io(e)) => {
                abort(&mut writer).await;
                return Err(Failure::Job(JobError::Transient(format!("reading the upload: {e}"))));
            }
            Err(e) => {
                outcome = Some(Stored::Corrupt(e.to_string()));
                break;
            }
        };
        hasher.update(&chunk);
        if let Err(e) = writer.write_all(&chunk).await {
            abort(&mut writer).await;
            return Err(Failure::Job(JobError::Transient(format!("writing a document: {e}"))));
        }
    }
    let sha256 = hex::encode(hasher.finalize());
    let outcome = outcome.unwrap_or_else(|| match checksum {
        Some(expected) if !sha256.eq_ignore_ascii_case(expected) => Stored::Mismatch,
        _ => Stored::Ok(sha256),
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
