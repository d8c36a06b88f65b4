//! The rows of the tables as diesel reads and inserts them.
//!
//! Insertable models set `treat_none_as_default_value = false`: an insert whose `None` fields
//! render as `DEFAULT` changes its SQL with its values, so diesel's statement cache skips it
//! and Postgres parses and plans it on every call; binding NULL keeps one prepared statement.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mesdonnees_shared::imports::ImportStatus;

use crate::schema::{document_shares, documents, jobs};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    File,
    Folder,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Folder => "folder",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: String,
    pub owner_id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub object_key: Option<String>,
    pub content_type: Option<String>,
    pub size: i64,
    pub sha256: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Document {
    pub fn kind(&self) -> DocumentKind {
        if self.kind == "folder" { DocumentKind::Folder } else { DocumentKind::File }
    }

    pub fn is_folder(&self) -> bool {
        self.kind() == DocumentKind::Folder
    }

    pub fn created_at_utc(&self) -> DateTime<Utc> {
        self.created_at.and_utc()
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = documents)]
// `None` binds NULL rather than writing DEFAULT, so the insert is one cached statement.
#[diesel(treat_none_as_default_value = false)]
pub struct NewDocument {
    pub id: String,
    pub owner_id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub object_key: Option<String>,
    pub content_type: Option<String>,
    pub size: i64,
    pub sha256: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewDocument {
    /// A folder of `owner`'s, made now, at their root when `parent` is `None`.
    pub fn folder(id: &str, owner: &str, parent: Option<&str>, name: &str) -> Self {
        let at = now();
        Self {
            id: id.to_owned(),
            owner_id: owner.to_owned(),
            parent_id: parent.map(str::to_owned),
            kind: DocumentKind::Folder.as_str().to_owned(),
            name: name.to_owned(),
            object_key: None,
            content_type: None,
            size: 0,
            sha256: None,
            created_at: at,
            updated_at: at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = document_shares)]
pub struct Share {
    pub document_id: String,
    pub user_id: String,
    pub granted_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = jobs)]
// `None` binds NULL rather than writing DEFAULT, so the insert is one cached statement.
#[diesel(treat_none_as_default_value = false)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub heartbeat_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    /// Times the job was taken over from a worker that stopped answering.
    pub takeovers: i32,
}

/// The current time at the precision both databases keep (microseconds), so a value read back
/// compares equal to the one written.
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond_floor()
}

trait MicrosFloor {
    fn with_nanosecond_floor(self) -> Self;
}

impl MicrosFloor for NaiveDateTime {
    fn with_nanosecond_floor(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1_000 * 1_000;
        self.with_nanosecond(micros).unwrap_or(self)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Identifiable)]
#[diesel(table_name = crate::schema::exports)]
// `None` binds NULL rather than writing DEFAULT, so the insert is one cached statement.
#[diesel(treat_none_as_default_value = false)]
pub struct Export {
    pub id: String,
    pub owner_id: String,
    pub owner_name: Option<String>,
    pub name: String,
    /// JSON array of app ids.
    pub apps: String,
    /// JSON of the export options (filters, notify_email).
    pub options: String,
    pub status: String,
    pub job_id: Option<String>,
    pub files_done: i64,
    pub files_total: i64,
    pub bytes_done: i64,
    pub bytes_total: i64,
    pub object_key: Option<String>,
    pub size: Option<i64>,
    pub sha256: Option<String>,
    /// JSON map app id → outcome.
    pub app_outcomes: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    /// The document the file was copied into, when it was to be delivered and fitted.
    pub delivered_document_id: Option<String>,
    /// The code of why a delivery asked for was not made.
    pub delivery_error: Option<String>,
}

impl Export {
    /// A new export waiting for its job. `apps` and `options` are the stored JSON.
    pub fn queued(
        id: String,
        owner_id: String,
        owner_name: Option<String>,
        name: String,
        apps: String,
        options: String,
    ) -> Self {
        let at = now();
        Self {
            id,
            owner_id,
            owner_name,
            name,
            apps,
            options,
            status: "queued".to_owned(),
            job_id: None,
            files_done: 0,
            files_total: 0,
            bytes_done: 0,
            bytes_total: 0,
            object_key: None,
            size: None,
            sha256: None,
            app_outcomes: None,
            error_code: None,
            error_message: None,
            created_at: at,
            updated_at: at,
            started_at: None,
            finished_at: None,
            expires_at: None,
            delivered_document_id: None,
            delivery_error: None,
        }
    }
}

/// One finished part of an export written in parts, published as soon as it is complete.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::export_parts)]
pub struct ExportPart {
    pub export_id: String,
    /// From 1.
    pub part: i64,
    pub parts_total: i64,
    pub object_key: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::export_entries)]
pub struct ExportEntry {
    pub export_id: String,
    pub seq: i64,
    pub path: String,
    pub app: String,
    pub size: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::notifications)]
// `None` binds NULL rather than writing DEFAULT, so the insert is one cached statement.
#[diesel(treat_none_as_default_value = false)]
pub struct Notification {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub title: String,
    /// JSON with the details (export id, link path, reason).
    pub body: String,
    pub resource_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::instance_keys)]
pub struct InstanceKey {
    pub id: String,
    pub key_id: String,
    pub private_pkcs8: String,
    pub public_key: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Identifiable)]
#[diesel(table_name = crate::schema::imports)]
pub struct Import {
    pub id: String,
    pub owner_id: String,
    pub owner_name: Option<String>,
    /// JSON array of the rights the owner's token carried at upload time.
    pub owner_rights: String,
    /// The name the archive was uploaded under.
    pub file_name: String,
    /// Where the uploaded archive is stored; `None` once it has been removed.
    pub object_key: Option<String>,
    pub size: i64,
    pub status: String,
    pub job_id: Option<String>,
    /// JSON of the analysis (`mesdonnees_shared::imports::Analysis`), once analysed.
    pub analysis: Option<String>,
    /// JSON array of the app ids the user chose, once launched.
    pub selected_apps: Option<String>,
    /// JSON of the report (`mesdonnees_shared::imports::ImportReport`), once done.
    pub report: Option<String>,
    pub files_done: i64,
    pub files_total: i64,
    pub bytes_done: i64,
    pub bytes_total: i64,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    /// JSON of the apps an operator chose before the analysis
    /// (`mesdonnees_shared::imports::AppChoice`): the analysis launches them itself.
    pub auto_apps: Option<String>,
    /// When a stop of the running import was asked.
    pub cancel_requested_at: Option<NaiveDateTime>,
    /// For an archive in parts: the writing the parts come from (`parts.set` of their
    /// manifests) and how many make it, from the first part judged.
    pub parts_set: Option<String>,
    pub parts_count: Option<i64>,
    /// Since when the import waits for parts still missing (its analysis waits with it).
    pub waiting_since: Option<NaiveDateTime>,
}

/// An archive received for an import of an archive in parts: the first upload and each
/// `POST /imports/{id}/parts`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::import_parts)]
pub struct ImportPart {
    pub import_id: String,
    pub object_key: String,
    pub size: i64,
    /// Its number (from 1) once the analysis accepted it.
    pub part: Option<i64>,
    /// Why the analysis refused it (its object is then removed).
    pub error_code: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The scan an import keeps of one of its archives, and which bytes it describes.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::import_scans)]
pub struct ImportScan {
    pub import_id: String,
    pub object_key: String,
    /// The object's size and etag when it was scanned.
    pub size: i64,
    pub etag: String,
    /// The scan, as `mesdonnees_zip::scan::kept` writes it.
    pub scan: Vec<u8>,
}

impl Import {
    /// A new import whose archive is stored and waits for its analysis.
    pub fn uploaded(
        id: String,
        owner_id: String,
        owner_name: Option<String>,
        owner_rights: String,
        file_name: String,
        object_key: String,
        size: i64,
    ) -> Self {
        let at = now();
        Self {
            id,
            owner_id,
            owner_name,
            owner_rights,
            file_name,
            object_key: Some(object_key),
            size,
            status: ImportStatus::Uploaded.as_str().to_owned(),
            job_id: None,
            analysis: None,
            selected_apps: None,
            report: None,
            files_done: 0,
            files_total: 0,
            bytes_done: 0,
            bytes_total: 0,
            error_code: None,
            error_message: None,
            created_at: at,
            updated_at: at,
            started_at: None,
            finished_at: None,
            auto_apps: None,
            cancel_requested_at: None,
            parts_set: None,
            parts_count: None,
            waiting_since: None,
        }
    }

    /// `None` only for a status this version does not know (the table's CHECK allows none).
    pub fn status(&self) -> Option<ImportStatus> {
        ImportStatus::parse(&self.status)
    }
}

/// What became of one entry of an import's archive.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::import_items)]
pub struct ImportItem {
    pub import_id: String,
    /// The entry's path in the archive.
    pub path: String,
    pub app: String,
    /// What the entry is to its app (e.g. `file`, `folder`).
    pub kind: String,
    /// The id of what the entry became here, when it became something.
    pub created_id: Option<String>,
    /// `imported`, `renamed`, `skipped` or `failed` (`mesdonnees_shared::imports::ItemOutcome`).
    pub outcome: String,
    /// The name it was given here, when it differs from the archive's.
    pub final_name: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::export_templates)]
pub struct ExportTemplate {
    pub id: String,
    pub owner_id: String,
    pub name: String,
    /// JSON array of app ids.
    pub apps: String,
    /// JSON of the export options it gives (filters, kind, table).
    pub options: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A recurring export: every `every_months` months from `anchor_at`, while before `until_at`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::export_schedules)]
#[diesel(treat_none_as_default_value = false)]
pub struct ExportSchedule {
    pub id: String,
    pub owner_id: String,
    pub owner_name: Option<String>,
    /// The template whose settings each run takes, when the schedule has one.
    pub template_id: Option<String>,
    /// Without a template: JSON array of app ids.
    pub apps: Option<String>,
    /// Without a template: JSON of the export options (filters, kind, table, language).
    pub options: Option<String>,
    pub every_months: i32,
    pub anchor_at: NaiveDateTime,
    pub until_at: NaiveDateTime,
    /// The occurrence due next; at or past `until_at`, the schedule is over.
    pub next_run_at: NaiveDateTime,
    /// Each run stays until its own expiry instead of expiring when the next one is ready.
    pub keep_runs: bool,
    /// BCP 47 tag of the language the runs are named and written in.
    pub lang: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `documents`: each run is also copied into the owner's documents space.
    pub deliver_to: Option<String>,
}

/// A user leaving, whose account closes at `until_at` (the leavers' window).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::leavers)]
#[diesel(treat_none_as_default_value = false)]
pub struct Leaver {
    pub user_id: String,
    pub until_at: NaiveDateTime,
    pub email: Option<String>,
    /// Written to instead of `email` when given (a minor's guardian).
    pub guardian_email: Option<String>,
    /// BCP 47 tag of the language they are written to in.
    pub lang: String,
    /// The export prepared for them, once made.
    pub export_id: Option<String>,
    /// The code of why their export could not be made.
    pub export_error: Option<String>,
    /// What their download links carry; a new one revokes the links given before.
    pub link_id: String,
    pub link_revoked_at: Option<NaiveDateTime>,
    pub notified_at: Option<NaiveDateTime>,
    /// The shortest reminder delay, in days before `until_at`, already sent or passed.
    pub reminded_days: Option<i32>,
    pub downloaded_at: Option<NaiveDateTime>,
    pub expired_at: Option<NaiveDateTime>,
    /// Who declared them last: an administrator's id, or `cli:<login>`.
    pub declared_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::audit_log)]
#[diesel(treat_none_as_default_value = false)]
pub struct AuditEntry {
    pub id: String,
    /// The administrator.
    pub actor_id: String,
    /// What was done, e.g. `export.create`.
    pub action: String,
    /// Whose data it was about.
    pub target_user_id: Option<String>,
    /// The export or import it made or ended.
    pub resource_id: Option<String>,
    pub created_at: NaiveDateTime,
}
