//! `mesdonnees import --user ID FILE [--apps a,b|all] [--dry-run]`.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use mesdonnees_core::{Error, imports};
use mesdonnees_db::Import;
use mesdonnees_shared::UserId;
use mesdonnees_shared::imports::{
    Analysis, AppChoice, IMPORT_CANCELLED, ImportReport, ImportStatus, NOTHING_IMPORTABLE,
};

use super::progress::Reporter;
use super::{Exit, OpError, Operator, follow};

/// Chunk read from the archive file while it is uploaded.
const READ_CHUNK: usize = 1024 * 1024;

#[derive(Debug, clap::Args)]
#[command(after_help = super::EXIT_CODES)]
pub struct ImportArgs {
    /// The user the archive is imported into; the import is theirs.
    #[arg(long)]
    pub user: String,
    /// The archive (this service's zip, or an entcore ENT's).
    pub file: PathBuf,
    /// `all` (every app the analysis finds importable) or app ids separated by commas.
    #[arg(long, default_value = "all")]
    pub apps: String,
    /// Upload and analyse only: print the analysis and what would be imported, then remove
    /// the upload and the import row.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn run(op: &Operator, args: ImportArgs) -> Result<Exit, OpError> {
    let user = UserId::parse(&args.user)
        .map_err(|_| OpError::Usage(format!("--user {:?} is not a valid user id", args.user)))?;
    let choice =
        AppChoice::parse(&args.apps).map_err(|e| OpError::Usage(format!("--apps: {e}")))?;
    let name = args
        .file
        .file_name()
        .map_or_else(|| "archive.zip".to_owned(), |n| n.to_string_lossy().into_owned());
    let mut reporter = Reporter::new(format!("import {name}"));
    let ended =
        import_file(op, &user, &args.file, &name, &choice, args.dry_run, &mut reporter).await?;
    print_outcome(&ended, args.dry_run);
    Ok(ended.exit)
}

/// What an import came to.
pub struct Ended {
    pub import: Import,
    pub analysis: Option<Analysis>,
    pub report: Option<ImportReport>,
    /// The apps chosen for it (or, in a dry run, that would be).
    pub selected: Vec<String>,
    pub exit: Exit,
}

/// Uploads `file` into `user`'s account under `name` through the service's upload path, then
/// follows the import: to its end, or in a dry run to its analysis, after which the import and
/// its upload are removed.
pub async fn import_file(
    op: &Operator,
    user: &UserId,
    file: &Path,
    name: &str,
    choice: &AppChoice,
    dry_run: bool,
    reporter: &mut Reporter,
) -> Result<Ended, OpError> {
    let opened = tokio::fs::File::open(file)
        .await
        .map_err(|e| OpError::Usage(format!("cannot read {}: {e}", file.display())))?;
    let body = tokio_util::io::ReaderStream::with_capacity(opened, READ_CHUNK)
        .map(|chunk| chunk.map_err(Error::unexpected));
    let ctx = &op.ctx;
    let actor = op.acting_for(user.clone());
    let auto = (!dry_run).then_some(choice);
    let import =
        imports::receive(ctx, &actor, auto, None, |upload| upload.store(name.to_owned(), body))
            .await?;
    let action = if dry_run { "import.dry_run" } else { "import.create" };
    mesdonnees_core::audit::record(ctx, &actor, action, Some(&import.id)).await?;
    let import = follow::import_end(ctx, &import.id, reporter, dry_run).await?;
    let analysis = import.analysis().map_err(Error::from)?;
    let report = import.report().map_err(Error::from)?;
    if dry_run {
        if !imports::discard(ctx, &import).await? {
            return Err(OpError::Failed(format!("import {} could not be removed", import.id)));
        }
        let selected = analysis.as_ref().map(|a| choice.select(a).apps).unwrap_or_default();
        let exit = match (&analysis, import.status()) {
            (Some(_), Some(ImportStatus::Analysed)) if selected.is_empty() => {
                Exit::NothingImportable
            }
            (Some(_), Some(ImportStatus::Analysed)) => partial_choice(choice, &selected),
            _ => Exit::Failed,
        };
        return Ok(Ended { import, analysis, report, selected, exit });
    }
    let selected = import.selected_apps().map_err(Error::from)?;
    let exit = match import.status() {
        Some(ImportStatus::Done) => {
            let incomplete = report
                .as_ref()
                .is_some_and(|r| r.apps.values().any(|a| a.failed > 0 || a.error.is_some()));
            if incomplete { Exit::Partial } else { partial_choice(choice, &selected) }
        }
        _ if import.error_code.as_deref() == Some(NOTHING_IMPORTABLE) => Exit::NothingImportable,
        _ => Exit::Failed,
    };
    Ok(Ended { import, analysis, report, selected, exit })
}

/// Apps named one by one that were not all importable make the import partial; `all` takes
/// what there is.
fn partial_choice(choice: &AppChoice, selected: &[String]) -> Exit {
    match choice {
        AppChoice::Only(asked) if asked.len() > selected.len() => Exit::Partial,
        _ => Exit::Done,
    }
}

fn print_outcome(ended: &Ended, dry_run: bool) {
    let import = &ended.import;
    if let Some(analysis) = &ended.analysis {
        print_analysis(analysis);
    }
    if dry_run {
        match import.status() {
            Some(ImportStatus::Analysed) => println!(
                "dry run: would import {}; nothing was kept",
                if ended.selected.is_empty() {
                    "nothing".to_owned()
                } else {
                    ended.selected.join(", ")
                }
            ),
            _ => println!("dry run: {}; nothing was kept", refusal(import)),
        }
        return;
    }
    if let Some(report) = &ended.report {
        println!("report:");
        for (app, r) in &report.apps {
            println!(
                "  {app}: {} imported, {} renamed, {} skipped, {} failed, {} bytes{}",
                r.imported,
                r.renamed,
                r.skipped,
                r.failed,
                r.bytes,
                r.folder.as_deref().map(|f| format!(", into \"{f}\"")).unwrap_or_default()
            );
            if let Some(error) = &r.error {
                println!("    error {}: {}", error.code, error.message);
            }
            for item in &r.errors {
                println!("    {} {}: {}", item.path, item.code, item.message);
            }
        }
    }
    match import.status() {
        Some(ImportStatus::Done) => println!("import {} done", import.id),
        _ if import.error_code.as_deref() == Some(IMPORT_CANCELLED) => {
            println!("import {} cancelled", import.id);
        }
        _ => println!("import {} {}", import.id, refusal(import)),
    }
}

fn refusal(import: &Import) -> String {
    format!(
        "failed ({}): {}",
        import.error_code.as_deref().unwrap_or("unknown"),
        import.error_message.as_deref().unwrap_or("")
    )
}

/// The analysis, one line per app.
pub fn print_analysis(analysis: &Analysis) {
    println!(
        "archive {} from {} ({}), signature {}",
        analysis.archive_id,
        analysis.source.instance,
        analysis.format,
        serde_json::to_value(analysis.signature.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    );
    for warning in &analysis.warnings {
        println!("  warning {}: {}", warning.code, warning.message);
    }
    for app in &analysis.apps {
        let version = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
        let verdict = serde_json::to_value(app.verdict)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let reason = app
            .reason
            .and_then(|r| serde_json::to_value(r).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        println!(
            "  {}: archive {} here {} {verdict}{reason}, {} entries, {} bytes",
            app.id,
            version(app.archive_version.as_ref().map(ToString::to_string)),
            version(app.current_version.as_ref().map(ToString::to_string)),
            app.entries,
            app.bytes,
        );
    }
}
