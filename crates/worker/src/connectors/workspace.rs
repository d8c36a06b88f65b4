//! The built-in documents space as an app connector.

use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::stream;
use mesdonnees_db::workspace::{Section, WorkspaceItem, collect};
use mesdonnees_infra::Context;
use mesdonnees_shared::apps::AppDescriptor;
use serde::Serialize;

use super::{AppConnector, AppEntry, ConnectorError, ExportRequest, PreparedExport};

/// Metadata file of the app folder: what the file tree alone cannot carry (original names,
/// types, dates, owners), so an import can rebuild the documents faithfully.
pub const METADATA_FILE: &str = "workspace.json";

pub struct WorkspaceConnector {
    ctx: Context,
    descriptor: AppDescriptor,
}

impl WorkspaceConnector {
    pub fn new(ctx: Context) -> Self {
        Self { ctx, descriptor: AppDescriptor::workspace() }
    }
}

#[derive(Serialize)]
struct Metadata<'a> {
    app: &'a str,
    version: String,
    documents: Vec<MetadataEntry<'a>>,
}

#[derive(Serialize)]
struct MetadataEntry<'a> {
    path: &'a str,
    id: &'a str,
    kind: &'a str,
    name: &'a str,
    section: &'static str,
    owner_id: &'a str,
    content_type: Option<&'a str>,
    size: i64,
    sha256: Option<&'a str>,
    created_at: chrono::DateTime<chrono::Utc>,
    modified_at: chrono::DateTime<chrono::Utc>,
}

fn metadata(
    items: &[WorkspaceItem],
    descriptor: &AppDescriptor,
) -> Result<Vec<u8>, ConnectorError> {
    let documents = items
        .iter()
        .map(|item| MetadataEntry {
            path: &item.path,
            id: &item.document.id,
            kind: &item.document.kind,
            name: &item.document.name,
            section: match item.section {
                Section::Own => "own",
                Section::Shared => "shared_with_me",
            },
            owner_id: &item.document.owner_id,
            content_type: item.document.content_type.as_deref(),
            size: item.document.size,
            sha256: item.document.sha256.as_deref(),
            created_at: item.document.created_at.and_utc(),
            modified_at: item.document.updated_at.and_utc(),
        })
        .collect();
    serde_json::to_vec(&Metadata {
        app: &descriptor.id,
        version: descriptor.version.to_string(),
        documents,
    })
    .map_err(|e| ConnectorError { code: "metadata_unwritable", message: e.to_string() })
}

impl AppConnector for WorkspaceConnector {
    fn descriptor(&self) -> &AppDescriptor {
        &self.descriptor
    }

    fn prepare<'a>(
        &'a self,
        request: &'a ExportRequest,
    ) -> BoxFuture<'a, Result<PreparedExport, ConnectorError>> {
        Box::pin(async move {
            let owner = request.owner.clone();
            let filters = request.filters.clone();
            let items =
                self.ctx.db.run(move |conn| collect(conn, &owner, &filters)).await.map_err(
                    |e| ConnectorError { code: "database_unavailable", message: e.to_string() },
                )?;
            let files = items.iter().filter(|i| !i.document.is_folder()).count() as u64;
            let bytes =
                items.iter().filter(|i| !i.document.is_folder()).map(WorkspaceItem::size).sum();
            let metadata = Bytes::from(metadata(&items, &self.descriptor)?);
            let now = chrono::Utc::now();
            let entries = items
                .into_iter()
                .map(|item| {
                    let modified = item.document.updated_at.and_utc();
                    if item.document.is_folder() {
                        return AppEntry::Directory { path: item.path, modified };
                    }
                    AppEntry::Object {
                        size: item.size(),
                        key: item.document.object_key.unwrap_or_default(),
                        content_type: item.document.content_type.unwrap_or_default(),
                        path: item.path,
                        modified,
                    }
                })
                .map(Ok)
                // Collected now: the document rows (most of their fields no longer needed)
                // are freed before the first byte is written.
                .collect::<Vec<_>>();
            // The metadata goes first: written at once, its buffer is not held for the export.
            let metadata =
                AppEntry::Json { path: METADATA_FILE.to_owned(), data: metadata, modified: now };
            let entries = std::iter::once(Ok(metadata)).chain(entries);
            Ok(PreparedExport {
                files_total: Some(files + 1),
                bytes_total: Some(bytes),
                entries: Box::pin(stream::iter(entries)),
            })
        })
    }
}
