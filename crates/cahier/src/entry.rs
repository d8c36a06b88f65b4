//! What makes a valid entry, and how entries and attachments are shown.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use uuid::Uuid;

use crate::models::{self, Attachment, Entry};

pub const TITLE_MAX_CHARS: usize = 200;
pub const SUBJECT_MAX_CHARS: usize = 100;
pub const CONTENT_MAX_BYTES: usize = 256 * 1024;
/// Attachments one entry may have: keeps an entry's exported JSON line well under 1 MiB.
pub const MAX_ATTACHMENTS: i64 = 100;

/// The fields a user writes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    pub title: String,
    #[serde(default)]
    pub subject: String,
    pub due_date: String,
    #[serde(default)]
    pub content_html: String,
}

/// Checked fields, ready for a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFields {
    pub title: String,
    pub subject: String,
    pub due_date: NaiveDate,
    pub content_html: String,
}

impl EntryInput {
    pub fn validate(self) -> Result<EntryFields, String> {
        let title = self.title.trim().to_owned();
        let title_chars = title.chars().count();
        if title_chars == 0 || title_chars > TITLE_MAX_CHARS {
            return Err(format!("the title has 1 to {TITLE_MAX_CHARS} characters"));
        }
        let subject = self.subject.trim().to_owned();
        if subject.chars().count() > SUBJECT_MAX_CHARS {
            return Err(format!("the subject has at most {SUBJECT_MAX_CHARS} characters"));
        }
        if [&title, &subject].iter().any(|s| s.chars().any(char::is_control)) {
            return Err("the title and subject have no control character".to_owned());
        }
        let due_date = NaiveDate::parse_from_str(&self.due_date, "%Y-%m-%d")
            .map_err(|_| "the due date is YYYY-MM-DD".to_owned())?;
        if self.content_html.len() > CONTENT_MAX_BYTES {
            return Err(format!("the content has at most {CONTENT_MAX_BYTES} bytes"));
        }
        // Other control characters would each take six bytes in JSON and could push an
        // exported line past the connector's line limit.
        if self.content_html.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err("the content has no control character but tab and line breaks".to_owned());
        }
        Ok(EntryFields { title, subject, due_date, content_html: self.content_html })
    }
}

impl EntryFields {
    /// A new row owned by `owner`, created at `created_at` (now unless it is an import) and
    /// changed now.
    pub fn into_entry(self, owner: String, created_at: Option<NaiveDateTime>) -> Entry {
        let now = models::now();
        Entry {
            // Random ids: the first 8 characters name the entry in archive paths, so they must
            // not repeat between entries made at the same moment.
            id: Uuid::new_v4().to_string(),
            owner_id: owner,
            title: self.title,
            subject: self.subject,
            due_date: self.due_date,
            content_html: self.content_html,
            created_at: created_at.unwrap_or(now),
            updated_at: now,
        }
    }
}

pub fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

impl From<&Attachment> for AttachmentView {
    fn from(a: &Attachment) -> Self {
        Self {
            id: a.id.clone(),
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
        }
    }
}

/// An entry as the user API shows it; an export adds to each attachment where its bytes are.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView<A = AttachmentView> {
    pub id: String,
    pub title: String,
    pub subject: String,
    pub due_date: NaiveDate,
    pub content_html: String,
    pub owner_id: String,
    pub shared_with_me: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub attachments: Vec<A>,
}

impl<A> EntryView<A> {
    pub fn new(entry: Entry, viewer: &str, attachments: Vec<A>) -> Self {
        Self {
            shared_with_me: entry.owner_id != viewer,
            id: entry.id,
            title: entry.title,
            subject: entry.subject,
            due_date: entry.due_date,
            content_html: entry.content_html,
            owner_id: entry.owner_id,
            created_at: utc(entry.created_at),
            updated_at: utc(entry.updated_at),
            attachments,
        }
    }
}
