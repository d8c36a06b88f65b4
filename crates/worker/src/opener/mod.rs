//! The archive opener: an uploaded archive read as the import sees it — scanned, its manifest
//! read and checked against its entries, in this service's format or an entcore ENT's — and
//! the means to read its entries: small ones whole, any one copied into the object store. An
//! archive in parts is read as one (`parts`, `joined`). Each archive is scanned once per import
//! (`kept`): the analysis's scan is kept and taken by every later reader. A refusal here carries
//! the code the import ends with.

mod copy;
pub(crate) mod entcore;
mod joined;
mod kept;
pub(crate) mod parts;
mod scan_code;
mod source;

use std::collections::HashMap;

use mesdonnees_db::Import;
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::archive::{
    FORMAT, FORMAT_VERSION, MANIFEST_PATH, Manifest, README_PATH, SIGNATURE_PATH,
};
use mesdonnees_zip::RangeSource;
use mesdonnees_zip::scan::{ScanError, ScanLimits, ScannedArchive, ScannedEntry};

use crate::error::JobError;

pub(crate) use copy::{Stored, copy_charge, store_entry, store_pieces};
pub(crate) use kept::scanned;
use scan_code::scan_code;
pub use source::StoreSource;

/// Largest manifest read (it lists every file: about 150 bytes each).
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;
/// Why an archive is not imported: a stable code and a sentence for the user.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

pub(crate) enum Failure {
    Refused(Refusal),
    Job(JobError),
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

impl From<mesdonnees_db::DbError> for Failure {
    fn from(e: mesdonnees_db::DbError) -> Self {
        Self::Job(e.into())
    }
}

impl From<ScanError> for Failure {
    fn from(e: ScanError) -> Self {
        match e {
            // The store failing is worth another attempt; a bad archive is not.
            ScanError::Io(e) => Self::Job(JobError::Transient(format!("reading the upload: {e}"))),
            other => Self::Refused(Refusal::new(scan_code(&other), other.to_string())),
        }
    }
}

pub(crate) fn limits(ctx: &Context) -> ScanLimits {
    let config = &ctx.config.imports;
    ScanLimits {
        max_entries: config.max_entries,
        max_total_uncompressed: config.max_total_uncompressed_bytes,
        ..ScanLimits::default()
    }
}

/// The archive as the import sees it: scanned, its manifest read and checked against it.
pub(crate) struct Opened {
    pub source: Box<dyn RangeSource>,
    pub archive: ScannedArchive,
    pub contents: Contents,
}

/// What the archive's manifest says it holds, in the format that wrote it.
pub(crate) enum Contents {
    /// Format v1, this service's own; an archive in parts has one signed manifest per part,
    /// and `manifest` is theirs put together.
    Ours { manifest: Manifest, signed: Vec<SignedManifest> },
    /// An entcore ENT's archive.
    Entcore(entcore::EntcoreArchive),
}

/// A manifest as its archive (or part) holds it, and the entry of its signature.
pub(crate) struct SignedManifest {
    pub bytes: Vec<u8>,
    pub signature: Option<ScannedEntry>,
}

pub(crate) async fn open(ctx: &Context, import: &Import) -> Result<Opened, Failure> {
    let Some(key) = import.object_key.as_deref() else {
        return Err(Refusal::new(ErrorCode::UploadMissing, "the uploaded archive is gone").into());
    };
    if import.parts_count.is_some_and(|count| count > 1) {
        return parts::open(ctx, import).await;
    }
    let (source, archive) = scanned(ctx, &import.id, key).await?;
    let contents = if archive.entries.iter().any(|e| e.path == MANIFEST_PATH) {
        let by_path = by_path(&archive);
        let (manifest, bytes) = read_manifest(source.as_ref(), &by_path).await?;
        if let Some(parts) = manifest.parts.as_ref().filter(|p| p.count > 1) {
            return Err(parts::missing(parts.count).into());
        }
        check_listing(&manifest, &by_path, None)?;
        let signature = by_path.get(SIGNATURE_PATH).map(|e| (*e).clone());
        Contents::Ours { manifest, signed: vec![SignedManifest { bytes, signature }] }
    } else if let Some(manifest) = entcore::manifest_entry(&archive)? {
        let read = entcore::read(ctx, source.as_ref(), &archive, manifest).await?;
        Contents::Entcore(read)
    } else {
        return Err(Refusal::new(
            ErrorCode::NotAnArchiveOfOurs,
            "the archive has no manifest.json at its root, nor an entcore Manifest.json",
        )
        .into());
    };
    Ok(Opened { source, archive, contents })
}

pub(crate) fn by_path(archive: &ScannedArchive) -> HashMap<&str, &ScannedEntry> {
    archive.entries.iter().map(|e| (e.path.as_str(), e)).collect()
}

/// Reads the manifest of a v1 archive and checks its format (not yet its listing).
pub(crate) async fn read_manifest(
    source: &dyn RangeSource,
    by_path: &HashMap<&str, &ScannedEntry>,
) -> Result<(Manifest, Vec<u8>), Failure> {
    let Some(manifest_entry) = by_path.get(MANIFEST_PATH) else {
        return Err(Refusal::new(
            ErrorCode::NotAnArchiveOfOurs,
            "the archive has no manifest.json at its root",
        )
        .into());
    };
    let manifest_bytes = read_small(source, manifest_entry, MAX_MANIFEST_BYTES).await?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| {
        Refusal::new(ErrorCode::InvalidManifest, format!("manifest.json is not valid: {e}"))
    })?;
    if manifest.format != FORMAT {
        return Err(Refusal::new(
            ErrorCode::UnsupportedFormat,
            format!("manifest.json describes a {:?} archive", manifest.format),
        )
        .into());
    }
    if manifest.format_version != FORMAT_VERSION {
        return Err(Refusal::new(
            ErrorCode::UnsupportedFormatVersion,
            format!(
                "the archive is in format version {}; this instance reads version {FORMAT_VERSION}",
                manifest.format_version
            ),
        )
        .into());
    }
    manifest.check_layout().map_err(|e| {
        Refusal::new(ErrorCode::InvalidManifest, format!("manifest.json is not valid: {e}"))
    })?;
    Ok((manifest, manifest_bytes))
}

/// Every file the manifest lists is in the archive with its size, and every file of the
/// archive is listed (but the manifest, its signature and the read-me). In a part of an
/// archive in parts (`part`), only the files the manifest says that part holds.
pub(crate) fn check_listing(
    manifest: &Manifest,
    entries: &HashMap<&str, &ScannedEntry>,
    part: Option<u32>,
) -> Result<(), Refusal> {
    let mut listed = std::collections::HashSet::with_capacity(manifest.files.len());
    let held = manifest.files.iter().filter(|f| part.is_none_or(|p| f.part == Some(p)));
    for file in held {
        match entries.get(file.path.as_str()) {
            Some(entry) if !entry.is_dir && entry.uncompressed_size == file.size => {}
            Some(entry) if !entry.is_dir => {
                return Err(Refusal::new(
                    ErrorCode::ManifestSizeMismatch,
                    format!(
                        "{} holds {} bytes, the manifest says {}",
                        file.path, entry.uncompressed_size, file.size
                    ),
                ));
            }
            _ => {
                return Err(Refusal::new(
                    ErrorCode::ManifestFileMissing,
                    format!("{} is listed in the manifest but not in the archive", file.path),
                ));
            }
        }
        listed.insert(file.path.as_str());
    }
    let unlisted = entries.values().find(|e| {
        !e.is_dir
            && !listed.contains(e.path.as_str())
            && ![MANIFEST_PATH, SIGNATURE_PATH, README_PATH].contains(&e.path.as_str())
    });
    match unlisted {
        Some(entry) => Err(Refusal::new(
            ErrorCode::FileNotInManifest,
            format!("{} is in the archive but not in its manifest", entry.path),
        )),
        None => Ok(()),
    }
}

/// A small entry read whole, refused past `max` bytes.
pub(crate) async fn read_small(
    source: &dyn RangeSource,
    entry: &ScannedEntry,
    max: u64,
) -> Result<Vec<u8>, Failure> {
    if entry.uncompressed_size > max {
        return Err(Refusal::new(
            ErrorCode::EntryTooLarge,
            format!("{} is larger than {max} bytes", entry.path),
        )
        .into());
    }
    Ok(mesdonnees_zip::scan::read_entry(source, entry).await?)
}
