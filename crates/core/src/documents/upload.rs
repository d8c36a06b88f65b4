//! Uploading a file into the documents space: streamed to the store while it is hashed and
//! counted against the size limit and the owner's quota, then recorded once its folder and the
//! quota are checked again in one transaction. A refused upload leaves nothing behind.

use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures_util::Stream;
use mesdonnees_db::{Document, DocumentKind, NewDocument, documents};
use mesdonnees_infra::Context;
use mesdonnees_shared::{DocumentId, DocumentName, ErrorCode};
use object_store::path::Path;
use sha2::{Digest, Sha256};

use super::{field_id, owned_folder};
use crate::uploads::{self, Inspect};
use crate::{Actor, Error};

/// A file stored, waiting for its row.
struct StoredFile {
    id: DocumentId,
    key: Path,
    name: DocumentName,
    content_type: String,
    size: u64,
    sha256: String,
}

/// What the form of an upload stores its file through; it holds one file.
pub struct Receiver<'a> {
    ctx: &'a Context,
    max: u64,
    quota_left: u64,
    stored: Arc<Mutex<Option<StoredFile>>>,
}

impl Receiver<'_> {
    /// Streams the file `body`, sent as `file_name` with the type `declared_type`, into the
    /// store. Refused, and aborted, past `documents.max_upload_bytes` or the owner's quota; a
    /// failure of `body` is answered as it is. A second file is refused: one per upload.
    pub async fn store<E: From<Error>>(
        &self,
        file_name: Option<&str>,
        declared_type: Option<&mime::Mime>,
        body: impl Stream<Item = Result<Bytes, E>>,
    ) -> Result<(), E> {
        if self.slot().is_some() {
            return Err(
                Error::invalid(ErrorCode::InvalidRequest, "send one file per upload").into()
            );
        }
        let file_name = file_name.ok_or_else(|| {
            Error::invalid(ErrorCode::InvalidName, "the file part has no file name")
        })?;
        let name = DocumentName::from_upload(file_name)
            .map_err(|e| Error::invalid(ErrorCode::InvalidName, e.to_string()))?;
        let content_type = content_type_of(declared_type, name.as_str());
        let id = DocumentId::new();
        let key = Path::from(format!("documents/{id}"));
        let mut check = FileCheck {
            max: self.max,
            limit: self.max.min(self.quota_left),
            quota: self.ctx.config.limits.user_quota_bytes,
            hasher: Sha256::new(),
        };
        let size = uploads::store(self.ctx, &key, body, &mut check).await?;
        let sha256 = hex::encode(check.hasher.finalize());
        *self.slot() = Some(StoredFile { id, key, name, content_type, size, sha256 });
        Ok(())
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<StoredFile>> {
        self.stored.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Uploads a file into the owner's tree: `form` reads the upload, stores its file through the
/// [`Receiver`] it is given and answers the folder to put it in (the root when `None`).
/// `declared` is the body's length when the client says it: far over the limit, it is refused
/// before anything is read.
pub async fn upload<'a, F, Fut, E>(
    ctx: &'a Context,
    actor: &Actor,
    declared: Option<u64>,
    form: F,
) -> Result<Document, E>
where
    F: FnOnce(Receiver<'a>) -> Fut,
    Fut: Future<Output = Result<Option<String>, E>>,
    E: From<Error>,
{
    let limits = &ctx.config.limits;
    let max_bytes = ctx.config.documents.max_upload_bytes;
    uploads::check_declared(declared, max_bytes, too_large)?;
    let owner = actor.owner().to_string();
    let owned_bytes = {
        let owner = owner.clone();
        ctx.db.run(move |conn| documents::used_bytes(conn, &owner)).await.map_err(Error::from)?
    };
    let quota_left =
        limits.user_quota_bytes.saturating_sub(u64::try_from(owned_bytes).unwrap_or(0));
    let stored = Arc::new(Mutex::new(None));
    let receiver = Receiver { ctx, max: max_bytes, quota_left, stored: Arc::clone(&stored) };
    let folder_id = form(receiver).await;
    let file = stored.lock().unwrap_or_else(PoisonError::into_inner).take();
    let folder_id = match folder_id {
        Ok(folder_id) => folder_id,
        Err(e) => {
            if let Some(file) = file {
                uploads::discard(ctx, &file.key).await;
            }
            return Err(e);
        }
    };
    let Some(file) = file else {
        return Err(Error::invalid(ErrorCode::MissingFile, "the form has no `file` part").into());
    };
    match record(ctx, owner, &file, folder_id.as_deref()).await {
        Ok(doc) => Ok(doc),
        Err(e) => {
            uploads::discard(ctx, &file.key).await;
            Err(e.into())
        }
    }
}

/// Writes the row of a stored file, re-checking the folder and the quota in one transaction.
async fn record(
    ctx: &Context,
    owner: String,
    file: &StoredFile,
    folder_id: Option<&str>,
) -> Result<Document, Error> {
    let folder = folder_id.map(|raw| field_id("folder_id", raw)).transpose()?;
    let quota = ctx.config.limits.user_quota_bytes;
    let now = mesdonnees_db::models::now();
    let size = file.size;
    let row = NewDocument {
        id: file.id.to_string(),
        owner_id: owner.clone(),
        parent_id: folder.map(|f| f.to_string()),
        kind: DocumentKind::File.as_str().to_owned(),
        name: file.name.as_str().to_owned(),
        object_key: Some(file.key.to_string()),
        content_type: Some(file.content_type.clone()),
        size: i64::try_from(size).unwrap_or(i64::MAX),
        sha256: Some(file.sha256.clone()),
        created_at: now,
        updated_at: now,
    };
    ctx.db
        .transaction(move |conn| {
            if let Some(folder) = folder
                && let Err(e) = owned_folder(conn, &owner, folder)?
            {
                return Ok(Err(e));
            }
            // Checked again here: a concurrent upload may have used the quota meanwhile.
            let owned_bytes = u64::try_from(documents::used_bytes(conn, &owner)?).unwrap_or(0);
            if owned_bytes.saturating_add(size) > quota {
                return Ok(Err(quota_exceeded(quota)));
            }
            documents::insert(conn, &row)?;
            Ok(Ok(documents::find(conn, &row.id)?))
        })
        .await??
        .ok_or_else(|| Error::unexpected(anyhow::anyhow!("document vanished after insert")))
}

/// The checks of a file while it streams, and its hash.
struct FileCheck {
    max: u64,
    /// The smaller of the size limit and what is left of the quota.
    limit: u64,
    quota: u64,
    hasher: Sha256,
}

impl Inspect for FileCheck {
    fn chunk(&mut self, size: u64, chunk: &[u8]) -> Result<(), Error> {
        if size > self.limit {
            return Err(if self.limit < self.max {
                quota_exceeded(self.quota)
            } else {
                too_large(self.max)
            });
        }
        self.hasher.update(chunk);
        Ok(())
    }
}

/// The type the client declared, unless it is the generic one or not an RFC 6838 name of
/// bounded length; then a guess from the name.
fn content_type_of(declared: Option<&mime::Mime>, name: &str) -> String {
    declared
        .filter(|mime| **mime != mime::APPLICATION_OCTET_STREAM)
        .and_then(|mime| mesdonnees_shared::media_type::checked(mime.essence_str()))
        .unwrap_or_else(|| {
            mime_guess::from_path(name).first_or_octet_stream().essence_str().to_owned()
        })
}

fn too_large(max: u64) -> Error {
    Error::TooLarge {
        code: ErrorCode::PayloadTooLarge,
        detail: format!("a document may not exceed {max} bytes"),
    }
}

fn quota_exceeded(quota: u64) -> Error {
    Error::invalid(
        ErrorCode::QuotaExceeded,
        format!("this upload would exceed the {quota}-byte storage quota"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(max: u64, quota_left: u64) -> FileCheck {
        FileCheck { max, limit: max.min(quota_left), quota: 1000, hasher: Sha256::new() }
    }

    #[test]
    fn the_smaller_of_the_limit_and_the_quota_left_decides_the_refusal() {
        assert!(matches!(check(10, 100).chunk(11, &[0; 11]), Err(Error::TooLarge { .. })));
        let Err(Error::Invalid { code, .. }) = check(10, 5).chunk(6, &[0; 6]) else {
            panic!("over the quota left is not a quota refusal");
        };
        assert_eq!(code, ErrorCode::QuotaExceeded);
        assert!(check(10, 10).chunk(10, &[0; 10]).is_ok());
    }

    #[test]
    fn a_declared_type_wins_unless_it_is_the_generic_one() {
        let pdf: mime::Mime = "application/pdf".parse().unwrap();
        assert_eq!(content_type_of(Some(&pdf), "a.txt"), "application/pdf");
        let generic = mime::APPLICATION_OCTET_STREAM;
        assert_eq!(content_type_of(Some(&generic), "a.txt"), "text/plain");
        assert_eq!(content_type_of(None, "a.unknownext"), "application/octet-stream");
    }
}
