//! Export filters: which files of the user's data an export keeps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most format filters one export may carry.
pub const MAX_FORMATS: usize = 32;

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
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilterError {
    #[error("at most {MAX_FORMATS} formats")]
    TooMany,
    #[error("unknown format {0:?}: use a family ({families}) or an extension such as \".pdf\"", families = FAMILIES.join(", "))]
    UnknownFormat(String),
    #[error("`since` is in the future")]
    SinceInFuture,
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
        // One spelling per set of formats, so that two requests for the same files compare
        // equal (an export asked again is reused).
        self.formats.sort();
        self.formats.dedup();
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.formats.is_empty() && self.since.is_none()
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
        let ok = ExportFilters { formats: vec![" Image".into(), ".ODT".into()], since: None };
        assert_eq!(ok.validate(now).map(|f| f.formats), Ok(vec![".odt".into(), "image".into()]));
        let bad = ExportFilters { formats: vec!["pictures".into()], since: None };
        assert_eq!(bad.validate(now), Err(FilterError::UnknownFormat("pictures".into())));
        let dotted = ExportFilters { formats: vec![".a/b".into()], since: None };
        assert!(dotted.validate(now).is_err());
        let future = ExportFilters { formats: vec![], since: Some(at("2027-01-01T00:00:00Z")) };
        assert_eq!(future.validate(now), Err(FilterError::SinceInFuture));
    }

    #[test]
    fn filters_keep_by_family_extension_and_date() {
        let changed = at("2025-06-01T00:00:00Z");
        let images = ExportFilters { formats: vec!["image".into(), ".odt".into()], since: None };
        assert!(images.keeps("photo.jpg", "image/jpeg", changed));
        assert!(images.keeps("rapport.ODT", "application/octet-stream", changed));
        assert!(!images.keeps("notes.txt", "text/plain", changed));
        let recent = ExportFilters { formats: vec![], since: Some(at("2025-07-01T00:00:00Z")) };
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
