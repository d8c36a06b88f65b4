//! Verifying an archive anyone holds, offline, with no database or configuration: its zip
//! structure (the scanner the imports use), the signature of its manifest against the keys the
//! caller trusts, and every file's size and SHA-256 against the manifest. What `mesdonnees
//! verify` runs; the rules are those of docs/ARCHIVE_FORMAT.md §9, steps 1 to 8.
//!
//! Pitfalls:
//! - A file is hashed as it streams out of the archive (`open_entry` stops it past its declared
//!   size and checks its CRC), never held whole.
//! - Every problem is collected, not only the first, so a person learns every altered file;
//!   but a structure the scanner refuses stops there, since nothing else of it can be trusted.
//! - An unknown signer is not an alteration: the content may be intact and the key simply not
//!   given. Only an archive with no problem is judged on its signer.

mod report;

use std::collections::{BTreeMap, HashMap};

use futures_util::StreamExt;
use mesdonnees_infra::config::TrustedKey;
use mesdonnees_infra::signature_check::check_manifest_signature;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::archive::{
    FORMAT, FORMAT_VERSION, MANIFEST_PATH, Manifest, README_PATH, SIGNATURE_PATH,
};
use mesdonnees_shared::imports::{SignatureCheck, SignatureStatus};
use mesdonnees_zip::RangeSource;
use mesdonnees_zip::scan::{ScanError, ScanLimits, ScannedEntry, open_entry, read_entry, scan};
use sha2::{Digest, Sha256};

pub use report::{AppReport, Problem, Verdict, Verification};

/// Largest manifest read (it lists every file: about 150 bytes each).
const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;
/// Largest signature read.
const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

/// The bounds of a verified archive: those of the largest archive an export writes.
pub fn limits() -> ScanLimits {
    ScanLimits {
        max_entries: 1_048_576,
        max_total_uncompressed: 1024 * 1024 * 1024 * 1024,
        max_central_directory: 512 * 1024 * 1024,
        ..ScanLimits::default()
    }
}

/// Whose signatures are trusted.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Keys trusted for the instance each names.
    pub keys: Vec<TrustedKey>,
    /// Raw public keys in base64, trusted for whatever instance the archive names (a key
    /// given by hand, with no instance).
    pub any_instance: Vec<String>,
}

/// Checks the archive `source` holds; the verification says what was found.
pub async fn verify(source: &dyn RangeSource, trust: &Trust) -> Verification {
    let mut found = Verification::default();
    let archive = match scan(source, &limits()).await {
        Ok(archive) => archive,
        Err(e) => {
            found.problems.push(scan_problem(&e, None));
            return found;
        }
    };
    let entries: HashMap<&str, &ScannedEntry> =
        archive.entries.iter().map(|e| (e.path.as_str(), e)).collect();
    let Some(manifest_entry) = entries.get(MANIFEST_PATH) else {
        found.problems.push(Problem::new(
            ErrorCode::NotAnArchiveOfOurs,
            None,
            "the archive has no manifest.json at its root",
        ));
        return found;
    };
    let manifest_bytes = match read_small(source, manifest_entry, MAX_MANIFEST_BYTES).await {
        Ok(bytes) => bytes,
        Err(problem) => {
            found.problems.push(problem);
            return found;
        }
    };
    let manifest = match read_manifest(&manifest_bytes) {
        Ok(manifest) => manifest,
        Err(problem) => {
            found.problems.push(problem);
            return found;
        }
    };
    found.archive_id = Some(manifest.archive_id.clone());
    found.instance = Some(manifest.source.instance.clone());
    found.key_id = Some(manifest.source.key_id.clone());
    found.signature = check_signature(source, &entries, &manifest, &manifest_bytes, trust).await;
    if found.signature.status == SignatureStatus::Invalid {
        found.problems.push(Problem::new(
            ErrorCode::InvalidSignature,
            Some(SIGNATURE_PATH),
            "the signature does not verify over this manifest with the key it names",
        ));
    }
    check_files(source, &entries, &manifest, &mut found).await;
    found
}

fn read_manifest(bytes: &[u8]) -> Result<Manifest, Problem> {
    let invalid =
        |detail: String| Problem::new(ErrorCode::InvalidManifest, Some(MANIFEST_PATH), detail);
    let manifest: Manifest =
        serde_json::from_slice(bytes).map_err(|e| invalid(format!("not valid: {e}")))?;
    if manifest.format != FORMAT {
        return Err(Problem::new(
            ErrorCode::UnsupportedFormat,
            Some(MANIFEST_PATH),
            format!("it describes a {:?} archive", manifest.format),
        ));
    }
    if manifest.format_version != FORMAT_VERSION {
        return Err(Problem::new(
            ErrorCode::UnsupportedFormatVersion,
            Some(MANIFEST_PATH),
            format!("format version {}, not {FORMAT_VERSION}", manifest.format_version),
        ));
    }
    manifest.check_layout().map_err(|e| invalid(e.to_string()))?;
    Ok(manifest)
}

async fn check_signature(
    source: &dyn RangeSource,
    entries: &HashMap<&str, &ScannedEntry>,
    manifest: &Manifest,
    manifest_bytes: &[u8],
    trust: &Trust,
) -> SignatureCheck {
    let signature = match entries.get(SIGNATURE_PATH) {
        Some(entry) => match read_small(source, entry, MAX_SIGNATURE_BYTES).await {
            Ok(bytes) => Some(bytes),
            Err(_) => {
                return SignatureCheck {
                    status: SignatureStatus::Invalid,
                    instance: None,
                    key_id: None,
                };
            }
        },
        None => None,
    };
    let mut keys = trust.keys.clone();
    keys.extend(
        trust.any_instance.iter().map(|key| TrustedKey::pasted(&manifest.source.instance, key)),
    );
    let mut check = check_manifest_signature(
        manifest_bytes,
        signature.as_deref(),
        &manifest.archive_id,
        None,
        &keys,
    );
    // A signature proves the key; the manifest must also name that key as its signer.
    if check.status == SignatureStatus::Valid
        && check.key_id.as_deref() != Some(manifest.source.key_id.as_str())
    {
        check.status = SignatureStatus::Invalid;
    }
    check
}

/// Every listed file against its entry, every entry against the list; the apps' tallies.
async fn check_files(
    source: &dyn RangeSource,
    entries: &HashMap<&str, &ScannedEntry>,
    manifest: &Manifest,
    found: &mut Verification,
) {
    let mut apps: BTreeMap<String, AppReport> =
        manifest.apps.iter().map(|(id, app)| (id.clone(), AppReport::of(id, app))).collect();
    let mut listed = std::collections::HashSet::with_capacity(manifest.files.len());
    for file in &manifest.files {
        listed.insert(file.path.as_str());
        let problem = match entries.get(file.path.as_str()) {
            Some(entry) if !entry.is_dir && entry.uncompressed_size == file.size => {
                hash_problem(source, entry, &file.sha256).await
            }
            Some(entry) if !entry.is_dir => Some(Problem::new(
                ErrorCode::ManifestSizeMismatch,
                Some(&file.path),
                format!("{} bytes, the manifest says {}", entry.uncompressed_size, file.size),
            )),
            _ => Some(Problem::new(
                ErrorCode::ManifestFileMissing,
                Some(&file.path),
                "listed in the manifest but not in the archive",
            )),
        };
        if let Some(app) = apps.get_mut(&file.app) {
            app.checked += 1;
            app.altered += u64::from(problem.is_some());
        }
        found.files_checked += 1;
        found.problems.extend(problem);
    }
    for entry in entries.values() {
        let own = [MANIFEST_PATH, SIGNATURE_PATH, README_PATH].contains(&entry.path.as_str());
        if !entry.is_dir && !own && !listed.contains(entry.path.as_str()) {
            found.problems.push(Problem::new(
                ErrorCode::FileNotInManifest,
                Some(&entry.path),
                "in the archive but not in its manifest",
            ));
        }
    }
    found.apps = apps.into_values().collect();
}

/// Whether the entry's content hashes to `expected`; streamed, its CRC checked on the way.
async fn hash_problem(
    source: &dyn RangeSource,
    entry: &ScannedEntry,
    expected: &str,
) -> Option<Problem> {
    let mut hasher = Sha256::new();
    let mut stream = open_entry(source, entry);
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => hasher.update(&chunk),
            Err(e) => return Some(scan_problem(&e, Some(&entry.path))),
        }
    }
    let got = hex::encode(hasher.finalize());
    (!got.eq_ignore_ascii_case(expected)).then(|| {
        Problem::new(
            ErrorCode::EntryCorrupt,
            Some(&entry.path),
            format!("its SHA-256 is {got}, the manifest says {expected}"),
        )
    })
}

async fn read_small(
    source: &dyn RangeSource,
    entry: &ScannedEntry,
    max: u64,
) -> Result<Vec<u8>, Problem> {
    if entry.uncompressed_size > max {
        return Err(Problem::new(
            ErrorCode::EntryTooLarge,
            Some(&entry.path),
            format!("larger than {max} bytes"),
        ));
    }
    read_entry(source, entry).await.map_err(|e| scan_problem(&e, Some(&entry.path)))
}

/// The scanner's refusal, under the code imports give it (the scanner says its codes as the
/// vocabulary's strings).
fn scan_problem(error: &ScanError, path: Option<&str>) -> Problem {
    let code = error.code().parse().unwrap_or(ErrorCode::ArchiveUnreadable);
    Problem::new(code, path, error.to_string())
}
