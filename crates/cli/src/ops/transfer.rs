//! `mesdonnees transfer --from URL --token TOKEN --users FILE [--concurrency N] [--state FILE]`:
//! moves users from another mesdonnees instance to this one. For each user, through the
//! source's admin API: an export, followed until ready, a signed link, the archive streamed down
//! into a temporary file; then the same import as `mesdonnees import` (every importable app).
//! The state file records each user's export in flight and whether the user is done, so a
//! rerun skips the done users and goes on with the exports (and imports) already started.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use mesdonnees_db::{Page, imports};
use mesdonnees_shared::UserId;
use mesdonnees_shared::imports::{AllApps, AppChoice, ImportStatus};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::copy::write_checked;
use super::import::{self, Ended};
use super::progress::Reporter;
use super::state::StateFile;
use super::users_file;
use super::{Exit, OpError, Operator};

/// Pauses between two readings of an export on the source: short at first, then longer.
const POLL_FIRST: Duration = Duration::from_millis(250);
const POLL_MAX: Duration = Duration::from_secs(5);

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Exit codes:
  0  every user done (now or by an earlier run)
  1  at least one user failed (the summary says why), or the source could not be used
  2  usage or configuration error (bad URL, users file, state file)")]
pub struct TransferArgs {
    /// The source instance's URL (its API under /api/v1).
    #[arg(long)]
    pub from: url::Url,
    /// A token of the source instance holding its admin right.
    #[arg(long, env = "MESDONNEES_TRANSFER_TOKEN", hide_env_values = true)]
    pub token: String,
    /// One user id per line (blank lines and lines starting with # are ignored).
    #[arg(long)]
    pub users: PathBuf,
    /// Users moved at once (at most operator.transfer_max_concurrency).
    #[arg(long, default_value_t = 2)]
    pub concurrency: usize,
    /// The state file; by default the users file's name with `.state.json`.
    #[arg(long)]
    pub state: Option<PathBuf>,
}

/// What became of one user.
#[derive(Debug)]
enum Outcome {
    /// `partial`: an app of the archive could not be imported whole (the report says which).
    Done {
        import_id: String,
        signature: String,
        partial: bool,
    },
    AlreadyDone,
    Failed(String),
}

pub async fn run(op: &Operator, args: TransferArgs) -> Result<Exit, OpError> {
    let limits = &op.ctx.config.operator;
    if args.concurrency == 0 {
        return Err(OpError::Usage("--concurrency must be at least 1".to_owned()));
    }
    let concurrency = args.concurrency.min(limits.transfer_max_concurrency);
    let users: Vec<UserId> = users_file::read(&args.users, limits.transfer_max_users, false)?
        .into_iter()
        .map(|line| line.user)
        .collect();
    let state_path = args.state.clone().unwrap_or_else(|| {
        let mut name = args.users.as_os_str().to_owned();
        name.push(".state.json");
        PathBuf::from(name)
    });
    let source_url = args.from.as_str().trim_end_matches('/').to_owned();
    let state = Arc::new(Mutex::new(StateFile::open(&state_path, &source_url)?));
    let source = Source::new(op, args.from.clone(), args.token.clone())?;
    let temp = op.ctx.config.data_dir.join("tmp");
    tokio::fs::create_dir_all(&temp)
        .await
        .map_err(|e| OpError::Failed(format!("cannot create {}: {e}", temp.display())))?;
    eprintln!("transfer of {} users from {source_url}, {concurrency} at once", users.len());
    let outcomes: Vec<(UserId, Outcome)> = futures_util::stream::iter(users)
        .map(|user| {
            let (source, state, temp) = (&source, &state, temp.as_path());
            async move {
                let outcome = match one_user(op, source, state, temp, &user).await {
                    Ok(outcome) => outcome,
                    Err(e) => Outcome::Failed(e.to_string()),
                };
                match &outcome {
                    Outcome::Done { .. } => eprintln!("{user}: done"),
                    Outcome::AlreadyDone => eprintln!("{user}: already done"),
                    Outcome::Failed(why) => eprintln!("{user}: failed: {why}"),
                }
                (user, outcome)
            }
        })
        .buffered(concurrency)
        .collect()
        .await;
    Ok(summary(&outcomes))
}

/// Prints the summary; the exit status is 1 when a user failed.
fn summary(outcomes: &[(UserId, Outcome)]) -> Exit {
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|(_, o)| f(o)).count();
    let done = count(|o| matches!(o, Outcome::Done { .. }));
    let skipped = count(|o| matches!(o, Outcome::AlreadyDone));
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    for (user, outcome) in outcomes {
        match outcome {
            Outcome::Done { import_id, signature, partial } => {
                let part = if *partial { " (in part)" } else { "" };
                println!("done {user} import {import_id} signature {signature}{part}");
            }
            Outcome::AlreadyDone => println!("skipped {user} already done"),
            Outcome::Failed(why) => println!("failed {user} {why}"),
        }
    }
    println!("summary: {done} done, {skipped} skipped (already done), {failed} failed");
    if failed > 0 { Exit::Failed } else { Exit::Done }
}

async fn one_user(
    op: &Operator,
    source: &Source,
    state: &Mutex<StateFile>,
    temp: &Path,
    user: &UserId,
) -> Result<Outcome, OpError> {
    let mut current = state.lock().await.user(user.as_str());
    if current.done {
        return Ok(Outcome::AlreadyDone);
    }
    let export = match &current.export_id {
        Some(id) => match source.export(user, id).await? {
            Some(export)
                if !matches!(export.status.as_str(), "failed" | "cancelled" | "expired") =>
            {
                export
            }
            _ => source.start_export(user).await?,
        },
        None => source.start_export(user).await?,
    };
    if current.export_id.as_deref() != Some(export.id.as_str()) {
        current.export_id = Some(export.id.clone());
        current.import_id = None;
        state.lock().await.set(user.as_str(), current.clone())?;
    }
    let name = format!("transfer-{}.zip", export.id);
    // A run killed once its import had begun: that import is followed, not made again.
    let ended = if let Some(import_id) = existing_import(op, user, &name).await? {
        follow(op, user, &import_id).await?
    } else {
        let export = source.ready(user, &export.id).await?;
        let archive = source.download(user, &export, temp).await?;
        let mut reporter = Reporter::lines(format!("{user} import"));
        let all = AppChoice::All(AllApps::All);
        import::import_file(op, user, archive.path(), &name, &all, false, &mut reporter).await?
    };
    let signature = ended
        .analysis
        .as_ref()
        .and_then(|a| serde_json::to_value(a.signature.status).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    match ended.exit {
        Exit::Done | Exit::Partial => {
            current.import_id = Some(ended.import.id.clone());
            current.done = true;
            state.lock().await.set(user.as_str(), current)?;
            let partial = ended.exit == Exit::Partial;
            Ok(Outcome::Done { import_id: ended.import.id, signature, partial })
        }
        _ => Ok(Outcome::Failed(format!(
            "import {} failed ({}): {}",
            ended.import.id,
            ended.import.error_code.as_deref().unwrap_or("unknown"),
            ended.import.error_message.as_deref().unwrap_or("")
        ))),
    }
}

/// The import of this archive (by its name, which carries the source's export id) already
/// made here for the user, if any.
async fn existing_import(
    op: &Operator,
    user: &UserId,
    name: &str,
) -> Result<Option<String>, OpError> {
    let (owner, name) = (user.to_string(), name.to_owned());
    let page = Page::new(Some(1), Some(200), 200);
    let (found, _) = op.ctx.db.run(move |conn| imports::list(conn, &owner, page)).await?;
    Ok(found.into_iter().find(|i| i.file_name == name).map(|i| i.id))
}

/// Follows an import made by an earlier run to its end.
async fn follow(op: &Operator, user: &UserId, id: &str) -> Result<Ended, OpError> {
    let mut reporter = Reporter::lines(format!("{user} import"));
    let import = super::follow::import_end(&op.ctx, id, &mut reporter, false).await?;
    let analysis = import.analysis().map_err(mesdonnees_core::Error::from)?;
    let report = import.report().map_err(mesdonnees_core::Error::from)?;
    let exit = match import.status() {
        Some(ImportStatus::Done) => Exit::Done,
        _ => Exit::Failed,
    };
    Ok(Ended { import, analysis, report, selected: Vec::new(), exit })
}

/// An export as the source's admin API shows it.
#[derive(Debug, Deserialize)]
struct SourceExport {
    id: String,
    status: String,
    sha256: Option<String>,
    size: Option<i64>,
    error: Option<SourceError>,
}

#[derive(Debug, Deserialize)]
struct SourceError {
    code: String,
}

#[derive(Debug, Deserialize)]
struct SourceLink {
    url: String,
}

/// The source instance's admin API.
struct Source {
    base: url::Url,
    token: String,
    client: reqwest::Client,
    request_timeout: Duration,
    wait: Duration,
}

impl Source {
    fn new(op: &Operator, mut base: url::Url, token: String) -> Result<Self, OpError> {
        // Paths are joined under the base, which must then end with a slash.
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let limits = &op.ctx.config.operator;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(limits.transfer_request_timeout_secs))
            .read_timeout(Duration::from_secs(limits.transfer_idle_timeout_secs))
            .build()
            .map_err(|e| OpError::Failed(format!("HTTP client: {e}")))?;
        Ok(Self {
            base,
            token,
            client,
            request_timeout: Duration::from_secs(limits.transfer_request_timeout_secs),
            wait: Duration::from_secs(limits.wait_timeout_secs),
        })
    }

    /// A call of the source's admin API, with the token and the request timeout.
    fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> Result<reqwest::RequestBuilder, OpError> {
        let url = self.base.join(path).map_err(|e| OpError::Usage(format!("--from: {e}")))?;
        Ok(self.client.request(method, url).bearer_auth(&self.token).timeout(self.request_timeout))
    }

    async fn start_export(&self, user: &UserId) -> Result<SourceExport, OpError> {
        let path = format!("api/v1/admin/users/{user}/exports");
        let request = self.admin(reqwest::Method::POST, &path)?.json(&serde_json::json!({}));
        json_of(send(request).await?).await
    }

    /// The export, or `None` when the source no longer has it.
    async fn export(&self, user: &UserId, id: &str) -> Result<Option<SourceExport>, OpError> {
        let path = format!("api/v1/admin/users/{user}/exports/{id}");
        let response = send(self.admin(reqwest::Method::GET, &path)?).await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        json_of(response).await.map(Some)
    }

    /// Follows the export until it is ready.
    async fn ready(&self, user: &UserId, id: &str) -> Result<SourceExport, OpError> {
        let started = Instant::now();
        let mut pause = POLL_FIRST;
        loop {
            let Some(export) = self.export(user, id).await? else {
                return Err(OpError::Failed(format!("the source's export {id} is gone")));
            };
            match export.status.as_str() {
                "ready" => return Ok(export),
                "queued" | "running" => {}
                other => {
                    let code = export.error.map_or_else(|| other.to_owned(), |e| e.code);
                    return Err(OpError::Failed(format!("the source's export {id}: {code}")));
                }
            }
            if started.elapsed() >= self.wait {
                return Err(OpError::Failed(format!(
                    "the source's export {id} not ready within operator.wait_timeout_secs"
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(POLL_MAX);
        }
    }

    /// Streams the ready archive into a temporary file under `temp`, checked against the
    /// export's size and SHA-256; removed when dropped.
    async fn download(
        &self,
        user: &UserId,
        export: &SourceExport,
        temp: &Path,
    ) -> Result<tempfile::NamedTempFile, OpError> {
        let path = format!("api/v1/admin/users/{user}/exports/{}/link", export.id);
        let link: SourceLink =
            json_of(send(self.admin(reqwest::Method::POST, &path)?).await?).await?;
        // A relative link is the source's own download route.
        let url = self.base.join(&link.url).map_err(|e| OpError::Failed(format!("link: {e}")))?;
        let response = send(self.client.get(url)).await?;
        if !response.status().is_success() {
            return Err(OpError::Failed(format!(
                "download: the source answered {}",
                response.status()
            )));
        }
        let failed = |e: &dyn std::fmt::Display| OpError::Failed(format!("download: {e}"));
        let file = tempfile::Builder::new()
            .prefix("transfer-")
            .suffix(".zip")
            .tempfile_in(temp)
            .map_err(|e| failed(&e))?;
        let out = tokio::fs::File::from_std(file.reopen().map_err(|e| failed(&e))?);
        let what = format!("download of export {}", export.id);
        let body = response.bytes_stream();
        if !write_checked(body, out, export.sha256.as_deref(), export.size, &what).await? {
            return Err(OpError::Failed(format!(
                "download: the archive of export {} does not match its checksum",
                export.id
            )));
        }
        Ok(file)
    }
}

async fn send(request: reqwest::RequestBuilder) -> Result<reqwest::Response, OpError> {
    request.send().await.map_err(|e| OpError::Failed(format!("the source does not answer: {e}")))
}

/// The body of a successful answer; a problem's code otherwise.
async fn json_of<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, OpError> {
    let status = response.status();
    if status.is_success() {
        return response
            .json()
            .await
            .map_err(|e| OpError::Failed(format!("the source's answer: {e}")));
    }
    let code = response
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
        .unwrap_or_default();
    Err(OpError::Refused {
        code: if code.is_empty() { status.as_str().to_owned() } else { code },
        message: format!("the source answered {status}"),
    })
}
