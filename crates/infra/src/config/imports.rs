//! `[imports]`: which uploaded archives are accepted, and how long uploads are kept.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mesdonnees_shared::imports::SignaturePolicy;
use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// The archives users upload to import: their bounds, and whose signatures are trusted.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportsConfig {
    /// Largest archive a user may upload, in bytes.
    pub max_upload_bytes: u64,
    /// Most entries (files and folders) an uploaded archive may hold.
    pub max_entries: u64,
    /// Most bytes an archive's entries may add up to once uncompressed. It also bounds what
    /// unpacking produces, whatever the compression ratio: an entry is stopped the moment it
    /// grows past its declared size, so a zip bomb cannot write more than this.
    pub max_total_uncompressed_bytes: u64,
    /// What to do with an archive whose manifest is unsigned or signed by an unknown key:
    /// `warn` accepts it with a warning in the analysis, `require` refuses it.
    pub signature_policy: SignaturePolicy,
    /// Keys of other instances whose archives are accepted as theirs, each pasted
    /// (`public_key`) or fetched from the address where the instance publishes its keys
    /// (`keys_url`); this instance's own key is always trusted.
    pub trusted_keys: Vec<TrustedKey>,
    /// An upload analysed but never launched, or whose import has finished, is removed after
    /// this many hours; an import still waiting for parts of its archive then fails.
    pub keep_uploads_hours: u64,
    /// Most archives one import receives for an archive in parts (`POST /imports/{id}/parts`),
    /// refused ones included; each is bounded by `max_upload_bytes`.
    pub max_parts: u64,
    /// Bytes the import job holds at most for the files it copies at once (what each is read
    /// into and buffered as before the store takes it): many small files are copied together,
    /// a large one with few others, one larger than this alone.
    pub copy_bytes_in_flight: u64,
}

/// The public key of an instance whose archives this one trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustedKey {
    /// The instance's name, as its manifests and signatures carry it (its
    /// `exports.instance_name`).
    pub instance: String,
    /// Its raw Ed25519 public key in base64, as `InstanceSigner::public_key_base64` prints it;
    /// empty when `keys_url` is given instead.
    #[serde(default)]
    pub public_key: String,
    /// Instead of `public_key`: the address of the instance's published keys
    /// (`https://…/.well-known/mesdonnees/keys`), fetched when an archive names a key no pasted
    /// one is, and kept for an hour (a minute, for a key they lack). A failure to fetch
    /// refuses the archive with `trusted_keys_unavailable`, never trusts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys_url: Option<String>,
}

impl TrustedKey {
    /// A key given as is.
    pub fn pasted(instance: &str, public_key: &str) -> Self {
        Self { instance: instance.to_owned(), public_key: public_key.to_owned(), keys_url: None }
    }

    /// The 32 bytes of the key; `None` when the configured text is not one (refused at start).
    pub fn key_bytes(&self) -> Option<[u8; 32]> {
        STANDARD.decode(self.public_key.trim()).ok()?.try_into().ok()
    }
}

impl Default for ImportsConfig {
    fn default() -> Self {
        Self {
            max_upload_bytes: 4 * 1024 * 1024 * 1024,
            max_entries: 100_000,
            max_total_uncompressed_bytes: 20 * 1024 * 1024 * 1024,
            signature_policy: SignaturePolicy::Warn,
            trusted_keys: Vec::new(),
            keep_uploads_hours: 48,
            max_parts: 100,
            copy_bytes_in_flight: 16 * 1024 * 1024,
        }
    }
}

impl Section for ImportsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if [
            self.max_upload_bytes,
            self.max_entries,
            self.max_total_uncompressed_bytes,
            self.keep_uploads_hours,
            self.max_parts,
            self.copy_bytes_in_flight,
        ]
        .contains(&0)
        {
            return ConfigError::invalid(
                "imports.max_upload_bytes, max_entries, max_total_uncompressed_bytes, \
                 keep_uploads_hours, max_parts and copy_bytes_in_flight must be positive",
            );
        }
        for key in &self.trusted_keys {
            if key.instance.is_empty() {
                return ConfigError::invalid("imports.trusted_keys: every key needs its instance");
            }
            if let Some(url) = &key.keys_url {
                let parsed = url::Url::parse(url).ok();
                if !key.public_key.is_empty()
                    || !parsed.is_some_and(|u| matches!(u.scheme(), "http" | "https"))
                {
                    return ConfigError::invalid(format!(
                        "imports.trusted_keys: {} has a keys_url that is not an http(s) address, \
                         or a public_key as well",
                        key.instance
                    ));
                }
                continue;
            }
            if key.key_bytes().is_none() {
                return ConfigError::invalid(format!(
                    "imports.trusted_keys: the key of {} is not a base64 Ed25519 public key \
                     (32 bytes)",
                    key.instance
                ));
            }
        }
        Ok(())
    }
}
