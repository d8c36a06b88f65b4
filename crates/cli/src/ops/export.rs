//! `mesdonnees export --user ID [--apps a,b] [--name NAME] [--output FILE]`.

use std::path::{Path, PathBuf};

use futures_util::{Stream, StreamExt};
use mesdonnees_core::exports::{self, Request, Settings};
use mesdonnees_db::Export;
use mesdonnees_infra::Context;
use mesdonnees_shared::UserId;
use mesdonnees_shared::archive::AppOutcome;
use object_store::ObjectStoreExt;

use super::copy::write_checked;
use super::progress::Reporter;
use super::{Exit, OpError, Operator, follow};

/// Chunk read from a local store's archive when it is copied out.
const COPY_CHUNK: usize = 1024 * 1024;

#[derive(Debug, clap::Args)]
#[command(after_help = super::EXIT_CODES)]
pub struct ExportArgs {
    /// The user whose data is exported (the archive is theirs, as if they had asked).
    #[arg(long)]
    pub user: String,
    /// App ids separated by commas; every exportable app when absent.
    #[arg(long, value_delimiter = ',')]
    pub apps: Option<Vec<String>>,
    /// The export's name in the user's list.
    #[arg(long)]
    pub name: Option<String>,
    /// Also copy the archive here once ready (written beside it, then renamed into place).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

pub async fn run(op: &Operator, args: ExportArgs) -> Result<Exit, OpError> {
    let user = UserId::parse(&args.user)
        .map_err(|_| OpError::Usage(format!("--user {:?} is not a valid user id", args.user)))?;
    if let Some(output) = &args.output {
        check_output(output)?;
    }
    let ctx = &op.ctx;
    let request = Request {
        name: args.name.clone(),
        settings: Settings { apps: args.apps.clone(), ..Settings::default() },
        ..Request::default()
    };
    let export = exports::create(ctx, &op.acting_for(user.clone()), request).await?.into_export();
    eprintln!("export {} of {user}: {}", export.id, export.status);
    let mut reporter = Reporter::new(format!("export {}", short(&export.id)));
    let export = follow::export_end(ctx, &export.id, &mut reporter).await?;
    if export.status != "ready" {
        let code = export.error_code.clone().unwrap_or_else(|| export.status.clone());
        return Err(OpError::Refused {
            code,
            message: export.error_message.clone().unwrap_or_else(|| export.status.clone()),
        });
    }
    println!(
        "export {} ready: {} bytes, sha256 {}",
        export.id,
        export.size.unwrap_or(0),
        export.sha256.as_deref().unwrap_or("")
    );
    let failed = failed_apps(&export)?;
    for (app, code, message) in &failed {
        println!("  {app}: failed ({code}): {message}");
    }
    if let Some(output) = &args.output {
        copy_out(ctx, &export, output).await?;
        println!("written to {}", output.display());
    }
    Ok(if failed.is_empty() { Exit::Done } else { Exit::Partial })
}

/// Apps whose part of the archive is incomplete: id, code, message.
fn failed_apps(export: &Export) -> Result<Vec<(String, String, String)>, OpError> {
    let outcomes = export.outcomes().map_err(mesdonnees_core::Error::from)?;
    Ok(outcomes
        .into_iter()
        .filter_map(|(app, m)| match m.outcome {
            AppOutcome::Ok => None,
            AppOutcome::Failed { code, message } => Some((app, code, message)),
        })
        .collect())
}

/// The output's folder must exist: found out before the export is built, not after.
fn check_output(output: &Path) -> Result<(), OpError> {
    let folder = folder_of(output);
    if !folder.is_dir() {
        return Err(OpError::Usage(format!("--output: no folder {}", folder.display())));
    }
    Ok(())
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Streams the archive out of the store into `output`: written to a temporary file beside it,
/// checked against the export's SHA-256, then renamed into place, so `output` is whole or
/// untouched.
pub async fn copy_out(ctx: &Context, export: &Export, output: &Path) -> Result<(), OpError> {
    let Some(key) = export.object_key.as_deref() else {
        return Err(OpError::Failed(format!("export {} has no archive", export.id)));
    };
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        OpError::Failed(format!("{what} {}: {e}", output.display()))
    };
    let temp = tempfile::Builder::new()
        .prefix(".mesdonnees-")
        .suffix(".part")
        .tempfile_in(folder_of(output))
        .map_err(|e| failed("cannot write beside", &e))?;
    let file = tokio::fs::File::from_std(temp.reopen().map_err(|e| failed("cannot open", &e))?);
    let chunks = archive_stream(ctx, key).await?;
    let what = format!("export {}", export.id);
    if !write_checked(chunks, file, export.sha256.as_deref(), export.size, &what).await? {
        return Err(OpError::Failed(format!(
            "the archive read from the store does not match export {}: nothing written",
            export.id
        )));
    }
    temp.persist(output).map_err(|e| failed("cannot rename into", &e.error))?;
    Ok(())
}

type Chunks = std::pin::Pin<Box<dyn Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send>>;

/// The archive's bytes: read from the file in large chunks on a local store (its own stream
/// reads 8 KiB at a time), streamed from the store elsewhere.
async fn archive_stream(ctx: &Context, key: &str) -> Result<Chunks, OpError> {
    if let Some(root) = &ctx.storage.local_root {
        let file = tokio::fs::File::open(root.join(key))
            .await
            .map_err(|e| OpError::Failed(format!("opening the archive: {e}")))?;
        return Ok(Box::pin(tokio_util::io::ReaderStream::with_capacity(file, COPY_CHUNK)));
    }
    let got = ctx
        .storage
        .store
        .get(&object_store::path::Path::from(key))
        .await
        .map_err(|e| OpError::Failed(format!("reading the archive: {e}")))?;
    Ok(Box::pin(got.into_stream().map(|c| c.map_err(std::io::Error::other))))
}

/// The first part of an id, enough to tell jobs apart on a terminal.
pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
