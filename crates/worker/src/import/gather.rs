//! The first step of an analysis: gathering the parts of an archive in parts. The import's own
//! upload says, in its manifest, whether it is one part of several and of which writing
//! (`parts.set`); each archive sent with `POST /imports/{id}/parts` is then judged by its own
//! manifest — of the same set and count, a number in range and not received yet — and refused
//! with a code otherwise (its object removed, the code kept on its row). Until every part is
//! there the analysis waits, and a new part queues it again.
//!
//! Pitfall: the main upload is read here and again when the archive is opened; it is scanned
//! only here, the opening (and the import job's) taking the scan kept here, so both read only its
//! manifest.

use std::collections::BTreeSet;

use mesdonnees_db::imports::parts as part_rows;
use mesdonnees_db::{Import, ImportPart, imports};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::archive::PartsOf;

use crate::opener::parts::part_of;
use crate::opener::{Failure, Refusal};

/// Where the gathering leaves the analysis.
pub(crate) enum Gathered {
    /// The archive is whole (one archive, or every part there): analyse the import as it now
    /// stands.
    Whole(Box<Import>),
    /// Parts are missing: the analysis waits for them.
    Waiting,
}

pub(crate) async fn gather(ctx: &Context, import: &Import) -> Result<Gathered, Failure> {
    let Some(key) = import.object_key.clone() else {
        return Err(Refusal::new(ErrorCode::UploadMissing, "the uploaded archive is gone").into());
    };
    let first = part_of(ctx, &import.id, &key).await?;
    let id = import.id.clone();
    let Some(first) = first.filter(|p| p.count > 1) else {
        // Not in parts: whatever was sent as a part of it is not.
        for row in unjudged(ctx, &id).await? {
            refuse(ctx, &row, ErrorCode::PartOfAnotherExport).await?;
        }
        return Ok(Gathered::Whole(Box::new(import.clone())));
    };
    if first.part == 0 || first.part > first.count {
        return Err(
            Refusal::new(ErrorCode::InvalidManifest, "the part number is out of range").into()
        );
    }
    let row = ImportPart {
        import_id: id.clone(),
        object_key: key,
        size: import.size,
        part: Some(i64::from(first.part)),
        error_code: None,
        created_at: import.created_at,
    };
    let (set, count) = (first.set.clone(), i64::from(first.count));
    ctx.db
        .transaction(move |conn| {
            part_rows::set_parts(conn, &row.import_id, &set, count)?;
            part_rows::record_first(conn, &row)
        })
        .await?;
    loop {
        let listed = {
            let id = id.clone();
            ctx.db.run(move |conn| part_rows::list(conn, &id)).await?
        };
        let mut have: BTreeSet<u32> =
            listed.iter().filter_map(|r| r.part.and_then(|p| u32::try_from(p).ok())).collect();
        for row in listed.iter().filter(|r| r.part.is_none() && r.error_code.is_none()) {
            match judge(ctx, row, &first, &have).await? {
                Ok(number) => {
                    have.insert(number);
                    let (id, key) = (row.import_id.clone(), row.object_key.clone());
                    ctx.db
                        .run(move |conn| part_rows::judge(conn, &id, &key, Ok(number.into())))
                        .await?;
                }
                Err(code) => refuse(ctx, row, code).await?,
            }
        }
        if have.len() == first.count as usize {
            let id = id.clone();
            let found = ctx.db.run(move |conn| imports::find(conn, &id)).await?;
            let Some(found) = found else { return Ok(Gathered::Waiting) };
            return Ok(Gathered::Whole(Box::new(found)));
        }
        let id = id.clone();
        if ctx.db.transaction(move |conn| part_rows::wait(conn, &id)).await? {
            tracing::info!(parts = have.len(), count = first.count, "import waits for parts");
            return Ok(Gathered::Waiting);
        }
    }
}

/// A part's number, or why it is refused.
async fn judge(
    ctx: &Context,
    row: &ImportPart,
    first: &PartsOf,
    have: &BTreeSet<u32>,
) -> Result<Result<u32, ErrorCode>, Failure> {
    let parts = match part_of(ctx, &row.import_id, &row.object_key).await {
        Ok(parts) => parts,
        Err(Failure::Refused(refusal)) => return Ok(Err(refusal.code)),
        Err(e) => return Err(e),
    };
    Ok(match parts {
        Some(p) if p.set != first.set => Err(ErrorCode::PartOfAnotherExport),
        Some(p) if p.count != first.count || p.part == 0 || p.part > p.count => {
            Err(ErrorCode::InvalidManifest)
        }
        Some(p) if have.contains(&p.part) => Err(ErrorCode::DuplicatePart),
        Some(p) => Ok(p.part),
        None => Err(ErrorCode::PartOfAnotherExport),
    })
}

async fn unjudged(ctx: &Context, import_id: &str) -> Result<Vec<ImportPart>, Failure> {
    let id = import_id.to_owned();
    let rows = ctx.db.run(move |conn| part_rows::list(conn, &id)).await?;
    Ok(rows.into_iter().filter(|r| r.part.is_none() && r.error_code.is_none()).collect())
}

/// Removes a refused part's archive, then keeps why on its row.
async fn refuse(ctx: &Context, row: &ImportPart, code: ErrorCode) -> Result<(), Failure> {
    if !super::analyse::remove_upload(ctx, &row.object_key).await {
        return Err(Failure::Job(crate::error::JobError::Transient(
            "a refused part was not removed".into(),
        )));
    }
    tracing::info!(code = code.as_str(), "import part refused");
    let (id, key) = (row.import_id.clone(), row.object_key.clone());
    ctx.db
        .transaction(move |conn| {
            imports::scans::forget_object(conn, &id, &key)?;
            part_rows::judge(conn, &id, &key, Err(code.as_str()))
        })
        .await?;
    Ok(())
}
