//! Receiving an archive to import: refused early when the owner could not make an import of it,
//! streamed to the store under the size limit while its first bytes are checked to be a zip's,
//! then an import row and its analysis job made in one transaction. A refused upload leaves
//! nothing behind.

use bytes::Bytes;
use futures_util::Stream;
use mesdonnees_db::{Import, creations, imports, jobs};
use mesdonnees_infra::Context;
use mesdonnees_shared::imports::{AppChoice, ImportStatus, upload_key};
use mesdonnees_shared::jobs::JobPayload;
use mesdonnees_shared::{ErrorCode, ImportId};
use object_store::path::Path;

use super::enqueue;
use crate::uploads::{self, Inspect};
use crate::{Actor, Error};

/// Name of an archive received without one.
pub const DEFAULT_NAME: &str = "archive.zip";

/// Where the archive of an import being received goes; [`Upload::store`] is the only way to
/// the [`Received`] that [`receive`] waits for.
pub struct Upload<'a> {
    pub(super) ctx: &'a Context,
    pub(super) key: Path,
    pub(super) max: u64,
}

/// An archive stored for an import.
pub struct Received {
    pub(super) name: String,
    pub(super) size: u64,
}

impl Upload<'_> {
    /// Streams the archive `body` into the store as `name`. Refused, and aborted, when it
    /// exceeds `imports.max_upload_bytes` or does not start like a zip; a failure of `body` is
    /// answered as it is.
    pub async fn store<E: From<Error>>(
        self,
        name: String,
        body: impl Stream<Item = Result<Bytes, E>>,
    ) -> Result<Received, E> {
        let mut check = ZipCheck { max: self.max, head: Vec::with_capacity(4) };
        let size = uploads::store(self.ctx, &self.key, body, &mut check).await?;
        Ok(Received { name, size })
    }
}

/// Creates an import of the actor's owner from the archive `upload` stores (through the
/// [`Upload`] it is given), once the owner may start one; its analysis is queued. With `auto`,
/// the analysis launches those apps itself. `declared` is the body's length when the client
/// says it: far over the limit, it is refused before anything is read.
pub async fn receive<'a, F, Fut, E>(
    ctx: &'a Context,
    actor: &Actor,
    auto: Option<&AppChoice>,
    declared: Option<u64>,
    upload: F,
) -> Result<Import, E>
where
    F: FnOnce(Upload<'a>) -> Fut,
    Fut: Future<Output = Result<Received, E>>,
    E: From<Error>,
{
    let max = ctx.config.imports.max_upload_bytes;
    uploads::check_declared(declared, max, too_large)?;
    let owner = actor.owner().to_string();
    may_create(ctx, &owner).await?;
    let id = ImportId::new().to_string();
    let key = Path::from(upload_key(&id));
    let received = upload(Upload { ctx, key: key.clone(), max }).await?;
    let rights = serde_json::to_string(&actor.rights(ctx)).map_err(Error::unexpected)?;
    let mut row = Import::uploaded(
        id,
        owner,
        actor.owner_name().map(str::to_owned),
        rights,
        received.name,
        key.to_string(),
        i64::try_from(received.size).unwrap_or(i64::MAX),
    );
    row.status = ImportStatus::Analysing.as_str().to_owned();
    row.auto_apps = auto.map(serde_json::to_string).transpose().map_err(Error::unexpected)?;
    match create(ctx, row).await {
        Ok(row) => Ok(row),
        Err(e) => {
            uploads::discard(ctx, &key).await;
            Err(e.into())
        }
    }
}

/// Refuses an upload the owner could not make an import of, before it is stored: over the rate
/// limit, or with another import in progress. The creating transaction checks both again,
/// race-free.
pub(super) async fn may_create(ctx: &Context, owner: &str) -> Result<(), Error> {
    let owner = owner.to_owned();
    let per_minute = ctx.config.limits.creations_per_minute;
    let (wait, active) = ctx
        .db
        .run(move |conn| {
            let now = mesdonnees_db::models::now();
            let wait = creations::wait_secs(conn, &owner, per_minute, now)?;
            Ok((wait, imports::find_active(conn, &owner)?))
        })
        .await?;
    if let Some(retry_after) = wait {
        return Err(Error::RateLimited { retry_after });
    }
    match active {
        Some(active) => Err(busy(&active.id)),
        None => Ok(()),
    }
}

/// Writes the import row with its analysis job, counting the creation, and queues the job.
pub(super) async fn create(ctx: &Context, row: Import) -> Result<Import, Error> {
    let per_minute = ctx.config.limits.creations_per_minute;
    let max_attempts = ctx.config.queue.max_attempts;
    let owner = row.owner_id.clone();
    let created = ctx
        .db
        .transaction(move |conn| {
            // Counted in the database, not in this process: several API processes share the
            // count, and deleting an import does not give its creation back.
            let now = mesdonnees_db::models::now();
            if let Some(retry_after) = creations::admit(conn, &owner, per_minute, now)? {
                return Ok(Err(Error::RateLimited { retry_after }));
            }
            if !imports::insert(conn, &row)? {
                let active = imports::find_active(conn, &owner)?.map(|i| i.id);
                return Ok(Err(busy(&active.unwrap_or_default())));
            }
            let payload = JobPayload::AnalyseImport { import_id: row.id.clone() };
            let job = jobs::create(conn, &payload, max_attempts)?;
            imports::set_job(conn, &row.id, &job.to_string())?;
            creations::record(conn, &row.id, &owner, now)?;
            Ok(Ok((job, imports::find(conn, &row.id)?)))
        })
        .await??;
    let (job, Some(row)) = created else {
        return Err(Error::unexpected(anyhow::anyhow!("import vanished after insert")));
    };
    enqueue(ctx, job, "analysis").await;
    Ok(row)
}

/// The checks of an archive while it streams: its size within the limit, its first four bytes
/// a zip's.
struct ZipCheck {
    max: u64,
    head: Vec<u8>,
}

impl Inspect for ZipCheck {
    fn chunk(&mut self, size: u64, chunk: &[u8]) -> Result<(), Error> {
        if size > self.max {
            return Err(too_large(self.max));
        }
        if self.head.len() < 4 {
            let take = (4 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            if self.head.len() == 4 && !is_zip_start(&self.head) {
                return Err(not_a_zip());
            }
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), Error> {
        if self.head.len() < 4 {
            return Err(not_a_zip());
        }
        Ok(())
    }
}

/// A zip starts with a local file header, or with the end record when it is empty.
pub(super) fn is_zip_start(head: &[u8]) -> bool {
    head == b"PK\x03\x04" || head == b"PK\x05\x06"
}

pub(super) fn not_a_zip() -> Error {
    Error::Unsupported {
        code: ErrorCode::NotAZip,
        detail: "the file is not a zip archive".to_owned(),
    }
}

pub(super) fn too_large(max: u64) -> Error {
    Error::TooLarge {
        code: ErrorCode::PayloadTooLarge,
        detail: format!("an archive to import may not exceed {max} bytes"),
    }
}

fn busy(active: &str) -> Error {
    Error::conflict(
        ErrorCode::ImportInProgress,
        format!("import {active} is in progress; wait for it to end or delete it"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(max: u64) -> ZipCheck {
        ZipCheck { max, head: Vec::new() }
    }

    #[test]
    fn a_zip_head_split_over_chunks_is_recognised() {
        let mut zip = check(100);
        assert!(zip.chunk(2, b"PK").is_ok());
        assert!(zip.chunk(5, b"\x03\x04x").is_ok());
        assert!(zip.end().is_ok());
        let mut empty = check(100);
        assert!(empty.chunk(4, b"PK\x05\x06").is_ok());
    }

    #[test]
    fn what_is_not_a_zip_or_too_large_or_too_short_is_refused() {
        assert!(matches!(check(100).chunk(4, b"%PDF"), Err(Error::Unsupported { .. })));
        assert!(matches!(check(3).chunk(4, b"PK\x03\x04"), Err(Error::TooLarge { .. })));
        let mut short = check(100);
        assert!(short.chunk(2, b"PK").is_ok());
        assert!(matches!(short.end(), Err(Error::Unsupported { .. })));
    }
}
