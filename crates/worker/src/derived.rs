//! Ids derived from what a job works on rather than drawn at random: a job run again writes
//! the same rows, so a crash between a step's object and its row never makes a second one.

use sha2::{Digest, Sha256};

/// The document id that `scope` (an import, an export) gives the thing at `path` within it.
pub(crate) fn document_id(scope: &str, path: &str) -> String {
    let digest = Sha256::digest(format!("{scope}\n{path}").as_bytes());
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid().hyphenated().to_string()
}
