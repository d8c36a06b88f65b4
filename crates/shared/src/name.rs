//! Names of documents and folders as users type them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest name accepted, in characters; most file systems stop at 255 bytes, and the archive
/// writer may add a " (2)" suffix, so the limit is kept a little under.
pub const NAME_MAX_CHARS: usize = 240;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than {NAME_MAX_CHARS} characters")]
    TooLong,
    #[error("the name contains '/'")]
    Slash,
    #[error("the name contains a control character")]
    ControlCharacter,
    #[error("'.' and '..' are not names")]
    DotName,
    #[error("the name starts or ends with white space")]
    SurroundingSpace,
}

/// A validated document or folder name. Duplicates in one folder are allowed: documents are
/// told apart by id, and the archive writer makes names unique when it needs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct DocumentName(String);

impl DocumentName {
    /// The name in NFC, without invisible characters (see [`crate::entry_name::visible`]), if
    /// what is left is a valid name.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let visible = crate::entry_name::visible(raw);
        let raw = visible.as_str();
        if raw.is_empty() {
            return Err(NameError::Empty);
        }
        if raw.chars().count() > NAME_MAX_CHARS {
            return Err(NameError::TooLong);
        }
        if raw.contains('/') {
            return Err(NameError::Slash);
        }
        if raw.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        if raw == "." || raw == ".." {
            return Err(NameError::DotName);
        }
        if raw.trim() != raw {
            return Err(NameError::SurroundingSpace);
        }
        Ok(Self(visible))
    }

    /// The last path segment of an uploaded file name: browsers on Windows may send a full path.
    pub fn from_upload(file_name: &str) -> Result<Self, NameError> {
        let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
        Self::parse(base.trim())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for DocumentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DocumentName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        for ok in ["Devoir de maths.pdf", "été 2024", "a", "photo (2).jpg", ".bashrc"] {
            assert!(DocumentName::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_bad_names() {
        let cases = [
            ("", NameError::Empty),
            ("a/b", NameError::Slash),
            ("a\u{0}b", NameError::ControlCharacter),
            ("a\nb", NameError::ControlCharacter),
            ("..", NameError::DotName),
            (" a", NameError::SurroundingSpace),
        ];
        for (raw, expected) in cases {
            assert_eq!(DocumentName::parse(raw), Err(expected), "{raw:?}");
        }
        assert_eq!(DocumentName::parse(&"é".repeat(NAME_MAX_CHARS + 1)), Err(NameError::TooLong));
        assert!(DocumentName::parse(&"é".repeat(NAME_MAX_CHARS)).is_ok());
    }

    #[test]
    fn names_are_nfc_and_without_invisible_characters() {
        let parsed = |raw: &str| DocumentName::parse(raw).map(DocumentName::into_string);
        assert_eq!(parsed("e\u{301}te\u{301}.odt"), Ok("\u{e9}t\u{e9}.odt".to_owned()));
        assert_eq!(parsed("rapport\u{202E}fdp.exe"), Ok("rapportfdp.exe".to_owned()));
        assert_eq!(parsed("\u{FEFF}notes\u{200B}.txt"), Ok("notes.txt".to_owned()));
        assert_eq!(parsed("\u{2066}\u{2069}"), Err(NameError::Empty));
    }

    #[test]
    fn upload_names_keep_the_last_segment() {
        assert_eq!(
            DocumentName::from_upload("C:\\Users\\eleve\\cours.odt").map(DocumentName::into_string),
            Ok("cours.odt".to_owned())
        );
        assert_eq!(
            DocumentName::from_upload("dossier/notes.txt").map(DocumentName::into_string),
            Ok("notes.txt".to_owned())
        );
    }
}
