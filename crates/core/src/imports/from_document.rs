//! Importing a zip already in the documents space — the user's own, or one shared with them —
//! without sending it again: the import's archive is the document's object, which the analysis
//! and the import read in place by ranges, as they read an upload. The import never removes it
//! ([`owns_archive`](mesdonnees_shared::imports::owns_archive)): ending or deleting the import
//! leaves the document as it was.
//!
//! Pitfall: the document may be deleted while the import reads it; the reads then fail and the
//! import with them, as when an upload is gone. Nothing is copied meanwhile, so a large archive
//! costs no second copy in the store.

use mesdonnees_db::Import;
use mesdonnees_infra::Context;
use mesdonnees_shared::imports::ImportStatus;
use mesdonnees_shared::{DocumentId, ErrorCode, ImportId};
use object_store::ObjectStoreExt;
use object_store::path::Path;

use super::receive::{create, is_zip_start, may_create, not_a_zip, too_large};
use crate::{Actor, Error, documents};

/// Creates an import of the actor's owner from the file `raw_document_id` of their documents
/// space (or shared with them); its analysis is queued. Refused when the document is not a
/// file they can read (not found), over `imports.max_upload_bytes`, or not a zip.
pub async fn from_document(
    ctx: &Context,
    actor: &Actor,
    raw_document_id: &str,
) -> Result<Import, Error> {
    DocumentId::parse(raw_document_id)
        .map_err(|_| Error::invalid(ErrorCode::InvalidId, "document_id is not a valid id"))?;
    let (doc, key) = documents::content(ctx, actor, raw_document_id).await?;
    let size = u64::try_from(doc.size).unwrap_or(0);
    let max = ctx.config.imports.max_upload_bytes;
    if size > max {
        return Err(too_large(max));
    }
    let key = Path::from(key);
    if size < 4 {
        return Err(not_a_zip());
    }
    let head = ctx.storage.store.get_range(&key, 0..4).await?;
    if !is_zip_start(&head) {
        return Err(not_a_zip());
    }
    let owner = actor.owner().to_string();
    may_create(ctx, &owner).await?;
    let rights = serde_json::to_string(&actor.rights(ctx)).map_err(Error::unexpected)?;
    let mut row = Import::uploaded(
        ImportId::new().to_string(),
        owner,
        actor.owner_name().map(str::to_owned),
        rights,
        doc.name,
        key.to_string(),
        doc.size,
    );
    row.status = ImportStatus::Analysing.as_str().to_owned();
    create(ctx, row).await
}
