//! Apps, each in its folder with its two directions (`export.rs`, `import.rs`), and the one
//! trait the jobs see them through. An app hands the export a stream of entries (JSON
//! documents, references to stored objects, folders) relative to its own folder of the
//! archive, and imports its part of an opened archive. The built-in `workspace` app does both
//! over the database; remote ENT apps over HTTP (the connector contract). The export and import
//! jobs use this module; nothing here uses them, and no app's folder uses another app's.

mod deflated;
mod prepared;
mod progress;
pub(crate) mod remote;
pub(crate) mod workspace;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::apps::{AppDescriptor, WORKSPACE_APP};
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::TableRow;

use mesdonnees_db::Import;

use crate::opener::{Failure, Opened};

pub(crate) use deflated::DeflatedFile;
pub(crate) use prepared::{PreparedData, STREAM_LEVEL, Spilled, pack};
pub(crate) use progress::Progress;
pub use remote::RemoteApp;
pub use workspace::WorkspaceApp;

/// Whose data, and which of it.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub owner: String,
    pub filters: ExportFilters,
    /// Only rows are wanted (a table export): metadata files an app writes about its own
    /// entries, such as workspace.json, need not be built.
    pub rows_only: bool,
}

/// One entry of an app's export, its path relative to the app's folder (`/`-separated, each
/// segment already safe and unique).
#[derive(Debug)]
pub enum AppEntry {
    Directory {
        path: String,
        modified: DateTime<Utc>,
    },
    /// Content already hashed and deflated (metadata an app builds as it streams).
    Prepared {
        path: String,
        data: PreparedData,
        /// A JSON document a remote app sent as data (listed `kind: json` in the manifest).
        json: bool,
        modified: DateTime<Utc>,
        /// What a table says of it; none for metadata the app writes about its own entries.
        row: Option<Box<TableRow>>,
    },
    /// A file in the object store.
    Object {
        path: String,
        key: String,
        size: u64,
        content_type: String,
        modified: DateTime<Utc>,
        /// The SHA-256 a remote app declared: a file that differs fails the app.
        expected_sha256: Option<String>,
        row: Option<Box<TableRow>>,
    },
}

/// What an app will export: totals when it knows them up front (for progress), then entries.
pub struct PreparedExport {
    pub files_total: Option<u64>,
    pub bytes_total: Option<u64>,
    pub entries: BoxStream<'static, Result<AppEntry, ConnectorError>>,
    /// How the app's JSON documents read in the archive's viewer, once the app has said so
    /// (a remote app does when its stream opens, before its first entry).
    pub view: ViewSlot,
}

/// Set at most once, by whoever opens the app's stream; read by the archive as entries arrive.
pub type ViewSlot = std::sync::Arc<std::sync::OnceLock<mesdonnees_shared::connector::ResourceView>>;

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ConnectorError {
    /// Reported in the app's outcome.
    pub code: ErrorCode,
    pub message: String,
}

impl ConnectorError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// An app's part of an archive, as its importer takes it; read from whichever format wrote
/// the archive by the import job.
pub(crate) enum ImportPart<'a> {
    Workspace(workspace::WorkspacePart<'a>),
    Remote(remote::RemotePart<'a>),
}

/// What an app's importer works in: the import row, its opened archive, its progress.
pub(crate) struct ImportJob<'a, 'p> {
    pub import: &'a Import,
    pub opened: &'a Opened,
    pub progress: &'a mut Progress<'p>,
}

/// An app in both directions.
pub(crate) trait App: Send + Sync {
    fn descriptor(&self) -> &AppDescriptor;

    /// What the app will export for a request: totals when known, then its entries.
    fn export<'a>(
        &'a self,
        request: &'a ExportRequest,
    ) -> BoxFuture<'a, Result<PreparedExport, ConnectorError>>;

    /// Imports the app's part of an archive; the name of the folder it went into, if the app
    /// made one. A part of another app is a job error: the import job pairs them.
    fn import<'a, 'p: 'a>(
        &'a self,
        job: ImportJob<'a, 'p>,
        part: &'a ImportPart<'a>,
    ) -> BoxFuture<'a, Result<Option<String>, Failure>>;
}

/// The error of an app handed another app's part.
fn wrong_part(app: &str) -> Failure {
    Failure::Job(crate::error::JobError::Permanent(format!("{app} was handed another app's part")))
}

/// What a channel receives, as a stream: how a task reading ahead hands over its work.
pub(crate) fn received<T: Send + 'static>(
    receiver: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> + Send + 'static {
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    })
}

/// The entries of batches a task reads ahead.
pub(crate) fn flattened(
    receiver: tokio::sync::mpsc::Receiver<Vec<Result<AppEntry, ConnectorError>>>,
) -> BoxStream<'static, Result<AppEntry, ConnectorError>> {
    use futures_util::StreamExt;
    Box::pin(received(receiver).flat_map(futures_util::stream::iter))
}

/// The app of an id, if this instance has that app.
pub(crate) fn app_for(ctx: &Context, app: &str) -> Option<Box<dyn App>> {
    if app == WORKSPACE_APP {
        return Some(Box::new(WorkspaceApp::new(ctx.clone())));
    }
    Some(Box::new(RemoteApp::new(ctx, ctx.remote_app(app)?)))
}
