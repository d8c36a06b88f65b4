//! The archive-signing keys an instance publishes at [`KEYS_PATH`], so that anyone can verify
//! its archives (`mesdonnees verify --keys-url`) and other instances can trust it by address
//! (`imports.trusted_keys`). Documented in docs/ARCHIVE_FORMAT.md §4.6.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an instance serves its [`PublishedKeys`], below its address.
pub const KEYS_PATH: &str = "/.well-known/mesdonnees/keys";

/// Largest keys document read from another instance: a few keys take a few hundred bytes.
pub const MAX_KEYS_DOCUMENT_BYTES: usize = 64 * 1024;

/// Most keys read from one document.
pub const MAX_PUBLISHED_KEYS: usize = 32;

/// An instance's archive-signing public keys: the current one, then those it signed with before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublishedKeys {
    /// The instance's name, as its manifests (`source.instance`) and signatures (`iss`) carry it.
    pub instance: String,
    pub keys: Vec<PublishedKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublishedKey {
    /// The key's id: the first 16 hex digits of the SHA-256 of its raw bytes, as `kid` and
    /// `source.key_id` name it.
    pub key_id: String,
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The raw 32-byte public key, base64.
    pub public_key: String,
    pub status: KeyStatus,
    /// Since when it signs, when known.
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when it signed; absent for the current key.
    pub valid_until: Option<DateTime<Utc>>,
}

/// Whether a key signs new archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    Current,
    /// No longer signs; still verifies the archives it signed.
    Previous,
}

impl PublishedKeys {
    /// Reads a document from another instance, refusing one past the bounds above.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() > MAX_KEYS_DOCUMENT_BYTES {
            return Err(format!("larger than {MAX_KEYS_DOCUMENT_BYTES} bytes"));
        }
        let keys: Self = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if keys.keys.len() > MAX_PUBLISHED_KEYS {
            return Err(format!("more than {MAX_PUBLISHED_KEYS} keys"));
        }
        if keys.instance.is_empty() {
            return Err("no instance name".to_owned());
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_past_their_bounds_are_refused() {
        let key = |i: usize| {
            format!(
                r#"{{"key_id":"{i:016x}","algorithm":"Ed25519","public_key":"x",
                "status":"previous","valid_from":null,"valid_until":"2026-01-01T00:00:00Z"}}"#
            )
        };
        let document = |n: usize| {
            let keys: Vec<String> = (0..n).map(key).collect();
            format!(r#"{{"instance":"ent-a","keys":[{}]}}"#, keys.join(","))
        };
        let read = PublishedKeys::parse(document(2).as_bytes()).expect("two keys");
        assert_eq!(read.keys[1].status, KeyStatus::Previous);
        assert!(PublishedKeys::parse(document(MAX_PUBLISHED_KEYS + 1).as_bytes()).is_err());
        assert!(PublishedKeys::parse(&vec![b' '; MAX_KEYS_DOCUMENT_BYTES + 1]).is_err());
        assert!(PublishedKeys::parse(br#"{"instance":"","keys":[]}"#).is_err());
    }
}
