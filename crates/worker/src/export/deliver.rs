//! Delivering a ready export's file into its owner's documents space (`deliver_to:
//! "documents"`): a copy in the store under a document id derived from the export, then, in the
//! transaction that publishes the export, the folder « Mes exports » found or made, the quota
//! checked again and the document's row. A run again after a crash copies onto the same key
//! and finds the same id, so the document is neither lost nor doubled; cancelled or failed
//! before a rerun, the next claim of its job removes the copy (`remove_undelivered`); deleted
//! before that claim, the deletion purges it (`core::exports::delete`), both by the one
//! derivation of `shared::exports::delivery_document_id`.
//!
//! Pitfalls: the folder is known by an id derived from its owner, not by its name: renamed, it
//! is still the one used; deleted, it is made again; a folder of the user's own that happens to
//! be called « Mes exports » is left alone (ours takes a free name beside it). The quota was
//! checked against an estimate before the export started; the user's space may have filled
//! since, so the copy is then dropped and the export says why (`delivery.error_code`), its
//! download unaffected. On S3 a copy is one `CopyObject`, which the service limits to 5 GiB:
//! `Storage::copy` streams a larger archive into a multipart upload, so the copy must not go
//! through the store's own `copy`.

use mesdonnees_db::{DbConnection, DbError, DocumentKind, Export, NewDocument, documents, exports};
use mesdonnees_infra::Context;
use mesdonnees_shared::derived::document_id;
use mesdonnees_shared::entry_name::sanitize_segment;
use mesdonnees_shared::exports::{
    DELIVERY_FOLDER, Delivery, ExportOptions, delivery_document_id, document_key,
};
use mesdonnees_shared::{DocumentName, ErrorCode};
use object_store::ObjectStoreExt;
use object_store::path::Path;

use crate::error::JobError;

/// The export's file copied to where its document will be, waiting for its row.
pub(super) struct Staged {
    export_id: String,
    owner: String,
    document_id: String,
    key: Path,
    name: String,
    content_type: &'static str,
    size: i64,
    sha256: String,
    quota: u64,
}

/// Copies the ready file at `key` to its document's key when the export is to be delivered.
pub(super) async fn stage(
    ctx: &Context,
    export: &Export,
    options: &ExportOptions,
    key: &str,
    size: i64,
    sha256: &str,
) -> Result<Option<Staged>, JobError> {
    let Some(Delivery::Documents) = options.deliver_to else { return Ok(None) };
    let id = delivery_document_id(&export.id);
    let target = Path::from(document_key(&id));
    ctx.storage
        .copy(&Path::from(key), &target)
        .await
        .map_err(|e| JobError::storage("delivery into the documents space", &e))?;
    let name = sanitize_segment(&format!("{}.{}", export.name, options.extension()));
    let name = DocumentName::parse(&name)
        .map_or_else(|_| format!("export.{}", options.extension()), DocumentName::into_string);
    Ok(Some(Staged {
        export_id: export.id.clone(),
        owner: export.owner_id.clone(),
        document_id: id,
        key: target,
        name,
        content_type: options.content_type(),
        size,
        sha256: sha256.to_owned(),
        quota: ctx.config.limits.user_quota_bytes,
    }))
}

/// Writes the delivered document's row and says so on the export, or records why it does not
/// fit; `false` when the copy is to be dropped. Runs in the publishing transaction.
pub(super) fn record(conn: &mut DbConnection, staged: &Staged) -> Result<bool, DbError> {
    let Staged { export_id, owner, document_id: id, .. } = staged;
    if documents::find(conn, id)?.is_none() {
        let held = u64::try_from(documents::used_bytes(conn, owner)?).unwrap_or(0);
        let size = u64::try_from(staged.size).unwrap_or(0);
        if held.saturating_add(size) > staged.quota {
            let code = ErrorCode::DocumentsQuotaExceeded.as_str();
            exports::set_delivery(conn, export_id, None, Some(code))?;
            return Ok(false);
        }
        let folder = folder(conn, owner)?;
        let (name, _) = documents::free_name(conn, owner, Some(&folder), &staged.name)?;
        let mut row = NewDocument::folder(id, owner, Some(&folder), &name);
        row.kind = DocumentKind::File.as_str().to_owned();
        row.object_key = Some(staged.key.to_string());
        row.content_type = Some(staged.content_type.to_owned());
        row.size = staged.size;
        row.sha256 = Some(staged.sha256.clone());
        documents::insert(conn, &row)?;
    }
    exports::set_delivery(conn, export_id, Some(id), None)?;
    Ok(true)
}

/// Removes a copy that will have no row: the export was cancelled meanwhile, or it did not fit.
pub(super) async fn drop_copy(ctx: &Context, staged: &Staged) {
    if let Err(e) = ctx.storage.store.delete(&staged.key).await {
        tracing::warn!(error = %e, "an undelivered copy of an export was not removed");
    }
}

/// Removes the copy an attempt made for an export that will never publish it, unless a
/// document names it.
pub(super) async fn remove_undelivered(
    ctx: &Context,
    export: &Export,
    options: &ExportOptions,
) -> Result<(), JobError> {
    if options.deliver_to != Some(Delivery::Documents) || export.delivered_document_id.is_some() {
        return Ok(());
    }
    let id = delivery_document_id(&export.id);
    let row = id.clone();
    if ctx.db.run(move |conn| documents::find(conn, &row)).await?.is_some() {
        return Ok(());
    }
    match ctx.storage.store.delete(&Path::from(document_key(&id))).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(JobError::storage("an undelivered copy of an export not removed", &e)),
    }
}

/// The owner's « Mes exports » folder at their root, made when it is not there.
fn folder(conn: &mut DbConnection, owner: &str) -> Result<String, DbError> {
    let id = document_id(owner, DELIVERY_FOLDER);
    if documents::find_owned(conn, owner, &id)?.is_some_and(|d| d.is_folder()) {
        return Ok(id);
    }
    let (name, _) = documents::free_name(conn, owner, None, DELIVERY_FOLDER)?;
    documents::insert(conn, &NewDocument::folder(&id, owner, None, &name))?;
    Ok(id)
}
