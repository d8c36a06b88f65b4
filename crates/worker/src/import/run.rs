//! The `import` job: brings the chosen apps of an analysed archive into the owner's account.
//! Every entry done is recorded in `import_items` with what it became, in the same transaction,
//! so a new attempt after a crash skips what is done and redoes nothing twice.

use std::time::{Duration, Instant};

use mesdonnees_db::{Import, imports};
use mesdonnees_infra::Context;
use mesdonnees_infra::apps::RemoteAppConfig;
use mesdonnees_shared::apps::WORKSPACE_APP;
use mesdonnees_shared::imports::IMPORT_CANCELLED;

use super::analyse::{self, Contents, Failure, Opened};
use super::remote::RemotePart;
use super::workspace::WorkspacePart;
use super::{entcore, report};
use crate::notify;
use crate::runner::JobError;

pub async fn run(ctx: &Context, import_id: &str) -> Result<(), JobError> {
    let id = import_id.to_owned();
    let started = ctx
        .db
        .run(
            move |conn| {
                if imports::start(conn, &id)? { imports::find(conn, &id) } else { Ok(None) }
            },
        )
        .await
        .map_err(|e| JobError::Transient(format!("database: {e}")))?;
    let Some(import) = started else { return Ok(()) };
    let apps: Vec<String> = import
        .selected_apps
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or_default();
    let opened = match analyse::open(ctx, &import).await {
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
            Ok(Some(Part::Workspace(part))) => {
                super::workspace::import(ctx, &import, &opened, &mut progress, &part)
                    .await
                    .map(Some)
            }
            Ok(Some(Part::Remote(remote, part))) => {
                super::remote::import(ctx, &import, &opened, &mut progress, remote, &part)
                    .await
                    .map(|()| None)
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

/// An app's part of the archive, as its importer takes it.
enum Part<'a> {
    Workspace(WorkspacePart<'a>),
    Remote(&'a RemoteAppConfig, RemotePart<'a>),
}

/// What the archive holds for `app`, read from the format that wrote it; `None` when nothing.
async fn part_of<'a>(
    ctx: &'a Context,
    opened: &'a Opened,
    app: &str,
) -> Result<Option<Part<'a>>, Failure> {
    let remote = ctx.remote_app(app);
    if app != WORKSPACE_APP && remote.is_none() {
        // The launch accepts only apps the analysis found importable; one removed from the
        // configuration since has no connector left.
        return Err(Failure::Job(JobError::Permanent(format!("no connector for {app}"))));
    }
    Ok(match (&opened.contents, remote) {
        (Contents::Ours { manifest, .. }, None) => {
            super::workspace::part_of_manifest(opened, manifest).await?.map(Part::Workspace)
        }
        (Contents::Ours { manifest, .. }, Some(remote)) => {
            RemotePart::of_manifest(manifest, app).map(|part| Part::Remote(remote, part))
        }
        (Contents::Entcore(archive), None) => {
            entcore::workspace_part(ctx, opened, archive).await?.map(Part::Workspace)
        }
        (Contents::Entcore(archive), Some(remote)) => {
            entcore::remote_part(ctx, opened, archive, remote)
                .map(|part| Part::Remote(remote, part))
        }
    })
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
            if ending == Ending::Cancelled {
                if !imports::end_cancelled(conn, &id, &json)? {
                    return Ok(None);
                }
                let message = format!("cancelled after {imported} imported items");
                let ended = Err((IMPORT_CANCELLED, message.as_str()));
                notify::import_ended(conn, &owner, &id, &file_name, ended)?;
                return Ok(Some(report.apps.values().map(|a| a.bytes).sum::<u64>()));
            }
            if !imports::finish(conn, &id, &json)? {
                return Ok(None);
            }
            notify::import_ended(conn, &owner, &id, &file_name, Ok((imported, failed)))?;
            Ok(Some(report.apps.values().map(|a| a.bytes).sum::<u64>()))
        })
        .await
        .map_err(|e| JobError::Transient(format!("database: {e}")))?;
    if let Some(bytes) = done {
        ctx.metrics.add_imported_bytes(bytes);
        tracing::info!(bytes, "import done");
    }
    if let Some(key) = &import.object_key {
        analyse::remove_upload(ctx, key).await;
    }
    Ok(())
}

fn job_error(e: Failure) -> JobError {
    match e {
        Failure::Job(e) => e,
        Failure::Refused(r) => JobError::Permanent(r.message),
    }
}

/// Progress written to the row at most every `exports.progress_interval_ms`; each write also
/// tells whether the import was ended meanwhile.
pub(crate) struct Progress<'a> {
    /// A stop was asked: importers end at the next entry boundary, keeping what they did.
    pub(crate) stop_asked: bool,
    ctx: &'a Context,
    import_id: &'a str,
    files: u64,
    bytes: u64,
    last: Instant,
    every: Duration,
}

impl<'a> Progress<'a> {
    fn new(ctx: &'a Context, import_id: &'a str) -> Self {
        Self {
            stop_asked: false,
            ctx,
            import_id,
            files: 0,
            bytes: 0,
            last: Instant::now(),
            every: Duration::from_millis(ctx.config.exports.progress_interval_ms),
        }
    }

    pub(crate) async fn advance(&mut self, bytes: u64) -> Result<(), Failure> {
        self.files += 1;
        self.bytes += bytes;
        if self.last.elapsed() >= self.every { self.flush().await } else { Ok(()) }
    }

    pub(crate) async fn flush(&mut self) -> Result<(), Failure> {
        self.last = Instant::now();
        let id = self.import_id.to_owned();
        let (files, bytes) = (as_i64(self.files), as_i64(self.bytes));
        let status =
            self.ctx.db.run(move |conn| imports::progress(conn, &id, files, bytes)).await?;
        match status {
            Some((status, stop)) if status == "running" => {
                self.stop_asked |= stop;
                Ok(())
            }
            _ => Err(Failure::Job(JobError::Permanent("the import was ended meanwhile".into()))),
        }
    }
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
