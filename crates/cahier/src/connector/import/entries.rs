//! What an import does with each `json` and `object` line: create the entry or attachment for
//! the importing user, or count it as done by an earlier attempt, or report why not.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use mesdonnees_shared::DocumentName;
use mesdonnees_shared::connector::{EntryError, ImportReport, check_entry_path};
use object_store::path::Path;
use serde::Deserialize;
use uuid::Uuid;

use crate::connector::import::copy::{Copied, CopyError, copy_verified};
use crate::connector::import::entcore;
use crate::connector::import::session::Session;
use crate::entry::{EntryInput, MAX_ATTACHMENTS};
use crate::models::{self, Attachment, ImportItem};
use crate::paths::{ENTRY_FOLDER, attachment_folder, file_name, short_id};
use crate::problem::{Problem, codes};
use crate::queries;
use crate::state::Ctx;
use crate::storage::attachment_key;

/// An entry as exported (`EntryView` with attachment paths); what this app does not need, such
/// as the former owner and shares, is ignored.
#[derive(Debug, Deserialize)]
struct ImportedEntry {
    id: String,
    title: String,
    #[serde(default)]
    subject: String,
    due_date: String,
    #[serde(default)]
    content_html: String,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    attachments: Vec<ImportedAttachment>,
}

#[derive(Debug, Deserialize)]
struct ImportedAttachment {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    path: Option<String>,
}

/// An `object` line.
pub struct ObjectLine {
    pub path: String,
    pub key: String,
    pub size: u64,
    pub sha256: String,
    pub content_type: Option<String>,
}

/// An entry of the archive met in this call: where its attachments go.
struct Known {
    new_id: String,
    attachments: i64,
}

pub struct Importer {
    ctx: Ctx,
    /// The entries come from an entcore archive (`begin.origin`), not from this app's export.
    legacy: bool,
    owner: String,
    import_id: String,
    session: Session,
    copied: Copied,
    report: ImportReport,
    /// By the archive's entry id.
    entries: HashMap<String, Known>,
    /// Archive entry ids by their first 8 characters, the folder of their attachments.
    by_folder: HashMap<String, Vec<String>>,
    /// An attachment path listed in an entry's JSON → that entry's id and the file's name.
    by_path: HashMap<String, (String, Option<String>)>,
}

impl Importer {
    pub fn new(ctx: Ctx, owner: String, import_id: String, session: Session, legacy: bool) -> Self {
        let copied = Copied::new(ctx.store.clone());
        Self {
            ctx,
            legacy,
            owner,
            import_id,
            session,
            copied,
            report: ImportReport::default(),
            entries: HashMap::new(),
            by_folder: HashMap::new(),
            by_path: HashMap::new(),
        }
    }

    fn refuse(&mut self, path: String, code: &str) {
        self.report.errors.push(EntryError { path, code: code.to_owned() });
    }

    /// The row an earlier attempt of this import made for `path`.
    async fn recorded(&self, path: &str) -> Result<Option<ImportItem>, Problem> {
        let (import_id, path) = (self.import_id.clone(), path.to_owned());
        Ok(self
            .session
            .run(move |conn| Ok(queries::recorded_item(conn, &import_id, &path)?))
            .await?)
    }

    fn item(&self, path: String, new_id: String, old_id: Option<String>) -> ImportItem {
        ImportItem {
            import_id: self.import_id.clone(),
            path,
            new_id,
            old_id,
            created_at: models::now(),
        }
    }

    /// Errors are the call's (the database or store failed); an entry's own problem is reported.
    pub async fn json(&mut self, path: String, data: serde_json::Value) -> Result<(), Problem> {
        if self.legacy {
            return self.legacy_json(path, data).await;
        }
        let in_folder = path.strip_prefix(ENTRY_FOLDER).is_some_and(|rest| rest.starts_with('/'));
        if !in_folder || check_entry_path(&path).is_err() {
            self.refuse(path, codes::INVALID_PATH);
            return Ok(());
        }
        let Ok(mut imported) = serde_json::from_value::<ImportedEntry>(data) else {
            self.refuse(path, codes::INVALID_ENTRY);
            return Ok(());
        };
        if imported.id.is_empty() {
            self.refuse(path, codes::INVALID_ENTRY);
            return Ok(());
        }
        if self.entries.contains_key(&imported.id) {
            self.refuse(path, codes::DUPLICATE_ENTRY);
            return Ok(());
        }
        if let Some(item) = self.recorded(&path).await? {
            let new_id = item.new_id;
            let id = new_id.clone();
            let attachments =
                self.session.run(move |conn| Ok(queries::count_attachments(conn, &id)?)).await?;
            self.report.duplicates += 1;
            self.remember(&imported, new_id, attachments);
            return Ok(());
        }
        let input = EntryInput {
            title: std::mem::take(&mut imported.title),
            subject: std::mem::take(&mut imported.subject),
            due_date: std::mem::take(&mut imported.due_date),
            content_html: std::mem::take(&mut imported.content_html),
        };
        let Ok(fields) = input.validate() else {
            self.refuse(path, codes::INVALID_ENTRY);
            return Ok(());
        };
        let entry =
            fields.into_entry(self.owner.clone(), imported.created_at.map(|at| at.naive_utc()));
        let new_id = entry.id.clone();
        let item = self.item(path, new_id.clone(), Some(imported.id.clone()));
        self.create(entry, item).await?;
        self.remember(&imported, new_id, 0);
        Ok(())
    }

    /// Writes a new entry and what it was in the archive.
    async fn create(&mut self, entry: models::Entry, item: ImportItem) -> Result<(), Problem> {
        self.session
            .run(move |conn| {
                queries::insert_entry(conn, &entry)?;
                Ok(queries::record_item(conn, &item)?)
            })
            .await?;
        self.report.imported += 1;
        Ok(())
    }

    /// A resource of an entcore archive: a table of homework gives one entry per row, each
    /// recorded as `<path>#<row>` so that a retried import counts it as a duplicate.
    async fn legacy_json(&mut self, path: String, data: serde_json::Value) -> Result<(), Problem> {
        if check_entry_path(&path).is_err() {
            self.refuse(path, codes::INVALID_PATH);
            return Ok(());
        }
        let Some(rows) = entcore::homework_rows(data) else {
            self.refuse(path, codes::UNREADABLE_ORIGIN);
            return Ok(());
        };
        for (n, input) in rows.into_iter().enumerate() {
            let row_path = format!("{path}#{}", n + 1);
            if self.recorded(&row_path).await?.is_some() {
                self.report.duplicates += 1;
                continue;
            }
            let Ok(fields) = input.validate() else {
                self.refuse(row_path, codes::INVALID_ENTRY);
                continue;
            };
            let entry = fields.into_entry(self.owner.clone(), None);
            let item = self.item(row_path, entry.id.clone(), None);
            self.create(entry, item).await?;
        }
        Ok(())
    }

    fn remember(&mut self, imported: &ImportedEntry, new_id: String, attachments: i64) {
        let old_id = imported.id.clone();
        self.report.id_map.insert(old_id.clone(), new_id.clone());
        self.by_folder.entry(short_id(&old_id).to_owned()).or_default().push(old_id.clone());
        for attachment in &imported.attachments {
            if let Some(path) = &attachment.path {
                self.by_path.insert(path.clone(), (old_id.clone(), attachment.name.clone()));
            }
        }
        self.entries.insert(old_id, Known { new_id, attachments });
    }

    /// The archive entry an attachment belongs to, and its name there: by the path its entry
    /// lists, else by its folder (mesdonnees may have renamed the file to keep names unique).
    fn owner_of(&self, path: &str, folder: &str) -> Option<(String, Option<String>)> {
        if let Some(found) = self.by_path.get(path) {
            return Some(found.clone());
        }
        match self.by_folder.get(folder).map(Vec::as_slice) {
            Some([only]) => Some((only.clone(), None)),
            _ => None,
        }
    }

    pub async fn object(&mut self, line: ObjectLine) -> Result<(), Problem> {
        let path = line.path;
        // Documents of an entcore module are attached in ways this app does not read.
        if self.legacy {
            self.refuse(path, codes::UNREADABLE_ORIGIN);
            return Ok(());
        }
        let folder = match attachment_folder(&path) {
            Some(folder) if check_entry_path(&path).is_ok() => folder.to_owned(),
            _ => {
                self.refuse(path, codes::INVALID_PATH);
                return Ok(());
            }
        };
        if self.recorded(&path).await?.is_some() {
            self.report.duplicates += 1;
            return Ok(());
        }
        let Some((old_id, listed_name)) = self.owner_of(&path, &folder) else {
            self.refuse(path, codes::ORPHAN_ATTACHMENT);
            return Ok(());
        };
        let Some(known) = self.entries.get(&old_id) else {
            self.refuse(path, codes::ORPHAN_ATTACHMENT);
            return Ok(());
        };
        if known.attachments >= MAX_ATTACHMENTS {
            self.refuse(path, codes::TOO_MANY_ATTACHMENTS);
            return Ok(());
        }
        if line.size > self.ctx.config.max_upload_bytes {
            self.refuse(path, codes::PAYLOAD_TOO_LARGE);
            return Ok(());
        }
        let name = listed_name.as_deref().unwrap_or_else(|| file_name(&path));
        let well_formed =
            line.sha256.len() == 64 && line.sha256.chars().all(|c| c.is_ascii_hexdigit());
        let (Ok(name), Ok(from), true) =
            (DocumentName::parse(name), Path::parse(&line.key), well_formed)
        else {
            self.refuse(path, codes::INVALID_ENTRY);
            return Ok(());
        };
        let entry_id = known.new_id.clone();
        let id = Uuid::new_v4();
        let key = attachment_key(id);
        let written =
            match copy_verified(&self.ctx.store, &from, &key, line.size, &line.sha256).await {
                Ok(written) => written,
                Err(CopyError::Missing) => {
                    self.refuse(path, codes::OBJECT_MISSING);
                    return Ok(());
                }
                Err(CopyError::Mismatch) => {
                    self.refuse(path, codes::CHECKSUM_MISMATCH);
                    return Ok(());
                }
                Err(CopyError::Store(e)) => return Err(e.into()),
            };
        self.copied.push(key.clone());
        let attachment = Attachment {
            id: id.to_string(),
            entry_id,
            name: name.into_string(),
            content_type: line
                .content_type
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            size: i64::try_from(written.size).unwrap_or(i64::MAX),
            sha256: written.sha256,
            object_key: key.to_string(),
            created_at: models::now(),
        };
        let item = self.item(path, attachment.id.clone(), None);
        self.session
            .run(move |conn| {
                queries::insert_attachment(conn, &attachment)?;
                Ok(queries::record_item(conn, &item)?)
            })
            .await?;
        if let Some(known) = self.entries.get_mut(&old_id) {
            known.attachments += 1;
        }
        self.report.imported += 1;
        Ok(())
    }

    /// Commits the call: its entries and objects stay.
    pub async fn commit(self) -> Result<ImportReport, Problem> {
        match self.session.commit().await {
            Ok(()) => {
                self.copied.keep();
                Ok(self.report)
            }
            Err(e) => {
                self.copied.discard().await;
                Err(e.into())
            }
        }
    }

    /// Undoes the call: nothing of it stays.
    pub async fn abort(self) {
        if let Err(e) = self.session.rollback().await {
            tracing::warn!(error = %e, "import rollback failed; SQLite discards the transaction");
        }
        self.copied.discard().await;
    }
}
