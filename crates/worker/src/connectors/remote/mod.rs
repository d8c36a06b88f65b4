//! A remote ENT app behind the HTTP connector contract (docs/CONNECTORS.md).

mod client;
mod export;
mod paths;

use std::time::Duration;

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
    client: AppClient,
    descriptor: AppDescriptor,
}

impl RemoteConnector {
    pub fn new(ctx: &Context, app: &RemoteAppConfig) -> Result<Self, ConnectorError> {
        let client = AppClient::new(
            app.clone(),
            ctx.config.connectors.clone(),
            ctx.config.exports.instance_name.clone(),
        )?;
        Ok(Self { descriptor: app.descriptor(), client })
    }
}

impl AppConnector for RemoteConnector {
    fn descriptor(&self) -> &AppDescriptor {
        &self.descriptor
    }

    fn prepare<'a>(
        &'a self,
        request: &'a ExportRequest,
    ) -> BoxFuture<'a, Result<PreparedExport, ConnectorError>> {
        Box::pin(async move {
            let limits = &self.client.limits;
            let deadline =
                tokio::time::Instant::now() + Duration::from_secs(limits.export_deadline_secs);
            let mut filters = request.filters.clone();
            let since = filters.since.take();
            let call = ExportCall {
                user_id: request.owner.clone(),
                since,
                filters: (!filters.is_empty()).then_some(filters),
            };
            let response = self
                .client
                .send(|| Ok(self.client.request(reqwest::Method::POST, "export")?.json(&call)))
                .await?;
            let media = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !media.starts_with(NDJSON) {
                return Err(ConnectorError::new(
                    "invalid_stream",
                    format!("{} answered {media:?} instead of {NDJSON}", self.descriptor.id),
                ));
            }
            let stream_limits = export::StreamLimits {
                max_line_bytes: limits.max_line_bytes,
                max_json_bytes: limits.max_stream_bytes,
                idle: Duration::from_secs(limits.idle_timeout_secs),
                deadline,
                object_prefix: self.client.app.object_prefix(),
            };
            // The stream is read in its own task, a few batches ahead, so that the app's
            // pace and the archive's overlap.
            let (sender, receiver) = tokio::sync::mpsc::channel(BATCHES_AHEAD);
            tokio::spawn(export::read_stream(
                self.descriptor.id.clone(),
                response,
                stream_limits,
                sender,
            ));
            Ok(PreparedExport {
                files_total: None,
                bytes_total: None,
                entries: super::flattened(receiver),
            })
        })
    }
}
