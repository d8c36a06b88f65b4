//! A remote ENT app behind the HTTP connector contract (docs/CONNECTORS.md): its export reads
//! the app's NDJSON stream (`export.rs`), its import hands the app its part of an archive
//! (`import.rs`).
//!
//! The export call is posted only when the archive comes to the app: apps are written one after
//! the other, and an app kept connected while the ones before it are written would time out.

mod client;
mod export;
mod import;
mod paths;

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use mesdonnees_infra::Context;
use mesdonnees_infra::apps::RemoteAppConfig;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::apps::AppDescriptor;
use mesdonnees_shared::connector::{ExportCall, NDJSON};

pub use client::AppClient;
pub(crate) use import::{RemotePart, remove_staged};

use super::{App, ConnectorError, ExportRequest, ImportJob, ImportPart, PreparedExport};
use crate::opener::Failure;

/// Batches of entries the stream reader may be ahead of the archive.
const BATCHES_AHEAD: usize = 4;

pub struct RemoteApp {
    ctx: Context,
    config: RemoteAppConfig,
    /// The client, or why none could be made: the app then fails alone, in both directions.
    client: Result<Arc<AppClient>, ConnectorError>,
    descriptor: AppDescriptor,
}

impl RemoteApp {
    pub fn new(ctx: &Context, app: &RemoteAppConfig) -> Self {
        let client = AppClient::new(
            app.clone(),
            ctx.config.connectors.clone(),
            ctx.config.exports.instance_name.clone(),
        );
        Self {
            ctx: ctx.clone(),
            config: app.clone(),
            client: client.map(Arc::new),
            descriptor: app.descriptor(),
        }
    }
}

impl App for RemoteApp {
    fn descriptor(&self) -> &AppDescriptor {
        &self.descriptor
    }

    fn import<'a, 'p: 'a>(
        &'a self,
        job: ImportJob<'a, 'p>,
        part: &'a ImportPart<'a>,
    ) -> BoxFuture<'a, Result<Option<String>, Failure>> {
        Box::pin(async move {
            let ImportPart::Remote(part) = part else {
                return Err(super::wrong_part(&self.config.id));
            };
            let client = self.client.as_deref().map_err(Clone::clone);
            import::import(&self.ctx, job, client, &self.config.id, part).await.map(|()| None)
        })
    }

    /// The app is called only when the archive comes to it: an export writes its apps one
    /// after the other, and an app must not wait, connected, for the ones before it.
    fn export<'a>(
        &'a self,
        request: &'a ExportRequest,
    ) -> BoxFuture<'a, Result<PreparedExport, ConnectorError>> {
        let client = match &self.client {
            Ok(client) => Arc::clone(client),
            Err(e) => {
                let e = e.clone();
                return Box::pin(async move { Err(e) });
            }
        };
        let mut filters = request.filters.clone();
        let since = filters.since.take();
        // Folders are the documents space's: an app of the ENT has none of them.
        filters.folders.clear();
        let call = ExportCall {
            user_id: request.owner.clone(),
            since,
            filters: (!filters.is_empty()).then_some(filters),
        };
        let view = super::ViewSlot::default();
        let slot = view.clone();
        let started =
            futures_util::stream::once(async move { open_stream(client, call, &slot).await });
        let entries = started.flat_map(|opened| match opened {
            Ok(receiver) => super::flattened(receiver),
            Err(e) => futures_util::stream::iter([Err(e)]).boxed(),
        });
        Box::pin(async move {
            Ok(PreparedExport {
                files_total: None,
                bytes_total: None,
                entries: entries.boxed(),
                view,
            })
        })
    }
}

/// Asks the app who it is (`GET /info`: the app configured, and how its documents read), then
/// calls `POST /export` and reads its stream in a task of its own, a few batches ahead, so
/// that the app's pace and the archive's overlap.
async fn open_stream(
    client: Arc<AppClient>,
    call: ExportCall,
    view: &super::ViewSlot,
) -> Result<tokio::sync::mpsc::Receiver<export::Batch>, ConnectorError> {
    if let Some(declared) = client.info().await?.view {
        let _ = view.set(declared.bounded());
    }
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
            ErrorCode::InvalidStream,
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
