//! A remote app's part of an import: its files of the archive handed to the app over the
//! connector contract. JSON documents go as data; other files are staged in the shared store,
//! checked against the manifest as they are copied (when the format has checksums), and named
//! by key. The app's answer becomes the app's part of the report; an app that cannot import
//! fails alone. What differs between formats is gathered first into a [`RemotePart`].
//!
//! The body of `POST /import` is produced as it is sent and cannot be replayed, so the app's
//! availability is checked first by `GET /info`, which can be retried. The answer, or the
//! failure, is recorded in `import_app_results` before the next app: a resumed import never
//! calls the app twice, and a call cut before any answer is made again with the same
//! `import_id`, the app counting what the earlier call created as duplicates.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use mesdonnees_db::imports;
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::apps::{AppDescriptor, FormatVersion, check_compatibility};
use mesdonnees_shared::archive::{FileKind, Manifest};
use mesdonnees_shared::connector::{EntryLine, ImportBegin, ImportOrigin};
use mesdonnees_shared::imports::{AppError, AppReport, ItemError, MAX_ID_MAP, MAX_LISTED_ERRORS};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

use mesdonnees_zip::scan::ScannedEntry;

use super::AppClient;
use crate::apps::{ConnectorError, ImportJob};
use crate::error::JobError;
use crate::opener::{Failure, Opened, Stored, read_small, store_entry};

/// Lines produced ahead of what the connection has sent.
const LINES_AHEAD: usize = 16;

/// Where an import stages an app's files for the app to read.
pub(crate) fn staging_prefix(import_id: &str, app: &str) -> String {
    format!("imports/{import_id}/staged/{app}/")
}

/// A remote app's part of an archive, whatever format wrote it.
pub(crate) struct RemotePart<'a> {
    /// The app's folder in the archive, with its slash.
    pub prefix: String,
    /// The version `begin` gives: the archive's for a v1 archive, the app's own otherwise.
    pub version: FormatVersion,
    /// Where the entries come from, when not from an archive of ours.
    pub origin: Option<ImportOrigin>,
    /// By archive path: the SHA-256 to check (`None`: the format has none) and the kind.
    pub listed: HashMap<&'a str, (Option<&'a str>, Option<FileKind>)>,
}

impl<'a> RemotePart<'a> {
    /// The app's part of a v1 archive, as its manifest lists it; `None` when it has none.
    pub(crate) fn of_manifest(manifest: &'a Manifest, app: &str) -> Option<Self> {
        let listed = manifest.apps.get(app)?;
        Some(Self {
            prefix: format!("{}/", listed.folder),
            version: listed.version,
            origin: None,
            listed: manifest
                .files
                .iter()
                .filter(|f| f.app == app)
                .map(|f| (f.path.as_str(), (Some(f.sha256.as_str()), f.kind)))
                .collect(),
        })
    }
}

/// Hands the app its part, unless an earlier attempt already had its answer; `client` is the
/// app's, or why it has none (then the app fails alone).
pub(super) async fn import(
    ctx: &Context,
    job: ImportJob<'_, '_>,
    client: Result<&AppClient, ConnectorError>,
    app: &str,
    part: &RemotePart<'_>,
) -> Result<(), Failure> {
    let import = job.import;
    let (import_id, app_id) = (import.id.clone(), app.to_owned());
    let answered = ctx
        .db
        .run(move |conn| imports::app_results(conn, &import_id))
        .await?
        .into_iter()
        .any(|(id, _)| id == app_id);
    if answered {
        return Ok(());
    }
    let mut report = AppReport::default();
    let outcome = match client {
        Ok(client) => hand_over(ctx, job, client, part, &mut report).await,
        Err(e) => Err(HandOver::App(e)),
    };
    remove_staged(ctx, &staging_prefix(&import.id, app)).await;
    match outcome {
        Ok(()) => {}
        // The app saw a body without its end line and kept nothing: the job tries again.
        Err(HandOver::Retry(why)) => return Err(Failure::Job(JobError::Transient(why))),
        Err(HandOver::App(e)) => {
            tracing::warn!(app = %app, code = e.code.as_str(), "app import failed");
            report.error = Some(AppError { code: e.code.as_str().to_owned(), message: e.message });
        }
    }
    let json = serde_json::to_string(&report)
        .map_err(|e| Failure::Job(JobError::Permanent(e.to_string())))?;
    let (import_id, app_id) = (import.id.clone(), app.to_owned());
    ctx.db
        .transaction(move |conn| imports::record_app_result(conn, &import_id, &app_id, &json))
        .await?;
    Ok(())
}

/// Why an app's part did not go through.
enum HandOver {
    /// The app could not take it, for good: the report says so.
    App(ConnectorError),
    /// This side's store or upload failed on the way.
    Retry(String),
}

impl From<ConnectorError> for HandOver {
    fn from(e: ConnectorError) -> Self {
        Self::App(e)
    }
}

/// Sends the app its entries and merges its answer into `report`. Entries this side could not
/// read are reported here and not sent.
async fn hand_over(
    ctx: &Context,
    job: ImportJob<'_, '_>,
    client: &AppClient,
    part: &RemotePart<'_>,
    report: &mut AppReport,
) -> Result<(), HandOver> {
    let import = job.import;
    let info = client.info().await?;
    let version = part.version;
    // The analysis judged the archive against the configured version; the app now running
    // must read it too. Entries of another format are read by the app's legacy reading,
    // which its declaration vouches for.
    let running = AppDescriptor { version: info.version, ..client.app.descriptor() };
    if part.origin.is_none() && check_compatibility(version, &running).is_err() {
        return Err(HandOver::App(ConnectorError::new(
            ErrorCode::UnsupportedVersion,
            format!(
                "{} now runs version {}, which does not read the archive's {version}",
                client.app.id, info.version
            ),
        )));
    }
    let (sender, receiver) =
        tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(LINES_AHEAD);
    let body = reqwest::Body::wrap_stream(crate::apps::received(receiver));
    let deadline =
        tokio::time::Instant::now() + Duration::from_secs(client.limits.export_deadline_secs);
    let begin = EntryLine::Begin(ImportBegin {
        user_id: import.owner_id.clone(),
        import_id: import.id.clone(),
        version,
        origin: part.origin.clone(),
    });
    let lines = LineWriter { sender, count: 0, staged_bytes: 0, local_errors: Vec::new() };
    let produce = async move {
        let mut lines = lines;
        let mut produced = Ok(());
        if lines.send(&begin).await {
            produced = produce_entries(ctx, job, client, part, &mut lines).await;
        }
        // Dropping the sender ends the body, without its end line when staging failed.
        let LineWriter { staged_bytes, local_errors, .. } = lines;
        (produced, staged_bytes, local_errors)
    };
    let (answer, (produced, staged_bytes, local_errors)) =
        tokio::join!(client.import(body, deadline), produce);
    produced.map_err(HandOver::Retry)?;
    report.failed += local_errors.len() as u64;
    report.errors.extend(local_errors.into_iter().take(MAX_LISTED_ERRORS));
    let answer = answer?;
    report.imported += answer.imported;
    report.files_imported += answer.imported;
    report.skipped += answer.duplicates;
    report.failed += answer.errors.len() as u64;
    report.bytes = staged_bytes;
    for error in answer.errors {
        if report.errors.len() >= MAX_LISTED_ERRORS {
            break;
        }
        report.errors.push(ItemError {
            path: format!("{}{}", part.prefix, error.path),
            message: format!("{} refused this entry", client.app.id),
            code: error.code,
        });
    }
    report.id_map = answer.id_map.into_iter().take(MAX_ID_MAP).collect();
    Ok(())
}

/// Writes the app's entries, then `end`, as lines; stops when the connection is gone.
async fn produce_entries(
    ctx: &Context,
    job: ImportJob<'_, '_>,
    client: &AppClient,
    part: &RemotePart<'_>,
    lines: &mut LineWriter,
) -> Result<(), String> {
    let ImportJob { import, opened, progress } = job;
    let mut staged = 0_u64;
    for entry in &opened.archive.entries {
        let Some(relative) = entry.path.strip_prefix(&part.prefix) else { continue };
        if entry.is_dir || relative.is_empty() {
            continue;
        }
        // A file the manifest does not list is held to an empty checksum: it cannot match.
        let (sha256, kind) =
            part.listed.get(entry.path.as_str()).copied().unwrap_or((Some(""), None));
        let line = match kind {
            // The viewer's pages are for people, the checksums for the archive: no app's data.
            Some(FileKind::Viewer | FileKind::Checksums) => continue,
            Some(FileKind::Json) => json_line(opened, entry, relative, client).await,
            None => {
                staged += 1;
                let key = format!("{}{staged}", staging_prefix(&import.id, &client.app.id));
                object_line(ctx, opened, entry, relative, sha256, key).await?
            }
        };
        // An import ended meanwhile is seen by the run once this app is done.
        let _ = progress.advance(entry.uncompressed_size).await;
        match line {
            Ok(line) => {
                if let EntryLine::Object { size, .. } = &line {
                    lines.staged_bytes += size;
                }
                if !lines.send(&line).await {
                    return Ok(());
                }
            }
            Err(error) => lines.local_errors.push(error),
        }
    }
    let end = EntryLine::End { count: lines.count - 1 };
    lines.send(&end).await;
    Ok(())
}

/// The import body, one serialized line at a time.
struct LineWriter {
    sender: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    /// Lines sent, `begin` included.
    count: u64,
    staged_bytes: u64,
    local_errors: Vec<ItemError>,
}

impl LineWriter {
    /// `false` once the connection is gone.
    async fn send(&mut self, line: &EntryLine) -> bool {
        let Ok(mut bytes) = serde_json::to_vec(line) else { return false };
        bytes.push(b'\n');
        self.count += 1;
        self.sender.send(Ok(Bytes::from(bytes))).await.is_ok()
    }
}

fn local_error(entry: &ScannedEntry, code: ErrorCode, message: impl Into<String>) -> ItemError {
    ItemError { path: entry.path.clone(), code: code.as_str().to_owned(), message: message.into() }
}

/// A JSON document of the archive, as a `json` line.
async fn json_line(
    opened: &Opened,
    entry: &ScannedEntry,
    relative: &str,
    client: &AppClient,
) -> Result<EntryLine, ItemError> {
    let max = client.limits.max_line_bytes as u64;
    let bytes = read_small(opened.source.as_ref(), entry, max).await.map_err(|_| {
        local_error(entry, ErrorCode::EntryUnreadable, format!("unreadable or over {max} bytes"))
    })?;
    let data = serde_json::from_slice(&bytes)
        .map_err(|e| local_error(entry, ErrorCode::InvalidJson, e.to_string()))?;
    Ok(EntryLine::Json { path: relative.to_owned(), data })
}

/// A file of the archive copied to `key` for the app, as an `object` line; the outer error is a
/// failure of the store or of the upload, which the job retries.
async fn object_line(
    ctx: &Context,
    opened: &Opened,
    entry: &ScannedEntry,
    relative: &str,
    sha256: Option<&str>,
    key: String,
) -> Result<Result<EntryLine, ItemError>, String> {
    Ok(match store_entry(ctx, opened, entry, &Path::from(key.as_str()), sha256).await {
        Ok(Stored::Ok(sha256)) => Ok(EntryLine::Object {
            path: relative.to_owned(),
            key,
            size: entry.uncompressed_size,
            sha256,
            content_type: Some(
                mime_guess::from_path(relative).first_or_octet_stream().essence_str().to_owned(),
            ),
        }),
        Ok(Stored::Mismatch) => Err(local_error(
            entry,
            ErrorCode::ChecksumMismatch,
            "the file differs from the manifest",
        )),
        Ok(Stored::Corrupt(why)) => Err(local_error(entry, ErrorCode::EntryCorrupt, why)),
        Err(Failure::Job(e)) => return Err(format!("staging a file for the app: {e}")),
        Err(Failure::Refused(r)) => Err(local_error(entry, r.code, r.message)),
    })
}

/// Deletes what an import staged under `prefix`, whatever the app answered.
pub(crate) async fn remove_staged(ctx: &Context, prefix: &str) {
    let store = ctx.storage.store.clone();
    let listed: Vec<Path> = store
        .list(Some(&Path::from(prefix)))
        .filter_map(|meta| async move { meta.ok().map(|m| m.location) })
        .collect()
        .await;
    for location in listed {
        if let Err(e) = store.delete(&location).await {
            tracing::warn!(error = %e, "staged file not removed");
        }
    }
}
