//! Export filters: which files of the user's data an export keeps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DocumentId;

/// Most format filters one export may carry.
pub const MAX_FORMATS: usize = 32;
/// Most folders one export may choose.
pub const MAX_FOLDERS: usize = 100;

/// Content-type families a user can pick instead of listing extensions.
pub const FAMILIES: [&str; 8] =
    ["image", "video", "audio", "text", "pdf", "office", "archive", "other"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportFilters {
    /// Families (`image`, `video`, `audio`, `text`, `pdf`, `office`, `archive`, `other`) or
    /// extensions (`.odt`). A file matching any of them is kept; empty keeps every format.
    #[serde(default)]
    pub formats: Vec<String>,
    /// Keep only files created or changed at or after this instant.
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
    /// Folders of the user's own documents (at most 100): only the files under them, at any
    /// depth, are kept, at their usual paths. Documents shared with the user are not in their
    /// folders (a document lies in its owner's tree), so choosing folders leaves them out.
    /// Empty keeps every folder. Only the documents space reads it: never sent to other apps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<String>, max_items = 100)]
    pub folders: Vec<DocumentId>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilterError {
    #[error("at most {MAX_FORMATS} formats")]
    TooMany,
    #[error("unknown format {0:?}: use a family ({families}) or an extension such as \".pdf\"", families = FAMILIES.join(", "))]
    UnknownFormat(String),
    #[error("`since` is in the future")]
    SinceInFuture,
    #[error("at most {MAX_FOLDERS} folders")]
    TooManyFolders,
}

impl ExportFilters {
    /// Checks and normalises (lower case) the filters a client sent.
    pub fn validate(mut self, now: DateTime<Utc>) -> Result<Self, FilterError> {
        if self.formats.len() > MAX_FORMATS {
            return Err(FilterError::TooMany);
        }
        for format in &mut self.formats {
            *format = format.trim().to_lowercase();
            let is_extension = format.len() > 1
                && format.len() <= 16
                && format.starts_with('.')
                && format[1..].chars().all(|c| c.is_ascii_alphanumeric());
            if !is_extension && !FAMILIES.contains(&format.as_str()) {
                return Err(FilterError::UnknownFormat(format.clone()));
            }
        }
        if self.since.is_some_and(|since| since > now) {
            return Err(FilterError::SinceInFuture);
        }
        // Counted before the duplicates go, so that the bound holds what a client may send.
        if self.folders.len() > MAX_FOLDERS {
            return Err(FilterError::TooManyFolders);
        }
        // One spelling per set of formats and folders, so that two requests for the same files
        // compare equal (an export asked again is reused).
        self.formats.sort();
        self.formats.dedup();
        self.folders.sort();
        self.folders.dedup();
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.formats.is_empty() && self.since.is_none() && self.folders.is_empty()
    }

    /// Whether a file is kept or not by what it is (its format, its date) rather than by where
    /// it lies: then an export holds no empty folder.
    pub fn judges_files(&self) -> bool {
        !self.formats.is_empty() || self.since.is_some()
    }

    /// Whether a file with this name, type and last change is kept.
    pub fn keeps(&self, name: &str, content_type: &str, changed: DateTime<Utc>) -> bool {
        if self.since.is_some_and(|since| changed < since) {
            return false;
        }
        if self.formats.is_empty() {
            return true;
        }
        let extension = name.rfind('.').filter(|&i| i > 0).map(|i| name[i..].to_lowercase());
        let family = family_of(content_type, extension.as_deref());
        self.formats.iter().any(|f| f == family || Some(f.as_str()) == extension.as_deref())
    }
}

/// The family of a file, from its content type and, failing that, its extension.
pub fn family_of(content_type: &str, extension: Option<&str>) -> &'static str {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_lowercase();
    let (top, sub) = essence.split_once('/').unwrap_or((essence.as_str(), ""));
    match (top, sub) {
        ("image", _) => "image",
        ("video", _) => "video",
        ("audio", _) => "audio",
        (_, "pdf") => "pdf",
        ("text", _) | (_, "json" | "xml" | "csv") => "text",
        (_, s)
            if s.starts_with("vnd.openxmlformats")
                || s.starts_with("vnd.oasis.opendocument")
                || s.starts_with("msword")
                || s.starts_with("vnd.ms-") =>
        {
            "office"
        }
        (_, "zip" | "x-7z-compressed" | "x-tar" | "gzip" | "x-rar-compressed") => "archive",
        _ => match extension {
            Some(
                ".odt" | ".ods" | ".odp" | ".docx" | ".xlsx" | ".pptx" | ".doc" | ".xls" | ".ppt",
            ) => "office",
            Some(".txt" | ".md" | ".csv" | ".json") => "text",
            Some(".pdf") => "pdf",
            Some(".zip" | ".7z" | ".tar" | ".gz") => "archive",
            _ => "other",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("date")
    }

    #[test]
    fn validation_normalises_and_refuses() {
        let now = at("2026-01-01T00:00:00Z");
        let formats = |f: &[&str]| ExportFilters {
            formats: f.iter().map(|s| (*s).to_owned()).collect(),
            ..ExportFilters::default()
        };
        let ok = formats(&[" Image", ".ODT"]);
        assert_eq!(ok.validate(now).map(|f| f.formats), Ok(vec![".odt".into(), "image".into()]));
        let bad = formats(&["pictures"]);
        assert_eq!(bad.validate(now), Err(FilterError::UnknownFormat("pictures".into())));
        assert!(formats(&[".a/b"]).validate(now).is_err());
        let future =
            ExportFilters { since: Some(at("2027-01-01T00:00:00Z")), ..ExportFilters::default() };
        assert_eq!(future.validate(now), Err(FilterError::SinceInFuture));
    }

    #[test]
    fn folders_are_bounded_and_spelt_once() {
        let now = at("2026-01-01T00:00:00Z");
        let (a, b) = (DocumentId::new(), DocumentId::new());
        let twice = ExportFilters { folders: vec![b, a, b], ..ExportFilters::default() };
        let checked = twice.validate(now).expect("valid");
        assert_eq!(checked.folders, vec![a, b], "sorted, each once");
        assert!(!checked.is_empty() && !checked.judges_files());
        let many: Vec<DocumentId> = (0..=MAX_FOLDERS).map(|_| DocumentId::new()).collect();
        let over = ExportFilters { folders: many, ..ExportFilters::default() };
        assert_eq!(over.validate(now), Err(FilterError::TooManyFolders));
        let stored: ExportFilters = serde_json::from_str(r#"{"formats": []}"#).expect("old rows");
        assert!(stored.folders.is_empty());
        assert!(serde_json::from_str::<ExportFilters>(r#"{"folders": ["nope"]}"#).is_err());
    }

    #[test]
    fn filters_keep_by_family_extension_and_date() {
        let changed = at("2025-06-01T00:00:00Z");
        let images = ExportFilters {
            formats: vec!["image".into(), ".odt".into()],
            ..ExportFilters::default()
        };
        assert!(images.keeps("photo.jpg", "image/jpeg", changed));
        assert!(images.keeps("rapport.ODT", "application/octet-stream", changed));
        assert!(!images.keeps("notes.txt", "text/plain", changed));
        let recent =
            ExportFilters { since: Some(at("2025-07-01T00:00:00Z")), ..ExportFilters::default() };
        assert!(!recent.keeps("a.txt", "text/plain", changed));
        assert!(recent.keeps("a.txt", "text/plain", at("2025-07-01T00:00:00Z")));
        assert!(ExportFilters::default().keeps("x", "", changed));
    }

    #[test]
    fn families() {
        assert_eq!(family_of("application/vnd.oasis.opendocument.text", None), "office");
        assert_eq!(family_of("application/pdf", None), "pdf");
        assert_eq!(family_of("application/json; charset=utf-8", None), "text");
        assert_eq!(family_of("application/octet-stream", Some(".docx")), "office");
        assert_eq!(family_of("application/octet-stream", None), "other");
    }
}
