//! One scan per archive of an import: the first reader (the analysis, gathering parts) scans
//! the archive and keeps the scan in the database with the import; every later reader (the
//! analysis opening it, the import job, on any worker, after a restart) takes the kept scan
//! instead of reading the central directory and every local header again.
//!
//! Pitfall: a kept scan is taken only while the object answers with the size and etag it had
//! when scanned, and under the same scan limits; anything else (no etag, a row missing or
//! damaged) scans again. Trusting it costs nothing in integrity: every copy still checks each
//! file's CRC-32 and size against the entry, and its SHA-256 against the manifest.

use mesdonnees_db::ImportScan;
use mesdonnees_db::imports::scans;
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_zip::scan::{ScanLimits, ScannedArchive, kept};
use mesdonnees_zip::{LocalSource, RangeSource};
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStoreExt};

use super::{Failure, Refusal, StoreSource, limits};
use crate::error::JobError;

/// The archive under `key` that import `import_id` reads, with its scan: the kept one when it
/// still describes the object, else a new scan, kept for the next reader.
pub(crate) async fn scanned(
    ctx: &Context,
    import_id: &str,
    key: &str,
) -> Result<(Box<dyn RangeSource>, ScannedArchive), Failure> {
    let meta = head(ctx, key).await?;
    let source = open(ctx, key, &meta)?;
    let limits = limits(ctx);
    let size = i64::try_from(meta.size).unwrap_or(i64::MAX);
    let Some(etag) = meta.e_tag else {
        // Nothing tells these bytes from others: never kept, never taken.
        let archive = scan(ctx, source.as_ref(), &limits).await?;
        return Ok((source, archive));
    };
    if let Some(archive) = find(ctx, import_id, key, size, &etag, &limits).await? {
        ctx.metrics.record_import_scan(true);
        return Ok((source, archive));
    }
    let archive = scan(ctx, source.as_ref(), &limits).await?;
    let row = ImportScan {
        import_id: import_id.to_owned(),
        object_key: key.to_owned(),
        size,
        etag,
        scan: kept::encode(&archive, &limits),
    };
    // Keeping it only spares the next reader a scan: a failure to keep is not the import's.
    if let Err(e) = ctx.db.run(move |conn| scans::keep(conn, &row)).await {
        tracing::warn!(error = %e, "the archive's scan was not kept; the import will scan again");
    }
    Ok((source, archive))
}

/// The kept scan of `key`, when it describes these bytes under these limits.
async fn find(
    ctx: &Context,
    import_id: &str,
    key: &str,
    size: i64,
    etag: &str,
    limits: &ScanLimits,
) -> Result<Option<ScannedArchive>, Failure> {
    let (id, owned_key) = (import_id.to_owned(), key.to_owned());
    let Some(row) = ctx.db.run(move |conn| scans::find(conn, &id, &owned_key)).await? else {
        return Ok(None);
    };
    if row.size != size || row.etag != etag {
        tracing::info!("the kept scan describes other bytes; scanning the archive again");
        return Ok(None);
    }
    match kept::decode(&row.scan, limits) {
        Ok(archive) => Ok(Some(archive)),
        Err(e) => {
            tracing::info!(reason = %e, "the kept scan is not taken; scanning the archive again");
            Ok(None)
        }
    }
}

async fn scan(
    ctx: &Context,
    source: &dyn RangeSource,
    limits: &ScanLimits,
) -> Result<ScannedArchive, Failure> {
    let archive = mesdonnees_zip::scan::scan(source, limits).await?;
    ctx.metrics.record_import_scan(false);
    Ok(archive)
}

/// The object's size and etag.
async fn head(ctx: &Context, key: &str) -> Result<ObjectMeta, Failure> {
    match ctx.storage.store.head(&Path::from(key)).await {
        Ok(meta) => Ok(meta),
        Err(object_store::Error::NotFound { .. }) => {
            Err(Refusal::new(ErrorCode::UploadMissing, "the uploaded archive is gone").into())
        }
        Err(e) => Err(Failure::Job(JobError::Transient(format!("opening the upload: {e}")))),
    }
}

/// The stored archive for ranged reads: the file itself on a local store (positional reads in
/// large chunks), ranged gets otherwise.
fn open(ctx: &Context, key: &str, meta: &ObjectMeta) -> Result<Box<dyn RangeSource>, Failure> {
    let Some(root) = &ctx.storage.local_root else {
        let store = ctx.storage.store.clone();
        return Ok(Box::new(StoreSource { store, path: Path::from(key), size: meta.size }));
    };
    match LocalSource::open(&root.join(key)) {
        Ok(source) => Ok(Box::new(source)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Refusal::new(ErrorCode::UploadMissing, "the uploaded archive is gone").into())
        }
        Err(e) => Err(Failure::Job(JobError::Transient(format!("opening the upload: {e}")))),
    }
}
