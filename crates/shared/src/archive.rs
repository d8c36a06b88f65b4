//! Archive format v1: the manifest every archive carries at its root. Documented for other ENTs
//! in docs/ARCHIVE_FORMAT.md.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::apps::FormatVersion;

/// `format` of a v1 archive.
pub const FORMAT: &str = "mesdonnees-archive";
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST_PATH: &str = "manifest.json";
pub const SIGNATURE_PATH: &str = "manifest.sig";
pub const README_PATH: &str = "LISEZMOI.txt";
/// Folder of the workspace app and its three parts.
pub const DOCUMENTS_FOLDER: &str = "Documents";
pub const OWN_DOCUMENTS: &str = "Mes documents";
pub const SHARED_DOCUMENTS: &str = "Partagés avec moi";
pub const APP_DOCUMENTS: &str = "Ajoutés dans les applis";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub archive_id: String,
    pub created_at: DateTime<Utc>,
    pub source: Source,
    pub owner: Owner,
    /// Every entry except the manifest, its signature and the read-me. Before `apps` in the
    /// written file, which is produced as the archive is: the outcomes are known last.
    pub files: Vec<ManifestFile>,
    /// Per app id: what the archive holds of it.
    pub apps: BTreeMap<String, ManifestApp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The exporting instance (its configured name).
    pub instance: String,
    pub service_version: String,
    /// Id of the key that signed manifest.sig.
    pub key_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestApp {
    pub version: FormatVersion,
    pub folder: String,
    pub entries: u64,
    pub bytes: u64,
    /// `ok`, or `failed` with a reason: a failed app is listed with what it managed to write.
    pub outcome: AppOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AppOutcome {
    Ok,
    Failed { code: String, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub app: String,
    pub size: u64,
    pub sha256: String,
    /// `json` for a JSON document an app sent as data (handed back to it as data on import);
    /// absent for a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FileKind>,
}

/// What a listed file is to its app, when it is not a plain file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Json,
}

/// What manifest.sig signs: a compact JWS (EdDSA) whose payload carries these claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureClaims {
    /// The exporting instance.
    pub iss: String,
    pub archive_id: String,
    /// Hex SHA-256 of manifest.json's bytes.
    pub manifest_sha256: String,
    pub iat: i64,
}
