//! A remote ENT app behind the HTTP connector contract (docs/CONNECTORS.md).

mod client;
mod export;
mod paths;

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use mesdonnees_infra::Context;
use mesdonnees_infra::apps::RemoteAppConfig;
use mesdonnees_shared::apps::AppDescriptor;
use mesdonnees_shared::connector::{ExportCall, NDJSON};

pub use client::AppClient;

use super::{AppConnector, ConnectorError, ExportRequest, PreparedExport};

/// Batches of entries the stream reader may be ahead of the archive.
const BATCHES_AHEAD: usize = 4;

pub struct RemoteConnector {
    client: Arc<AppClient>,
    descriptor: AppDescriptor,
}

impl RemoteConnector {
    pub fn new(ctx: &Context, app: &RemoteAppConfig) -> Result<Self, ConnectorError> {
        let client = AppClient::new(
            app.clone(),
            ctx.config.connectors.clone(),
            ctx.config.exports.instance_name.clone(),
        )?;
        Ok(Self { descriptor: app.descriptor(), client: Arc::new(client) })
    }
}

impl AppConnector for RemoteConnector {
    fn descriptor(&self) -> &AppDescriptor {
        &self.descriptor
    }

    /// The app is called only when the archive comes to it: an export writes its apps one
    /// after the other, and an app must not wait, connected, for the ones before it.
    fn prepare<'a>(
        &'a self,
        request: &'a ExportRequest,
    ) -> BoxFuture<'a, Result<PreparedExport, ConnectorError>> {
        let mut filters = request.filters.clone();
        let since = filters.since.take();
        let call = ExportCall {
            user_id: request.owner.clone(),
            since,
            filters: (!filters.is_empty()).then_some(filters),
        };
        let client = self.client.clone();
        let started = futures_util::stream::once(async move { open_stream(client, call).await });
        let entries = started.flat_map(|opened| match opened {
            Ok(receiver) => super::flattened(receiver),
            Err(e) => futures_util::stream::iter([Err(e)]).boxed(),
        });
        Box::pin(async move {
            Ok(PreparedExport { files_total: None, bytes_total: None, entries: entries.boxed() })
        })
    }
}

/// Calls `POST /export` and reads its stream in a task of its own, a few batches ahead, so
/// that the app's pace and the archive's overlap.
async fn open_stream(
    client: Arc<AppClient>,
    call: ExportCall,
) -> Result<tokio::sync::mpsc::Receiver<export::Batch>, ConnectorError> {
    let limits = &client.limits;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(limits.export_deadline_secs);
    let response =
        client.send(|| Ok(client.request(reqwest::Method::POST, "export")?.json(&call))).await?;
    let media = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !media.starts_with(NDJSON) {
        return Err(ConnectorError::new(
            "invalid_stream",
            format!("{} answered {media:?} instead of {NDJSON}", client.app.id),
        ));
    }
    let stream_limits = export::StreamLimits {
        max_line_bytes: limits.max_line_bytes,
        max_json_bytes: limits.max_stream_bytes,
        idle: Duration::from_secs(limits.idle_timeout_secs),
        deadline,
        object_prefix: client.app.object_prefix(),
        table_fields: client.app.table_fields.iter().map(|f| f.field.clone()).collect(),
    };
    let (sender, receiver) = tokio::sync::mpsc::channel(BATCHES_AHEAD);
    tokio::spawn(export::read_stream(client.app.id.clone(), response, stream_limits, sender));
    Ok(receiver)
}
