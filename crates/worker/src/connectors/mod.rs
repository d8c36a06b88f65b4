//! The app connector contract: an app hands the export a stream of entries (JSON documents,
//! references to stored objects, folders) relative to its own folder of the archive. The
//! built-in `workspace` app implements it over the database; remote ENT apps implement the same
//! contract over HTTP.

mod remote;
mod workspace;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use mesdonnees_infra::Context;
use mesdonnees_shared::apps::{AppDescriptor, WORKSPACE_APP};
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::TableRow;

use crate::export::PreparedData;

pub use remote::{AppClient, RemoteConnector};
pub use workspace::{METADATA_FILE, WorkspaceConnector};

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
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ConnectorError {
    /// Stable code, reported in the app's outcome.
    pub code: &'static str,
    pub message: String,
}

impl ConnectorError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

pub trait AppConnector: Send + Sync {
    fn descriptor(&self) -> &AppDescriptor;

    fn prepare<'a>(
        &'a self,
        request: &'a ExportRequest,
    ) -> BoxFuture<'a, Result<PreparedExport, ConnectorError>>;
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

/// The connector of an app id, if this instance has that app.
pub fn connector_for(
    ctx: &Context,
    app: &str,
) -> Option<Result<Box<dyn AppConnector>, ConnectorError>> {
    if app == WORKSPACE_APP {
        return Some(Ok(Box::new(WorkspaceConnector::new(ctx.clone()))));
    }
    let remote = ctx.remote_app(app)?;
    Some(RemoteConnector::new(ctx, remote).map(|c| Box::new(c) as Box<dyn AppConnector>))
}
