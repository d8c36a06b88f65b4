//! The `analyse_import` job: checks an uploaded archive without extracting it — its structure
//! (the scanner), its manifest against its entries, its signature — and judges each app. An
//! archive of an entcore ENT goes through the same scanner and is read by `super::entcore`. A
//! refused archive ends the import `failed` with the refusal's code, and its upload is removed.

use std::collections::HashMap;

use futures_util::StreamExt;
use mesdonnees_db::{Import, documents, imports};
use mesdonnees_infra::Context;
use mesdonnees_infra::signature_check::check_manifest_signature;
use mesdonnees_shared::archive::{
    FORMAT, FORMAT_VERSION, MANIFEST_PATH, Manifest, README_PATH, SIGNATURE_PATH,
};
use mesdonnees_shared::imports::{
    Analysis, AppChoice, NOTHING_IMPORTABLE, SignatureCheck, SignatureStatus, SignatureVerdict,
    Warning, judge_apps,
};
use object_store::ObjectStoreExt;
use object_store::path::Path;

use mesdonnees_zip::scan::{ScanError, ScanLimits, ScannedArchive, ScannedEntry};
use mesdonnees_zip::{LocalSource, RangeSource};

use super::source::StoreSource;
use crate::runner::JobError;

/// Largest manifest read (it lists every file: about 150 bytes each).
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;
/// Largest signature read.
const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

/// Why an archive is not imported: a stable code and a sentence for the user.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
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
        Self::Job(JobError::Transient(format!("database: {e}")))
    }
}

impl From<ScanError> for Failure {
    fn from(e: ScanError) -> Self {
        match e {
            // The store failing is worth another attempt; a bad archive is not.
            ScanError::Io(e) => Self::Job(JobError::Transient(format!("reading the upload: {e}"))),
            other => Self::Refused(Refusal::new(other.code(), other.to_string())),
        }
    }
}

pub(crate) fn limits(ctx: &Context) -> ScanLimits {
    let config = &ctx.config.imports;
    ScanLimits {
        max_entries: config.max_entries,
        max_total_uncompressed: config.max_total_uncompressed_bytes,
        max_entry_ratio: config.max_entry_ratio,
        ratio_exempt_below: config.ratio_exempt_below_bytes,
        ..ScanLimits::default()
    }
}

pub async fn run(ctx: &Context, import_id: &str) -> Result<(), JobError> {
    let id = import_id.to_owned();
    let started =
        ctx.db
            .run(move |conn| {
                if imports::start_analysis(conn, &id)? {
                    imports::find(conn, &id)
                } else {
                    Ok(None)
                }
            })
            .await
            .map_err(|e| JobError::Transient(format!("database: {e}")))?;
    // Deleted, or already past its analysis: nothing to do.
    let Some(import) = started else { return Ok(()) };
    match analyse(ctx, &import).await {
        Ok(analysis) => {
            let json = serde_json::to_string(&analysis)
                .map_err(|e| JobError::Permanent(format!("analysis: {e}")))?;
            let id = import.id.clone();
            let choice = operator_choice(&import)?;
            let selection = choice.as_ref().map(|c| c.select(&analysis));
            let max_attempts = ctx.config.queue.max_attempts;
            let (owner, file_name) = (import.owner_id.clone(), import.file_name.clone());
            // Saved and launched (or refused) in one transaction: a crash between the two steps
            // cannot leave an operator's import waiting for a launch nobody will make.
            let next = ctx
                .db
                .transaction(move |conn| {
                    if !imports::save_analysis(conn, &id, &json)? {
                        return Ok(Next::Gone);
                    }
                    let Some(selection) = selection else { return Ok(Next::Wait) };
                    if selection.apps.is_empty() {
                        let message = "none of the chosen apps can be imported from this archive";
                        imports::mark_failed(conn, &id, NOTHING_IMPORTABLE, message)?;
                        let ended = Err((NOTHING_IMPORTABLE, message));
                        crate::notify::import_ended(conn, &owner, &id, &file_name, ended)?;
                        return Ok(Next::Refused);
                    }
                    Ok(match imports::launch_with_job(conn, &id, &selection, max_attempts)? {
                        Ok(job) => Next::Launched(job),
                        Err(_) => Next::Wait,
                    })
                })
                .await
                .map_err(|e| JobError::Transient(format!("database: {e}")))?;
            tracing::info!(apps = analysis.apps.len(), "import analysed");
            match next {
                Next::Launched(job) => {
                    if let Err(e) = ctx.queue.push(job).await {
                        tracing::warn!(job_id = %job, error = %e, "import job not enqueued now; the reconciler will");
                    }
                }
                Next::Refused => {
                    if let Some(key) = &import.object_key {
                        remove_upload(ctx, key).await;
                    }
                }
                Next::Wait | Next::Gone => {}
            }
            Ok(())
        }
        Err(Failure::Refused(refusal)) => {
            tracing::info!(code = refusal.code, "import refused");
            super::fail(ctx, &import, refusal.code, &refusal.message).await
        }
        Err(Failure::Job(e)) => Err(e),
    }
}

/// What follows a saved analysis.
enum Next {
    /// Deleted or ended meanwhile.
    Gone,
    /// For the owner to launch (or, launched by an operator, another import of the owner's
    /// holds the slot: the owner or the operator launches it later).
    Wait,
    /// An operator's choice launched.
    Launched(mesdonnees_shared::JobId),
    /// An operator's choice held nothing importable.
    Refused,
}

/// The apps an operator chose before the analysis, if any. A choice that does not read is the
/// row's fault, not the archive's: no attempt would read it better.
fn operator_choice(import: &Import) -> Result<Option<AppChoice>, JobError> {
    import
        .auto_apps
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| JobError::Permanent(format!("the chosen apps do not read: {e}")))
}

/// The archive as the import sees it: scanned, its manifest read and checked against it.
pub(crate) struct Opened {
    pub source: Box<dyn RangeSource>,
    pub archive: ScannedArchive,
    pub contents: Contents,
}

/// What the archive's manifest says it holds, in the format that wrote it.
pub(crate) enum Contents {
    /// Format v1, this service's own.
    Ours { manifest: Manifest, manifest_bytes: Vec<u8> },
    /// An entcore ENT's archive.
    Entcore(super::entcore::EntcoreArchive),
}

pub(crate) async fn open(ctx: &Context, import: &Import) -> Result<Opened, Failure> {
    let Some(key) = import.object_key.as_deref() else {
        return Err(Refusal::new("upload_missing", "the uploaded archive is gone").into());
    };
    let opened = match &ctx.storage.local_root {
        Some(root) => {
            LocalSource::open(&root.join(key)).map(|s| Box::new(s) as Box<dyn RangeSource>)
        }
        None => StoreSource::open(ctx.storage.store.clone(), Path::from(key))
            .await
            .map(|s| Box::new(s) as Box<dyn RangeSource>),
    };
    let source = match opened {
        Ok(source) => source,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Refusal::new("upload_missing", "the uploaded archive is gone").into());
        }
        Err(e) => {
            return Err(Failure::Job(JobError::Transient(format!("opening the upload: {e}"))));
        }
    };
    let archive = mesdonnees_zip::scan::scan(source.as_ref(), &limits(ctx)).await?;
    let contents = if archive.entries.iter().any(|e| e.path == MANIFEST_PATH) {
        read_ours(source.as_ref(), &archive).await?
    } else if let Some(manifest) = super::entcore::manifest_entry(&archive)? {
        let read = super::entcore::read(ctx, source.as_ref(), &archive, manifest).await?;
        Contents::Entcore(read)
    } else {
        return Err(Refusal::new(
            "not_an_archive_of_ours",
            "the archive has no manifest.json at its root, nor an entcore Manifest.json",
        )
        .into());
    };
    Ok(Opened { source, archive, contents })
}

/// Reads and checks the manifest of a v1 archive.
async fn read_ours(
    source: &dyn RangeSource,
    archive: &ScannedArchive,
) -> Result<Contents, Failure> {
    let by_path: HashMap<&str, &ScannedEntry> =
        archive.entries.iter().map(|e| (e.path.as_str(), e)).collect();
    let manifest_entry = by_path[MANIFEST_PATH];
    let manifest_bytes = read_small(source, manifest_entry, MAX_MANIFEST_BYTES).await?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| {
        Refusal::new("invalid_manifest", format!("manifest.json is not valid: {e}"))
    })?;
    if manifest.format != FORMAT {
        return Err(Refusal::new(
            "unsupported_format",
            format!("manifest.json describes a {:?} archive", manifest.format),
        )
        .into());
    }
    if manifest.format_version != FORMAT_VERSION {
        return Err(Refusal::new(
            "unsupported_format_version",
            format!(
                "the archive is in format version {}; this instance reads version {FORMAT_VERSION}",
                manifest.format_version
            ),
        )
        .into());
    }
    check_listing(&manifest, &by_path)?;
    Ok(Contents::Ours { manifest, manifest_bytes })
}

async fn analyse(ctx: &Context, import: &Import) -> Result<Analysis, Failure> {
    let opened = open(ctx, import).await?;
    let rights: Vec<String> = serde_json::from_str(&import.owner_rights).unwrap_or_default();
    let owner = import.owner_id.clone();
    let used = ctx.db.run(move |conn| documents::used_bytes(conn, &owner)).await?;
    let quota_left =
        ctx.config.limits.user_quota_bytes.saturating_sub(u64::try_from(used).unwrap_or(0));
    let (manifest, manifest_bytes) = match &opened.contents {
        Contents::Ours { manifest, manifest_bytes } => (manifest, manifest_bytes),
        Contents::Entcore(entcore) => {
            // Never signed by a key of ours: the policy says whether such an origin is taken.
            let warnings = signature_warnings(ctx, &SignatureCheck::unverified())?;
            let mut analysis = super::entcore::analysis(ctx, &opened, entcore, &rights, quota_left);
            analysis.warnings.splice(0..0, warnings);
            return Ok(analysis);
        }
    };
    let signature_entry = opened.archive.entries.iter().find(|e| e.path == SIGNATURE_PATH);
    let signature = match signature_entry {
        Some(entry) => Some(read_small(opened.source.as_ref(), entry, MAX_SIGNATURE_BYTES).await?),
        None => None,
    };
    let signer =
        ctx.signer().await.map_err(|e| Failure::Job(JobError::Transient(e.to_string())))?;
    let mut check = check_manifest_signature(
        manifest_bytes,
        signature.as_deref(),
        &manifest.archive_id,
        Some(&signer),
        &ctx.config.imports.trusted_keys,
    );
    // A signature proves the key; the manifest must also name that key as its signer.
    if check.status == SignatureStatus::Valid
        && check.key_id.as_deref() != Some(manifest.source.key_id.as_str())
    {
        check.status = SignatureStatus::Invalid;
    }
    let warnings = signature_warnings(ctx, &check)?;
    let apps = judge_apps(manifest, &ctx.apps(), &rights, Some(quota_left));
    let mut analysis = Analysis::of_manifest(manifest, check, apps);
    analysis.warnings = warnings;
    Ok(analysis)
}

/// What the signature policy makes of a check: warnings to show, or a refusal.
fn signature_warnings(ctx: &Context, check: &SignatureCheck) -> Result<Vec<Warning>, Refusal> {
    match ctx.config.imports.signature_policy.judge(check) {
        SignatureVerdict::Accept => Ok(Vec::new()),
        SignatureVerdict::Warn(warning) => Ok(vec![warning]),
        SignatureVerdict::Refuse(Warning { code, message }) => {
            Err(Refusal { code: signature_code(&code), message })
        }
    }
}

/// The refusal code of a signature policy verdict (a closed set).
fn signature_code(code: &str) -> &'static str {
    match code {
        "unsigned_archive" => "unsigned_archive",
        "untrusted_signature" => "untrusted_signature",
        "unverified_origin" => "unverified_origin",
        _ => "invalid_signature",
    }
}

/// Every file the manifest lists is in the archive with its size, and every file of the
/// archive is listed (but the manifest, its signature and the read-me).
fn check_listing(
    manifest: &Manifest,
    entries: &HashMap<&str, &ScannedEntry>,
) -> Result<(), Refusal> {
    let mut listed = std::collections::HashSet::with_capacity(manifest.files.len());
    for file in &manifest.files {
        match entries.get(file.path.as_str()) {
            Some(entry) if !entry.is_dir && entry.uncompressed_size == file.size => {}
            Some(entry) if !entry.is_dir => {
                return Err(Refusal::new(
                    "manifest_size_mismatch",
                    format!(
                        "{} holds {} bytes, the manifest says {}",
                        file.path, entry.uncompressed_size, file.size
                    ),
                ));
            }
            _ => {
                return Err(Refusal::new(
                    "manifest_file_missing",
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
            "file_not_in_manifest",
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
            "entry_too_large",
            format!("{} is larger than {max} bytes", entry.path),
        )
        .into());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(entry.uncompressed_size).unwrap_or(0));
    let mut stream = mesdonnees_zip::scan::open_entry(source, entry);
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk?);
    }
    Ok(bytes)
}

/// Removes an upload that will not be imported.
pub(crate) async fn remove_upload(ctx: &Context, key: &str) {
    match ctx.storage.store.delete(&Path::from(key)).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => tracing::warn!(error = %e, "upload not removed; the cleanup will retry"),
    }
}
