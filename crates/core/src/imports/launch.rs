//! Launching an analysed import with the apps the user chose among those its analysis found
//! importable.

use mesdonnees_db::Import;
use mesdonnees_db::imports::{self, Launch};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::imports::{AppChoice, ImportStatus};

use super::{enqueue, get};
use crate::{Actor, Error};

/// Most apps one launch may name.
pub const MAX_APPS: usize = 64;

/// Queues the import of `apps` (each once, in any order) from the owner's analysed import;
/// answers the import, now queued.
pub async fn launch(
    ctx: &Context,
    actor: &Actor,
    raw_id: &str,
    mut apps: Vec<String>,
) -> Result<Import, Error> {
    let import = get(ctx, actor, raw_id).await?;
    apps.sort();
    apps.dedup();
    if apps.is_empty() || apps.len() > MAX_APPS {
        return Err(Error::invalid(
            ErrorCode::NotImportable,
            format!("choose between 1 and {MAX_APPS} apps"),
        ));
    }
    let analysed = import.status() == Some(ImportStatus::Analysed);
    let Some(analysis) = analysed.then(|| import.analysis()).transpose()?.flatten() else {
        return Err(Error::conflict(
            ErrorCode::NotAnalysed,
            format!("the import is {}; only an analysed import is launched", import.status),
        ));
    };
    let refused: Vec<&str> = apps
        .iter()
        .filter(|app| !analysis.importable_apps().any(|a| &a.id == *app))
        .map(String::as_str)
        .collect();
    if !refused.is_empty() {
        return Err(Error::invalid(
            ErrorCode::NotImportable,
            format!("not importable from this archive: {}", refused.join(", ")),
        ));
    }
    let selection = AppChoice::Only(apps).select(&analysis);
    let max_attempts = ctx.config.queue.max_attempts;
    let import_id = import.id.clone();
    let launched = ctx
        .db
        .transaction(move |conn| {
            Ok(match imports::launch_with_job(conn, &import_id, &selection, max_attempts)? {
                Ok(job) => Ok((job, imports::find(conn, &import_id)?)),
                Err(refused) => Err(refused),
            })
        })
        .await?;
    let (job, row) = match launched {
        Ok((job, Some(row))) => (job, row),
        Ok((_, None)) => return Err(Error::NotFound("import")),
        Err(Launch::OtherActive) => {
            return Err(Error::conflict(
                ErrorCode::ImportInProgress,
                "another import is in progress; wait for it to end",
            ));
        }
        Err(_) => {
            return Err(Error::conflict(
                ErrorCode::NotAnalysed,
                "the import is no longer waiting to be launched",
            ));
        }
    };
    enqueue(ctx, job, "import").await;
    Ok(row)
}
