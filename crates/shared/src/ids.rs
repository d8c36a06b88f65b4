//! Identifier newtypes, parsed once at the edge so the rest of the code never handles raw strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest user id accepted; ENT ids are uuids or short logins, this leaves room for both.
pub const USER_ID_MAX_LEN: usize = 128;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("the id is empty")]
    Empty,
    #[error("the id is longer than {USER_ID_MAX_LEN} characters")]
    TooLong,
    #[error("the id holds characters other than letters, digits, '-', '_', '.', '@'")]
    BadCharacter,
    #[error("the id is not a UUID")]
    NotUuid,
}

/// The user an ENT token names in `sub`. Restricted to a conservative alphabet because it ends up
/// in object keys, log fields and file names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        if raw.is_empty() {
            return Err(IdError::Empty);
        }
        if raw.chars().count() > USER_ID_MAX_LEN {
            return Err(IdError::TooLong);
        }
        if !raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@')) {
            return Err(IdError::BadCharacter);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UserId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for UserId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUIDv7), so rows sort by creation in both databases.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn parse(raw: &str) -> Result<Self, IdError> {
                Uuid::try_parse(raw).map(Self).map_err(|_| IdError::NotUuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.as_hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

uuid_id!(
    /// A document or a folder of the workspace app.
    DocumentId
);
uuid_id!(
    /// A row of the `jobs` table; the queue message carries only this.
    JobId
);
uuid_id!(
    /// An uploaded archive and what becomes of it: analysis, then import.
    ImportId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_restricted() {
        assert!(UserId::parse("alice").is_ok());
        assert!(UserId::parse("f1e2d3c4-0000-4000-8000-000000000000").is_ok());
        assert!(UserId::parse("jean.dupont@ent").is_ok());
        assert_eq!(UserId::parse(""), Err(IdError::Empty));
        assert_eq!(UserId::parse("a/b"), Err(IdError::BadCharacter));
        assert_eq!(UserId::parse("a b"), Err(IdError::BadCharacter));
        assert_eq!(UserId::parse(&"a".repeat(129)), Err(IdError::TooLong));
    }

    #[test]
    fn uuid_ids_round_trip() {
        let id = DocumentId::new();
        assert_eq!(DocumentId::parse(&id.to_string()), Ok(id));
        assert_eq!(DocumentId::parse("nope"), Err(IdError::NotUuid));
    }
}
