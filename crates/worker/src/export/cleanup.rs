//! Periodic cleanup of exports: archives past their expiry are deleted and marked `expired`;
//! exports whose job ended without them (out of attempts, or lost) are marked `failed`; the
//! creations of users who stopped creating are forgotten once past the rate limit's window.

use chrono::Utc;
use mesdonnees_db::{creations, exports, jobs};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use object_store::ObjectStoreExt;
use object_store::path::Path;

use crate::notify;

/// Rows handled per pass; the next pass takes the rest.
const BATCH: i64 = 200;

pub async fn cleanup_once(ctx: &Context) -> Result<(usize, usize), anyhow::Error> {
    let now = Utc::now().naive_utc();
    let forget_before = now - creations::WINDOW;
    ctx.db.run(move |conn| creations::forget_before(conn, forget_before)).await?;
    let expired = ctx.db.run(move |conn| exports::expired(conn, now, BATCH)).await?;
    let mut expired_count = 0;
    for export in expired {
        if let Some(key) = &export.object_key {
            match ctx.storage.store.delete(&Path::from(key.as_str())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => {
                    tracing::warn!(export_id = %export.id, error = %e, "expired archive not deleted; will retry");
                    continue;
                }
            }
        }
        // An export in parts: every part goes with it.
        if let Err(e) = super::part_writer::remove_published(ctx, &export.id).await {
            tracing::warn!(export_id = %export.id, error = %e, "expired parts not deleted; will retry");
            continue;
        }
        let id = export.id.clone();
        ctx.db.run(move |conn| exports::mark_expired(conn, &id)).await?;
        expired_count += 1;
    }

    let job_ctx = ctx.clone();
    let (stuck, emails) = ctx
        .db
        .transaction(move |conn| {
            let mut ended = 0;
            let mut emails = Vec::new();
            for export in exports::active(conn, BATCH)? {
                let Some(reason) = jobs::why_stuck(conn, export.job_id.as_deref(), "export")?
                else {
                    continue;
                };
                if exports::mark_failed(conn, &export.id, ErrorCode::ExportStuck.as_str(), &reason)?
                {
                    notify::export_failed(conn, &export, ErrorCode::ExportStuck, &reason)?;
                    emails.push(notify::email_job(conn, &job_ctx, &export)?);
                    ended += 1;
                }
            }
            Ok((ended, emails))
        })
        .await?;
    for email in emails {
        notify::enqueue(ctx, email).await;
    }
    if expired_count + stuck > 0 {
        tracing::info!(expired = expired_count, stuck, "exports cleaned up");
    }
    Ok((expired_count, stuck))
}
