//! Periodic cleanup of imports: uploads nobody needs any more (analysed but never launched in
//! time, or of an ended import) are deleted, imports that waited for the parts of an archive in
//! parts as long fail with `parts_missing`, and imports whose job ended without them (out of
//! attempts, or lost) are marked `failed`.

use chrono::Utc;
use mesdonnees_db::{imports, jobs};
use mesdonnees_infra::Context;

use super::analyse::remove_upload;
use crate::notify;
use mesdonnees_shared::ErrorCode;

/// Rows handled per pass; the next pass takes the rest.
const BATCH: i64 = 200;

pub async fn cleanup_once(ctx: &Context) -> Result<(usize, usize), anyhow::Error> {
    let hours = i64::try_from(ctx.config.imports.keep_uploads_hours).unwrap_or(48);
    let before = (Utc::now() - chrono::Duration::hours(hours)).naive_utc();
    let lapsed = ctx.db.run(move |conn| imports::lapsed_uploads(conn, before, BATCH)).await?;
    let mut removed = 0;
    for import in lapsed {
        if !super::remove_parts(ctx, &import.id).await? {
            continue;
        }
        if let Some(key) = &import.object_key {
            // The object first: a crash in between leaves a row whose upload is gone, which
            // the import reports as such, never an object nobody points at.
            if !remove_upload(ctx, key).await {
                continue;
            }
        }
        // What an attempt staged for a remote app and could not remove (a crash mid call).
        crate::apps::remote::remove_staged(ctx, &format!("imports/{}/staged/", import.id)).await;
        let id = import.id.clone();
        if ctx.db.run(move |conn| imports::drop_upload(conn, &id)).await? {
            removed += 1;
        }
    }
    let waiting =
        ctx.db.run(move |conn| imports::parts::waiting_since_before(conn, before, BATCH)).await?;
    for import in waiting {
        let message = "the other parts of the archive did not come in time";
        super::fail(ctx, &import, ErrorCode::PartsMissing, message).await?;
        removed += 1;
    }
    let stuck = ctx
        .db
        .transaction(move |conn| {
            let mut ended = 0;
            for import in imports::active(conn, BATCH)? {
                // Waiting for parts, with no job until one comes: expired above, not stuck.
                if import.waiting_since.is_some() {
                    continue;
                }
                let Some(reason) = jobs::why_stuck(conn, import.job_id.as_deref(), "import")?
                else {
                    continue;
                };
                if imports::mark_failed(conn, &import.id, ErrorCode::ImportStuck.as_str(), &reason)?
                {
                    notify::import_ended(
                        conn,
                        &import.owner_id,
                        &import.id,
                        &import.file_name,
                        Err((ErrorCode::ImportStuck, &reason)),
                    )?;
                    ended += 1;
                }
            }
            Ok(ended)
        })
        .await?;
    if removed + stuck > 0 {
        tracing::info!(uploads_removed = removed, stuck, "imports cleaned up");
    }
    Ok((removed, stuck))
}
