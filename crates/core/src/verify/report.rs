//! What a verification found, and the verdict it comes to.

use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::archive::{AppOutcome, ManifestApp};
use mesdonnees_shared::imports::{SignatureCheck, SignatureStatus};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub archive_id: Option<String>,
    /// The instance the manifest names as its maker.
    pub instance: Option<String>,
    /// The key the manifest names as its signer.
    pub key_id: Option<String>,
    pub signature: SignatureCheck,
    pub files_checked: u64,
    pub apps: Vec<AppReport>,
    /// Every alteration found, in the order met.
    pub problems: Vec<Problem>,
}

impl Default for Verification {
    fn default() -> Self {
        Self {
            archive_id: None,
            instance: None,
            key_id: None,
            signature: SignatureCheck::unsigned(),
            files_checked: 0,
            apps: Vec::new(),
            problems: Vec::new(),
        }
    }
}

/// What the archive is, all checks together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Intact, and signed by a trusted key.
    Valid,
    /// Damaged or changed since it was signed.
    Altered,
    /// Intact as far as its manifest says, but signed by no key trusted here (or unsigned).
    UntrustedSigner,
}

impl Verification {
    pub fn verdict(&self) -> Verdict {
        if !self.problems.is_empty() {
            Verdict::Altered
        } else if self.signature.status == SignatureStatus::Valid {
            Verdict::Valid
        } else {
            Verdict::UntrustedSigner
        }
    }
}

/// One alteration: its code in the failure vocabulary, the file concerned when there is one,
/// and the facts (in English).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: ErrorCode,
    pub path: Option<String>,
    pub detail: String,
}

impl Problem {
    pub fn new(code: ErrorCode, path: Option<&str>, detail: impl Into<String>) -> Self {
        Self { code, path: path.map(str::to_owned), detail: detail.into() }
    }
}

/// One app of the archive: what the manifest says of it, and what was found.
#[derive(Debug, Clone, Serialize)]
pub struct AppReport {
    pub id: String,
    pub folder: String,
    pub version: String,
    /// Files and bytes the manifest gives it.
    pub entries: u64,
    pub bytes: u64,
    /// Why the export did not write all of it; absent when it did.
    pub outcome: Option<String>,
    /// Its files checked, and of them, those altered.
    pub checked: u64,
    pub altered: u64,
}

impl AppReport {
    pub(super) fn of(id: &str, app: &ManifestApp) -> Self {
        Self {
            id: id.to_owned(),
            folder: app.folder.clone(),
            version: app.version.to_string(),
            entries: app.entries,
            bytes: app.bytes,
            outcome: match &app.outcome {
                AppOutcome::Ok => None,
                AppOutcome::Failed { code, .. } => Some(code.clone()),
            },
            checked: 0,
            altered: 0,
        }
    }
}
