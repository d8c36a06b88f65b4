//! An archive in parts opened as one: every part the analysis accepted is scanned, its manifest
//! read and its listing checked against the files that manifest says the part holds, then the
//! parts are joined (`joined`): entries of all parts in part order, each root file (manifest,
//! signature, read-me, viewer) taken from the first part only. The manifest put together lists
//! each file with the SHA-256 its own part gives, and the apps as the last part says (the parts
//! before it carry the outcomes as planned). Each part's signed manifest is kept, for the
//! analysis checks every signature. Each part keeps its own scan (`kept`), keyed by its object.

use std::collections::HashSet;

use mesdonnees_db::Import;
use mesdonnees_db::imports::parts as part_rows;
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::archive::{MANIFEST_PATH, Manifest, PartsOf, SIGNATURE_PATH};
use mesdonnees_zip::scan::ScannedArchive;

use super::joined::Joined;
use super::{
    Contents, Failure, Opened, Refusal, SignedManifest, by_path, check_listing, limits,
    read_manifest, scanned,
};

/// The refusal of an archive in parts read without all its parts.
pub(crate) fn missing(count: u32) -> Refusal {
    Refusal::new(
        ErrorCode::PartsMissing,
        format!("the archive is one part of {count}; send every part into the same import"),
    )
}

/// What a part's manifest says of it: `None` for an archive that is not in parts (an entcore
/// archive, with no manifest.json, included). Its scan is kept for the import's later readers.
pub(crate) async fn part_of(
    ctx: &Context,
    import_id: &str,
    key: &str,
) -> Result<Option<PartsOf>, Failure> {
    let (source, archive) = scanned(ctx, import_id, key).await?;
    let by_path = by_path(&archive);
    if !by_path.contains_key(MANIFEST_PATH) {
        return Ok(None);
    }
    let (manifest, _) = read_manifest(source.as_ref(), &by_path).await?;
    Ok(manifest.parts)
}

pub(crate) async fn open(ctx: &Context, import: &Import) -> Result<Opened, Failure> {
    let count = import.parts_count.and_then(|c| u32::try_from(c).ok()).unwrap_or(0);
    let id = import.id.clone();
    let rows = ctx.db.run(move |conn| part_rows::list(conn, &id)).await?;
    let mut accepted: Vec<(u32, String)> = rows
        .into_iter()
        .filter_map(|r| Some((u32::try_from(r.part?).ok()?, r.object_key)))
        .collect();
    accepted.sort_unstable();
    if accepted.len() != count as usize {
        return Err(missing(count).into());
    }
    let limits = limits(ctx);
    let mut joined = Joined::new();
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    let mut signed = Vec::new();
    let mut total = 0_u64;
    let mut first: Option<Manifest> = None;
    for (number, key) in accepted {
        let (source, archive) = scanned(ctx, &import.id, &key).await?;
        let by_path = by_path(&archive);
        let (mut manifest, bytes) = read_manifest(source.as_ref(), &by_path).await?;
        let parts = manifest.parts.as_ref();
        if parts.is_none_or(|p| p.part != number || Some(&p.set) != import.parts_set.as_ref()) {
            return Err(Refusal::new(
                ErrorCode::PartOfAnotherExport,
                format!("part {number} is no longer the part the analysis accepted"),
            )
            .into());
        }
        check_listing(&manifest, &by_path, Some(number))?;
        let mut signature = by_path.get(SIGNATURE_PATH).map(|e| (*e).clone());
        drop(by_path);
        let start = joined.push(source);
        if let Some(entry) = signature.as_mut() {
            entry.data_offset += start;
        }
        signed.push(SignedManifest { bytes, signature });
        total = total.saturating_add(archive.total_uncompressed);
        for mut entry in archive.entries {
            if seen.insert(entry.path.clone()) {
                entry.data_offset += start;
                entries.push(entry);
            }
        }
        let own = std::mem::take(&mut manifest.files).into_iter();
        files.extend(own.filter(|f| f.part == Some(number) && seen_file(&mut seen, &f.path)));
        match &mut first {
            None => first = Some(manifest),
            // The last part closes the export: its apps carry the outcomes as they turned out.
            Some(merged) if number == count => merged.apps = manifest.apps,
            Some(_) => {}
        }
    }
    if total > limits.max_total_uncompressed {
        return Err(Refusal::new(
            ErrorCode::TotalSizeExceeded,
            format!("the parts hold more than {} bytes", limits.max_total_uncompressed),
        )
        .into());
    }
    if entries.len() as u64 > limits.max_entries {
        return Err(Refusal::new(
            ErrorCode::TooManyEntries,
            format!("the parts hold more than {} entries", limits.max_entries),
        )
        .into());
    }
    let Some(mut manifest) = first else { return Err(missing(count).into()) };
    manifest.files = files;
    let archive =
        ScannedArchive { entries, total_uncompressed: total, central_directory_offset: 0 };
    Ok(Opened { source: Box::new(joined), archive, contents: Contents::Ours { manifest, signed } })
}

/// Whether a file's path is listed for the first time among the parts' own files (a root file
/// such as SHA256SUMS is in every part). Entries and files share the set with a prefix, so one
/// set serves both.
fn seen_file(seen: &mut HashSet<String>, path: &str) -> bool {
    seen.insert(format!("\u{0}{path}"))
}
