//! Export rows' domain: options, statuses, where the archive is stored.

use serde::{Deserialize, Serialize};

use crate::filters::ExportFilters;
use crate::tables::{ExportKind, TableSpec};

/// Longest export name, in characters.
pub const NAME_MAX_CHARS: usize = 120;

/// The options of an export, as stored with its row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOptions {
    #[serde(default)]
    pub filters: ExportFilters,
    #[serde(default)]
    pub notify_email: Option<String>,
    #[serde(default)]
    pub kind: ExportKind,
    /// A `table` export's table; for an archive, the index written at its root, if asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<TableSpec>,
    /// The language of the person who asked, in which the archive speaks to people (its
    /// viewer); French for exports made before it was recorded.
    #[serde(default)]
    pub lang: crate::Lang,
    /// Where the finished file also goes, besides the download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_to: Option<Delivery>,
    /// Written as several archives of about this many bytes each, each a complete zip; one
    /// archive without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_size_bytes: Option<u64>,
}

/// A place an export's file is copied into once it is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// The owner's documents space, in the folder [`DELIVERY_FOLDER`].
    Documents,
}

/// The folder of the documents space that delivered exports go into, at the owner's root.
pub const DELIVERY_FOLDER: &str = "Mes exports";

impl ExportOptions {
    /// The file's extension: `zip`, or the table's format.
    pub fn extension(&self) -> &'static str {
        match (self.kind, &self.table) {
            (ExportKind::Table, Some(table)) => table.format.extension(),
            _ => "zip",
        }
    }

    pub fn content_type(&self) -> &'static str {
        match (self.kind, &self.table) {
            (ExportKind::Table, Some(table)) => table.format.content_type(),
            _ => "application/zip",
        }
    }
}

/// The object key of an export's file.
pub fn export_key(export_id: &str, options: &ExportOptions) -> String {
    format!("exports/{export_id}.{}", options.extension())
}

/// The id of the document an export delivered into the documents space is, or would be: the
/// worker copies the file to its key before the row exists, so a deletion finds an orphan copy
/// by it.
pub fn delivery_document_id(export_id: &str) -> String {
    crate::derived::document_id(export_id, "delivery")
}

/// The object key of a document of the documents space.
pub fn document_key(document_id: &str) -> String {
    format!("documents/{document_id}")
}

/// The object key of one part of an export written in parts (`part` from 1).
pub fn part_key(export_id: &str, part: u32) -> String {
    format!("exports/{export_id}.partie-{part}.zip")
}

/// The file name a part is downloaded as: `mes-donnees-partie-1-sur-3.zip`.
pub fn part_file_name(part: u32, parts: u32) -> String {
    format!("mes-donnees-partie-{part}-sur-{parts}.zip")
}

/// The object key of an export's archive.
pub fn archive_key(export_id: &str) -> String {
    export_key(export_id, &ExportOptions::default())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Queued,
    Running,
    Ready,
    Failed,
    Expired,
    Cancelled,
}

impl ExportStatus {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "ready" => Self::Ready,
            "failed" => Self::Failed,
            "expired" => Self::Expired,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    pub fn is_active(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

/// An e-mail address as far as this service needs to judge one: one `@`, something on both
/// sides, no spaces or control characters, at most 254 bytes (RFC 5321).
pub fn valid_email(raw: &str) -> bool {
    let Some((local, domain)) = raw.split_once('@') else { return false };
    raw.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(valid_email("prof@ecole.fr"));
        assert!(!valid_email("prof@ecole"));
        assert!(!valid_email("@ecole.fr"));
        assert!(!valid_email("a b@ecole.fr"));
        assert!(!valid_email("a@b@ecole.fr"));
    }
}
