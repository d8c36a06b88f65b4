//! The other parts of an archive in parts, sent one after another into the import its first
//! upload made. A part is stored like any upload (same limit, same zip check) and recorded; the
//! analysis reads its manifest, so this use case never opens it: a part of another export, a
//! number already received or out of range is refused there, with a code kept on the part and
//! shown by `GET /imports/{id}`. When the analysis was waiting for parts, the part wakes it.

use std::collections::BTreeSet;

use mesdonnees_db::imports::parts::{self, Added};
use mesdonnees_db::{Import, ImportPart, jobs};
use mesdonnees_infra::Context;
use mesdonnees_shared::imports::{ImportParts, ImportStatus};
use mesdonnees_shared::jobs::JobPayload;
use mesdonnees_shared::{ErrorCode, JobId};
use object_store::path::Path;

use super::receive::{Received, Upload, too_large};
use super::{enqueue, get};
use crate::{Actor, Error, uploads};

/// Adds an archive to an import of an archive in parts, from what `upload` stores (through the
/// [`Upload`] it is given). Refused unless the import is still analysing (its first archive
/// being read, or waiting for parts), past `imports.max_parts` archives, or as an upload is.
pub async fn add_part<'a, F, Fut, E>(
    ctx: &'a Context,
    actor: &Actor,
    raw_id: &str,
    declared: Option<u64>,
    upload: F,
) -> Result<(Import, Option<ImportParts>), E>
where
    F: FnOnce(Upload<'a>) -> Fut,
    Fut: Future<Output = Result<Received, E>>,
    E: From<Error>,
{
    let import = get(ctx, actor, raw_id).await?;
    if import.status != ImportStatus::Analysing.as_str() {
        return Err(takes_no_parts().into());
    }
    let max = ctx.config.imports.max_upload_bytes;
    uploads::check_declared(declared, max, too_large)?;
    let key = Path::from(format!("imports/{}.{}.zip", import.id, JobId::new()));
    let received = upload(Upload { ctx, key: key.clone(), max }).await?;
    let row = ImportPart {
        import_id: import.id.clone(),
        object_key: key.to_string(),
        size: i64::try_from(received.size).unwrap_or(i64::MAX),
        part: None,
        error_code: None,
        created_at: mesdonnees_db::models::now(),
    };
    let (max_parts, max_attempts) = (ctx.config.imports.max_parts, ctx.config.queue.max_attempts);
    let id = import.id.clone();
    let added = ctx
        .db
        .transaction(move |conn| {
            let added = parts::add(conn, &row, max_parts)?;
            let job = match added {
                Added::Recorded { wake: true } => {
                    let payload = JobPayload::AnalyseImport { import_id: id.clone() };
                    let job = jobs::create(conn, &payload, max_attempts)?;
                    mesdonnees_db::imports::set_job(conn, &id, &job.to_string())?;
                    Some(job)
                }
                _ => None,
            };
            Ok((added, job, mesdonnees_db::imports::find(conn, &id)?))
        })
        .await;
    let (added, job, found) = match added {
        Ok(done) => done,
        Err(e) => {
            uploads::discard(ctx, &key).await;
            return Err(Error::from(e).into());
        }
    };
    match added {
        Added::Recorded { .. } => {}
        Added::NotAnalysing => {
            uploads::discard(ctx, &key).await;
            return Err(takes_no_parts().into());
        }
        Added::TooMany => {
            uploads::discard(ctx, &key).await;
            return Err(Error::conflict(
                ErrorCode::ImportTakesNoParts,
                format!("an import receives at most {max_parts} archives"),
            )
            .into());
        }
    }
    if let Some(job) = job {
        enqueue(ctx, job, "analysis").await;
    }
    let found = found.ok_or(Error::NotFound("import"))?;
    let view = parts_view(ctx, &found).await?;
    Ok((found, view))
}

fn takes_no_parts() -> Error {
    Error::conflict(
        ErrorCode::ImportTakesNoParts,
        "the import is not reading an archive in parts; only an import analysing takes parts",
    )
}

/// The parts view of an import, when it reads an archive in parts.
pub async fn parts_view(ctx: &Context, import: &Import) -> Result<Option<ImportParts>, Error> {
    let Some(count) = import.parts_count.and_then(|c| u32::try_from(c).ok()) else {
        return Ok(None);
    };
    let id = import.id.clone();
    let rows = ctx.db.run(move |conn| parts::list(conn, &id)).await?;
    let received: BTreeSet<u32> =
        rows.iter().filter_map(|r| r.part.and_then(|p| u32::try_from(p).ok())).collect();
    Ok(Some(ImportParts {
        count,
        missing: (1..=count).filter(|p| !received.contains(p)).collect(),
        received: received.into_iter().collect(),
        refused: rows.into_iter().filter_map(|r| r.error_code).collect(),
    }))
}

/// The owner's import with this id, and what it received of an archive in parts.
pub async fn get_with_parts(
    ctx: &Context,
    actor: &Actor,
    raw_id: &str,
) -> Result<(Import, Option<ImportParts>), Error> {
    let import = get(ctx, actor, raw_id).await?;
    let view = parts_view(ctx, &import).await?;
    Ok((import, view))
}
