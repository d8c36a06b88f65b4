//! The workspace's export: its documents walked from the database, a few pages ahead, with
//! workspace.json, the metadata the file tree alone cannot carry (deflated into a scratch file
//! as the walk goes: it grows with the documents).

use mesdonnees_db::workspace::{Section, WorkspaceItem, WorkspaceWalk, totals};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::apps::AppDescriptor;
use serde::Serialize;

use mesdonnees_shared::tables::TableRow;

use crate::apps::{
    AppEntry, ConnectorError, DeflatedFile, ExportRequest, PreparedData, PreparedExport,
};

/// Metadata file of the app folder: what the file tree alone cannot carry (original names,
/// types, dates, owners), so an import can rebuild the documents faithfully.
pub const METADATA_FILE: &str = "workspace.json";

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

impl<'a> MetadataEntry<'a> {
    fn of(item: &'a WorkspaceItem) -> Self {
        MetadataEntry {
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
        }
    }
}

/// `workspace.json`, written as the walk goes: `{"app":…,"version":…,"documents":[…]}`.
struct MetadataFile {
    file: DeflatedFile,
    scratch: Vec<u8>,
    documents: u64,
}

impl MetadataFile {
    fn new(descriptor: &AppDescriptor, scratch: &std::path::Path) -> std::io::Result<Self> {
        let mut file = DeflatedFile::create(scratch)?;
        let mut scratch = Vec::new();
        let head =
            serde_json::json!({"app": descriptor.id, "version": descriptor.version.to_string()});
        serde_json::to_writer(&mut scratch, &head)?;
        // The head object, reopened to append the documents array.
        scratch.pop();
        scratch.extend_from_slice(b",\"documents\":[");
        file.append(&scratch)?;
        Ok(Self { file, scratch, documents: 0 })
    }

    fn add(&mut self, item: &WorkspaceItem) -> std::io::Result<()> {
        if self.documents > 0 {
            self.file.append(b",")?;
        }
        self.documents += 1;
        self.file.append_json(&mut self.scratch, &MetadataEntry::of(item))
    }

    fn finish(mut self) -> std::io::Result<PreparedData> {
        self.file.append(b"]}")?;
        self.file.finish()
    }
}

fn unwritable(e: &std::io::Error) -> ConnectorError {
    ConnectorError { code: ErrorCode::MetadataUnwritable, message: e.to_string() }
}

fn database(e: &mesdonnees_db::DbError) -> ConnectorError {
    ConnectorError { code: ErrorCode::DatabaseUnavailable, message: e.to_string() }
}

/// Rows handed from the database thread at once.
const BATCH: usize = 1000;

/// Batches the walk may be ahead of the archive.
const PAGES_AHEAD: usize = 2;

type Batch = Vec<Result<AppEntry, ConnectorError>>;

/// Walks the documents into `sender`, building workspace.json along; it closes the folder.
/// Stops early when the receiving export is gone.
async fn walk_ahead(
    db: mesdonnees_db::Database,
    mut walk: WorkspaceWalk,
    mut metadata: Option<MetadataFile>,
    sender: tokio::sync::mpsc::Sender<Batch>,
) {
    loop {
        let fetched =
            db.run(move |conn| walk.next_batch(conn, BATCH).map(|items| (walk, items))).await;
        let items = match fetched {
            Ok((next, items)) => {
                walk = next;
                items
            }
            Err(e) => {
                let _ = sender.send(vec![Err(database(&e))]).await;
                return;
            }
        };
        if items.is_empty() {
            let Some(metadata) = metadata else { return };
            let modified = chrono::Utc::now();
            let entry =
                metadata.finish().map_err(|e| unwritable(&e)).map(|data| AppEntry::Prepared {
                    path: METADATA_FILE.to_owned(),
                    data,
                    json: false,
                    modified,
                    row: None,
                });
            let _ = sender.send(vec![entry]).await;
            return;
        }
        let mut entries = Vec::with_capacity(items.len());
        for item in items {
            if let Some(Err(e)) = metadata.as_mut().map(|m| m.add(&item)) {
                entries.push(Err(unwritable(&e)));
                let _ = sender.send(entries).await;
                return;
            }
            entries.push(Ok(entry_of(item)));
        }
        if sender.send(entries).await.is_err() {
            return;
        }
    }
}

/// What the workspace will export for a request: totals first, then its entries.
pub(super) async fn prepare(
    ctx: &Context,
    descriptor: &AppDescriptor,
    request: &ExportRequest,
) -> Result<PreparedExport, ConnectorError> {
    let (owner, filters) = (request.owner.clone(), request.filters.clone());
    let (files, bytes) =
        ctx.db.run(move |conn| totals(conn, &owner, &filters)).await.map_err(|e| database(&e))?;
    let walk = WorkspaceWalk::new(&request.owner, request.filters.clone());
    let metadata = if request.rows_only {
        None
    } else {
        let scratch = crate::scratch::dir(&ctx.config);
        Some(MetadataFile::new(descriptor, &scratch).map_err(|e| unwritable(&e))?)
    };
    // The walk runs ahead in its own task, a few pages in advance, so the database's round
    // trips overlap the reading and compressing of the previous pages.
    let (sender, receiver) = tokio::sync::mpsc::channel(PAGES_AHEAD);
    tokio::spawn(walk_ahead(ctx.db.clone(), walk, metadata, sender));
    Ok(PreparedExport {
        files_total: Some(files + u64::from(!request.rows_only)),
        bytes_total: Some(bytes),
        entries: crate::apps::flattened(receiver),
        // Its files are read by folder; workspace.json is metadata, not a document to show.
        view: crate::apps::ViewSlot::default(),
    })
}

fn entry_of(item: WorkspaceItem) -> AppEntry {
    let modified = item.document.updated_at.and_utc();
    if item.document.is_folder() {
        return AppEntry::Directory { path: item.path, modified };
    }
    let document = &item.document;
    let row = TableRow {
        name: document.name.clone(),
        path: item.path.clone(),
        kind: document.content_type.clone().unwrap_or_default(),
        size: Some(item.size()),
        sha256: document.sha256.clone(),
        owner: Some(document.owner_id.clone()),
        shared_by: matches!(item.section, Section::Shared).then(|| document.owner_id.clone()),
        created: Some(document.created_at.and_utc().to_rfc3339()),
        modified: Some(modified.to_rfc3339()),
        ..TableRow::default()
    };
    AppEntry::Object {
        row: Some(Box::new(row)),
        size: item.size(),
        key: item.document.object_key.unwrap_or_default(),
        content_type: item.document.content_type.unwrap_or_default(),
        path: item.path,
        modified,
        expected_sha256: None,
    }
}
