//! A code as read back from a row, a report or another system. Rows outlive versions (an older
//! service reads what a newer worker wrote during a rolling update), an archive of another
//! implementation carries its apps' outcome codes (an open set, ARCHIVE_FORMAT.md Appendix B),
//! and a remote app reports entries with codes of its own: refusing an unknown code would make a
//! whole import or export unreadable for one word shown to a person. So reading never fails: an
//! unknown code is kept as it was written, and says a general sentence.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ErrorCode, en, fr};
use crate::lang::Lang;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FailureCode {
    Known(ErrorCode),
    /// A code this version does not know, as written.
    Unknown(String),
}

impl FailureCode {
    pub fn parse(raw: &str) -> Self {
        raw.parse().map_or_else(|_| Self::Unknown(raw.to_owned()), Self::Known)
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Known(code) => code.as_str(),
            Self::Unknown(raw) => raw,
        }
    }

    pub fn known(&self) -> Option<ErrorCode> {
        match self {
            Self::Known(code) => Some(*code),
            Self::Unknown(_) => None,
        }
    }

    /// The code's sentence; for an unknown code, a general one that asks to pass the code on.
    pub fn message(&self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Known(code), _) => code.message(lang),
            (Self::Unknown(_), Lang::Fr) => fr::UNKNOWN,
            (Self::Unknown(_), Lang::En) => en::UNKNOWN,
        }
    }
}

impl From<ErrorCode> for FailureCode {
    fn from(code: ErrorCode) -> Self {
        Self::Known(code)
    }
}

impl From<&str> for FailureCode {
    fn from(raw: &str) -> Self {
        Self::parse(raw)
    }
}

impl fmt::Display for FailureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FailureCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FailureCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Ok(Self::parse(&raw))
    }
}
