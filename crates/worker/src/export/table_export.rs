//! A `table` export: one spreadsheet listing the selected apps' files and resources, instead of
//! an archive. The apps stream their entries as they do for an archive, but no file is read:
//! each row is what the app says of an entry. The table is written to a temporary file, then
//! uploaded whole, and published like an archive (same row, expiry, notification, download).

use futures_util::StreamExt;
use mesdonnees_db::Export;
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::archive::{AppOutcome, ManifestApp};
use mesdonnees_shared::entry_name::sanitize_segment;
use mesdonnees_shared::tables::TableSpec;

use super::table::{self, TableFile};
use super::{Built, Plan, Stop, archive, publish};
use crate::apps::AppEntry;
use crate::error::JobError;

pub(super) async fn run(
    ctx: &Context,
    export: &Export,
    plan: Plan<'_>,
    spec: &TableSpec,
    key: &str,
    interrupt: impl Future<Output = ()>,
) -> Result<(), JobError> {
    let dir = crate::scratch::dir(&ctx.config);
    let lang = export.export_options()?.lang;
    let file = TableFile::create(spec, table::headers(ctx, spec, lang), lang, &dir)
        .map_err(|e| JobError::storage("table", &e))?;
    tokio::pin!(interrupt);
    let filled = tokio::select! {
        biased;
        () = &mut interrupt => {
            tracing::info!("table export interrupted by a shutdown");
            return Err(JobError::Interrupted);
        }
        filled = fill(ctx, plan, &file) => filled,
    };
    let built = match filled {
        Ok(built) => built,
        Err(Stop::Cancelled) => {
            tracing::info!("table export cancelled");
            return Ok(());
        }
        Err(Stop::Failed(e)) => return Err(e),
    };
    let written = file.finish().await.map_err(|e| JobError::storage("table", &e))?;
    let uploaded = match table::upload(&ctx.storage, &written, key, interrupt).await {
        Ok(uploaded) => uploaded,
        Err(table::TableError::Interrupted) => {
            tracing::info!("table upload interrupted by a shutdown");
            return Err(JobError::Interrupted);
        }
        Err(e) => return Err(JobError::storage("table", &e)),
    };
    tracing::info!(rows = written.rows, size = uploaded.size, "table written");
    let summary = archive::ArchiveSummary { size: uploaded.size, sha256: uploaded.sha256 };
    publish(ctx, export, key, &built, &summary).await
}

/// One row per file or resource of every app, in the apps' order.
async fn fill(ctx: &Context, plan: Plan<'_>, file: &TableFile) -> Result<Built, Stop> {
    let Plan { mut progress, prepared, failed: mut apps } = plan;
    let max_rows = ctx.config.exports.max_entries.min(table::MAX_ROWS);
    let (mut files, mut bytes) = (0_u64, 0_u64);
    for (descriptor, prepared) in prepared {
        let folder = sanitize_segment(&descriptor.display_name);
        let (mut app_files, mut app_bytes) = (0_u64, 0_u64);
        let mut failure = None;
        let mut entries = prepared.entries;
        while let Some(entry) = entries.next().await {
            let row = match entry {
                Ok(
                    AppEntry::Object { row: Some(row), .. }
                    | AppEntry::Prepared { row: Some(row), .. },
                ) => row,
                // Folders, and what an app writes about its own entries, are not listed.
                Ok(_) => continue,
                Err(e) => {
                    failure = Some((e.code, e.message));
                    break;
                }
            };
            if files >= max_rows {
                failure = Some((ErrorCode::TooManyEntries, format!("more than {max_rows} rows")));
                break;
            }
            let mut row = *row;
            row.path = format!("{folder}/{}", row.path);
            row.app.clone_from(&descriptor.id);
            let size = row.size.unwrap_or(0);
            file.push(row).await.map_err(|e| Stop::Failed(JobError::storage("table", &e)))?;
            (files, bytes, app_files, app_bytes) =
                (files + 1, bytes + size, app_files + 1, app_bytes + size);
            progress.advance(size).await?;
        }
        let outcome = match failure {
            None => AppOutcome::Ok,
            Some((code, message)) => AppOutcome::Failed { code: code.as_str().to_owned(), message },
        };
        apps.insert(
            descriptor.id.clone(),
            ManifestApp {
                version: descriptor.version,
                folder,
                entries: app_files,
                bytes: app_bytes,
                outcome,
            },
        );
    }
    progress.flush().await?;
    Ok(Built { files, bytes, apps, last_part: None })
}
