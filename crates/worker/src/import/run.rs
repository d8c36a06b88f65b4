//! The `import` job: brings the chosen apps of an analysed archive into the owner's account.
//! Every entry done is recorded in `import_items` with what it became, in the same transaction,
//! so a new attempt after a crash skips what is done and redoes nothing twice.

use mesdonnees_db::{Import, imports};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;

use super::{entcore, report};
use crate::apps::remote::RemotePart;
use crate::apps::{ImportJob, ImportPart, Progress, app_for, workspace};
use crate::error::JobError;
use crate::notify;
use crate::opener::{self, Contents, Failure, Opened};

pub async fn run(ctx: &Context, import_id: &str) -> Result<(), JobError> {
    let id = import_id.to_owned();
    let started = ctx
        .db
        .run(
            move |conn| {
                if imports::start(conn, &id)? { imports::find(conn, &id) } else { Ok(None) }
            },
        )
        .await?;
    let Some(import) = started else { return Ok(()) };
    let apps = import.selected_apps()?;
    let opened = match opener::open(ctx, &import).await {
        Ok(opened) => opened,
        Err(Failure::Refused(r)) => return super::fail(ctx, &import, r.code, &r.message).await,
        Err(Failure::Job(e)) => return Err(e),
    };
    let mut progress = Progress::new(ctx, &import.id);
    let mut folders = Vec::new();
    for app in &apps {
        if progress.stop_asked {
            break;
        }
        let outcome = match part_of(ctx, &opened, app).await {
            Ok(Some((importer, part))) => {
                let job = ImportJob { import: &import, opened: &opened, progress: &mut progress };
                importer.import(job, &part).await
            }
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(folder) => folders.extend(folder.map(|f| (app.clone(), f))),
            Err(Failure::Refused(r)) => return super::fail(ctx, &import, r.code, &r.message).await,
            Err(Failure::Job(e)) => return Err(e),
        }
    }
    progress.flush().await.map_err(job_error)?;
    let ending = if progress.stop_asked { Ending::Cancelled } else { Ending::Done };
    finish(ctx, &import, folders, ending).await
}

/// How an import that ran ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ending {
    Done,
    /// Stopped at an operator's request: failed with `import_cancelled`, the report listing
    /// what was done before the stop.
    Cancelled,
}

/// The app of `app` and what the archive holds for it, read from the format that wrote it;
/// `None` when nothing.
async fn part_of<'a>(
    ctx: &'a Context,
    opened: &'a Opened,
    app: &str,
) -> Result<Option<(Box<dyn crate::apps::App>, ImportPart<'a>)>, Failure> {
    let remote = ctx.remote_app(app);
    let Some(importer) = app_for(ctx, app) else {
        // The launch accepts only apps the analysis found importable; one removed from the
        // configuration since has no connector left.
        return Err(Failure::Job(JobError::Permanent(format!("no connector for {app}"))));
    };
    let part = match (&opened.contents, remote) {
        (Contents::Ours { manifest, .. }, None) => {
            workspace::part_of_manifest(opened, manifest).await?.map(ImportPart::Workspace)
        }
        (Contents::Ours { manifest, .. }, Some(_)) => {
            RemotePart::of_manifest(manifest, app).map(ImportPart::Remote)
        }
        (Contents::Entcore(archive), None) => {
            entcore::workspace_part(ctx, opened, archive).await?.map(ImportPart::Workspace)
        }
        (Contents::Entcore(archive), Some(remote)) => {
            entcore::remote_part(ctx, opened, archive, remote).map(ImportPart::Remote)
        }
    };
    Ok(part.map(|part| (importer, part)))
}

async fn finish(
    ctx: &Context,
    import: &Import,
    folders: Vec<(String, String)>,
    ending: Ending,
) -> Result<(), JobError> {
    let (id, owner, file_name) =
        (import.id.clone(), import.owner_id.clone(), import.file_name.clone());
    let done = ctx
        .db
        .transaction(move |conn| {
            let report = report::build(conn, &id, &folders)?;
            let json = serde_json::to_string(&report).unwrap_or_else(|_| "{}".to_owned());
            let imported = report.apps.values().map(|a| a.imported + a.renamed).sum();
            let failed = report.apps.values().map(|a| a.failed).sum();
            let done = ending == Ending::Done && imports::finish(conn, &id, &json)?;
            if !done {
                // Cancelled, or a stop asked after the last entry: the stop was answered as
                // taken, so it ends cancelled, its report listing everything imported.
                if !imports::end_cancelled(conn, &id, &json)? {
                    return Ok(None);
                }
                let message = format!("cancelled after {imported} imported items");
                let ended = Err((ErrorCode::ImportCancelled, message.as_str()));
                notify::import_ended(conn, &owner, &id, &file_name, ended)?;
                return Ok(Some(report.apps.values().map(|a| a.bytes).sum::<u64>()));
            }
            notify::import_ended(conn, &owner, &id, &file_name, Ok((imported, failed)))?;
            Ok(Some(report.apps.values().map(|a| a.bytes).sum::<u64>()))
        })
        .await?;
    if let Some(bytes) = done {
        ctx.metrics.add_imported_bytes(bytes);
        tracing::info!(bytes, "import done");
    }
    super::release_upload(ctx, import).await
}

fn job_error(e: Failure) -> JobError {
    match e {
        Failure::Job(e) => e,
        Failure::Refused(r) => JobError::Permanent(r.message),
    }
}
