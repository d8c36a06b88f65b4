//! Following an export or an import row until it ends: the database is the truth, whichever
//! worker runs the job.

use std::time::{Duration, Instant};

use mesdonnees_db::{Export, Import, exports, imports};
use mesdonnees_infra::Context;
use mesdonnees_shared::imports::ImportStatus;

use super::OpError;
use super::progress::Reporter;

/// Pause between two readings of a row.
const POLL: Duration = Duration::from_millis(250);

/// The export once it has ended (ready, failed, cancelled or expired).
pub async fn export_end(
    ctx: &Context,
    id: &str,
    reporter: &mut Reporter,
) -> Result<Export, OpError> {
    let deadline = deadline(ctx);
    loop {
        let id_owned = id.to_owned();
        let Some(export) = ctx.db.run(move |conn| exports::find(conn, &id_owned)).await? else {
            return Err(OpError::Failed(format!("export {id} was deleted meanwhile")));
        };
        reporter.show(
            &export.status,
            u64::try_from(export.bytes_done).unwrap_or(0),
            u64::try_from(export.bytes_total).unwrap_or(0),
        );
        if !matches!(export.status.as_str(), "queued" | "running") {
            reporter.finish();
            return Ok(export);
        }
        wait(deadline, "export", id).await?;
    }
}

/// The import once it has ended, or (with `analysed_is_end`) once analysed.
pub async fn import_end(
    ctx: &Context,
    id: &str,
    reporter: &mut Reporter,
    analysed_is_end: bool,
) -> Result<Import, OpError> {
    let deadline = deadline(ctx);
    loop {
        let id_owned = id.to_owned();
        let Some(import) = ctx.db.run(move |conn| imports::find(conn, &id_owned)).await? else {
            return Err(OpError::Failed(format!("import {id} was deleted meanwhile")));
        };
        let status = import.status();
        let (done, total) = match status {
            Some(ImportStatus::Running | ImportStatus::Done) => {
                (import.bytes_done, import.bytes_total)
            }
            _ => (0, import.size),
        };
        reporter.show(
            &import.status,
            u64::try_from(done).unwrap_or(0),
            u64::try_from(total).unwrap_or(0),
        );
        let ended = match status {
            Some(ImportStatus::Done | ImportStatus::Failed) | None => true,
            Some(ImportStatus::Analysed) => analysed_is_end || import.auto_apps.is_some(),
            Some(_) => false,
        };
        if ended {
            reporter.finish();
            return Ok(import);
        }
        wait(deadline, "import", id).await?;
    }
}

fn deadline(ctx: &Context) -> Instant {
    Instant::now() + Duration::from_secs(ctx.config.operator.wait_timeout_secs)
}

async fn wait(deadline: Instant, what: &str, id: &str) -> Result<(), OpError> {
    if Instant::now() >= deadline {
        return Err(OpError::Failed(format!(
            "{what} {id} has not ended within operator.wait_timeout_secs; it goes on, follow it \
             through the API"
        )));
    }
    tokio::time::sleep(POLL).await;
    Ok(())
}
