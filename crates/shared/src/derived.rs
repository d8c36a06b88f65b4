//! Ids derived from what a job works on rather than drawn at random: a job run again writes
//! the same rows, so a crash between a step's object and its row never makes a second one.
//! The service's other side (an export's deletion) derives the same ids to find what a cut
//! job left: the derivation lives here once, for both.

use sha2::{Digest, Sha256};

/// The document id that `scope` (an import, an export) gives the thing at `path` within it.
pub fn document_id(scope: &str, path: &str) -> String {
    let digest = Sha256::digest(format!("{scope}\n{path}").as_bytes());
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid().hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_scope_and_path_give_the_same_id_and_others_another() {
        let id = document_id("export-1", "delivery");
        assert_eq!(id, document_id("export-1", "delivery"));
        assert_ne!(id, document_id("export-2", "delivery"));
        assert_ne!(id, document_id("export-1", "other"));
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    }
}
