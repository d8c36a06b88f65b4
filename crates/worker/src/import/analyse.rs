//! The `analyse_import` job: checks an uploaded archive without extracting it — its structure
//! (the scanner), its manifest against its entries, its signature — and judges each app. An
//! archive of an entcore ENT goes through the same scanner and is read by `opener::entcore`. A
//! refused archive ends the import `failed` with the refusal's code, and its upload is removed.

use mesdonnees_db::{Import, documents, imports};
use mesdonnees_infra::Context;
use mesdonnees_infra::published_keys;
use mesdonnees_infra::signature_check::check_manifest_signature;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::imports::{
    Analysis, SignatureCheck, SignatureStatus, SignatureVerdict, Warning, judge_apps,
};
use object_store::ObjectStoreExt;
use object_store::path::Path;

use super::gather::Gathered;
use crate::error::JobError;
use crate::opener::{self, Contents, Failure, Refusal, SignedManifest, read_small};

/// Largest signature read.
const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

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
            .await?;
    // Deleted, or already past its analysis: nothing to do.
    let Some(import) = started else { return Ok(()) };
    let gathered = match super::gather::gather(ctx, &import).await {
        Ok(Gathered::Whole(import)) => Ok(*import),
        Ok(Gathered::Waiting) => return Ok(()),
        Err(e) => Err(e),
    };
    match async { analyse(ctx, &gathered?).await }.await {
        Ok(analysis) => {
            let json = serde_json::to_string(&analysis)
                .map_err(|e| JobError::Permanent(format!("analysis: {e}")))?;
            let id = import.id.clone();
            // A choice that does not read is the row's fault, not the archive's: no attempt
            // would read it better.
            let choice = import.auto_apps()?;
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
                        imports::mark_failed(
                            conn,
                            &id,
                            ErrorCode::NothingImportable.as_str(),
                            message,
                        )?;
                        let ended = Err((ErrorCode::NothingImportable, message));
                        crate::notify::import_ended(conn, &owner, &id, &file_name, ended)?;
                        return Ok(Next::Refused);
                    }
                    Ok(match imports::launch_with_job(conn, &id, &selection, max_attempts)? {
                        Ok(job) => Next::Launched(job),
                        Err(_) => Next::Wait,
                    })
                })
                .await?;
            tracing::info!(apps = analysis.apps.len(), "import analysed");
            match next {
                Next::Launched(job) => {
                    if let Err(e) = ctx.queue.push(job).await {
                        tracing::warn!(job_id = %job, error = %e, "import job not enqueued now; the reconciler will");
                    }
                }
                Next::Refused => super::release_upload(ctx, &import).await?,
                Next::Wait | Next::Gone => {}
            }
            Ok(())
        }
        Err(Failure::Refused(refusal)) => {
            tracing::info!(code = refusal.code.as_str(), "import refused");
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

async fn analyse(ctx: &Context, import: &Import) -> Result<Analysis, Failure> {
    let opened = opener::open(ctx, import).await?;
    let rights = import.owner_rights().map_err(|e| Failure::Job(e.into()))?;
    let owner = import.owner_id.clone();
    let used = ctx.db.run(move |conn| documents::used_bytes(conn, &owner)).await?;
    let quota_left =
        ctx.config.limits.user_quota_bytes.saturating_sub(u64::try_from(used).unwrap_or(0));
    let (manifest, signed) = match &opened.contents {
        Contents::Ours { manifest, signed } => (manifest, signed),
        Contents::Entcore(entcore) => {
            // Never signed by a key of ours: the policy says whether such an origin is taken.
            let warnings = signature_warnings(ctx, &SignatureCheck::unverified())?;
            let mut analysis =
                opener::entcore::analysis(ctx, &opened, entcore, &rights, quota_left);
            analysis.warnings.splice(0..0, warnings);
            return Ok(analysis);
        }
    };
    // An archive in parts has a signed manifest per part: the first that is not valid
    // stands for them all.
    let mut check = None;
    for part in signed {
        let checked = check_signature(ctx, opened.source.as_ref(), manifest, part).await?;
        let valid = checked.status == SignatureStatus::Valid;
        if check.is_none() || !valid {
            check = Some(checked);
        }
        if !valid {
            break;
        }
    }
    let check = check.unwrap_or_else(SignatureCheck::unverified);
    let warnings = signature_warnings(ctx, &check)?;
    let apps = judge_apps(manifest, &ctx.apps(), &rights, Some(quota_left));
    let mut analysis = Analysis::of_manifest(manifest, check, apps);
    analysis.warnings = warnings;
    Ok(analysis)
}

/// The check of one signed manifest against the instance's key and the trusted ones.
async fn check_signature(
    ctx: &Context,
    source: &dyn mesdonnees_zip::RangeSource,
    manifest: &mesdonnees_shared::archive::Manifest,
    part: &SignedManifest,
) -> Result<SignatureCheck, Failure> {
    let manifest_bytes = &part.bytes;
    let signature = match &part.signature {
        Some(entry) => Some(read_small(source, entry, MAX_SIGNATURE_BYTES).await?),
        None => None,
    };
    let signer =
        ctx.signer().await.map_err(|e| Failure::Job(JobError::Transient(e.to_string())))?;
    let configured = &ctx.config.imports.trusted_keys;
    let check_with = |trusted: &[mesdonnees_infra::config::TrustedKey]| {
        check_manifest_signature(
            manifest_bytes,
            signature.as_deref(),
            &manifest.archive_id,
            Some(&signer),
            trusted,
        )
    };
    let mut check = check_with(configured);
    // Keys given by address are fetched only for a signer no other key is: an archive of ours
    // or of a pasted key does not wait on another instance. Kept keys first; then, for a key
    // they lack, fresher ones, since the instance may have changed its key within the hour.
    let by_address = configured.iter().any(|k| k.keys_url.is_some());
    for max_age in [published_keys::KEEP_FETCHED, published_keys::REFETCH_AFTER] {
        if !by_address || check.status != SignatureStatus::Untrusted {
            break;
        }
        let trusted = ctx.fetched_keys.resolve(configured, max_age).await.map_err(|e| {
            tracing::warn!(error = %e, "trusted keys not fetched");
            Refusal::new(ErrorCode::TrustedKeysUnavailable, e.to_string())
        })?;
        check = check_with(&trusted);
    }
    // A signature proves the key; the manifest must also name that key as its signer.
    if check.status == SignatureStatus::Valid
        && check.key_id.as_deref() != Some(manifest.source.key_id.as_str())
    {
        check.status = SignatureStatus::Invalid;
    }
    Ok(check)
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
fn signature_code(code: &str) -> ErrorCode {
    match code.parse() {
        Ok(
            code @ (ErrorCode::UnsignedArchive
            | ErrorCode::UntrustedSignature
            | ErrorCode::UnverifiedOrigin),
        ) => code,
        _ => ErrorCode::InvalidSignature,
    }
}

/// Removes an upload that will not be imported.
/// Whether the upload is gone (removed now, or already); a failure is for the cleanup to retry.
/// A document the import read in place is the user's: it stays, and the import lets go of it.
pub(crate) async fn remove_upload(ctx: &Context, key: &str) -> bool {
    if !mesdonnees_shared::imports::owns_archive(key) {
        return true;
    }
    match ctx.storage.store.delete(&Path::from(key)).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => true,
        Err(e) => {
            tracing::warn!(error = %e, "upload not removed; the cleanup will retry");
            false
        }
    }
}
