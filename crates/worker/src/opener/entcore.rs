//! Archives made by entcore ENTs (ONE, NEO, Edifice): one top folder `<epoch-millis>_<userId>`
//! holding `Manifest.json` and a folder per module. The scanner has checked the zip as for
//! any archive; this reads the manifest, finds each module's folder, and judges the modules.
//! What each of our apps takes of them is the import's (`crate::import::entcore`). Rules in
//! `shared::entcore`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::apps::WORKSPACE_APP;
use mesdonnees_shared::entcore::{self, MANIFEST_FILE, ManifestModule, SIGNATURE_FILE};
use mesdonnees_shared::imports::{Analysis, FoundModule, Warning, judge_modules};

use mesdonnees_zip::RangeSource;
use mesdonnees_zip::scan::{ScannedArchive, ScannedEntry};

use super::{Failure, Opened, Refusal, read_small};

/// What an entcore archive's manifest says it holds, its folders found.
pub(crate) struct EntcoreArchive {
    /// The top folder, `<epoch-millis>_<userId>`, with its slash.
    pub top: String,
    created_at: DateTime<Utc>,
    owner: String,
    modules: Vec<Module>,
}

pub(crate) struct Module {
    pub manifest: ManifestModule,
    /// The module's folder as shown: the manifest's, the translated name found in the
    /// archive, or the first name it could have had.
    pub folder: String,
    /// Whether its files are in the archive under `folder`; an older manifest's module whose
    /// folder was not found has none.
    present: bool,
}

impl EntcoreArchive {
    pub(crate) fn prefix(&self, module: &Module) -> String {
        format!("{}{}/", self.top, module.folder)
    }

    /// The files of a module, with their paths in its folder.
    pub(crate) fn files<'e>(
        &self,
        archive: &'e ScannedArchive,
        module: &Module,
    ) -> impl Iterator<Item = (&'e ScannedEntry, String)> {
        let prefix = self.prefix(module);
        let present = module.present;
        archive.entries.iter().filter(move |e| present && !e.is_dir).filter_map(move |e| {
            e.path.strip_prefix(&prefix).map(|relative| (e, relative.to_owned()))
        })
    }

    pub(crate) fn module_for(&self, app: &str, ctx: &Context) -> Option<&Module> {
        let manifests: Vec<ManifestModule> =
            self.modules.iter().map(|m| m.manifest.clone()).collect();
        let chosen = entcore::module_for_app(&manifests, app, &ctx.apps())?;
        self.modules.iter().find(|m| m.manifest.name == chosen.name)
    }
}

/// The archive's `<folder>/Manifest.json`, when it is an entcore archive; two of them make an
/// archive nobody can read one way.
pub(crate) fn manifest_entry(archive: &ScannedArchive) -> Result<Option<&ScannedEntry>, Refusal> {
    let mut found = archive.entries.iter().filter(|e| {
        !e.is_dir && e.path.split_once('/').is_some_and(|(_, rest)| rest == MANIFEST_FILE)
    });
    let first = found.next();
    if found.next().is_some() {
        return Err(Refusal::new(
            ErrorCode::UnsupportedFormat,
            "the archive holds several entcore archives, each with its Manifest.json",
        ));
    }
    Ok(first)
}

/// Reads Manifest.json (bounded) and finds each module's folder.
pub(crate) async fn read(
    ctx: &Context,
    source: &dyn RangeSource,
    archive: &ScannedArchive,
    manifest: &ScannedEntry,
) -> Result<EntcoreArchive, Failure> {
    let bytes = read_small(source, manifest, entcore::MAX_MANIFEST_BYTES).await?;
    let modules = entcore::parse_manifest(&bytes)
        .map_err(|e| Refusal::new(ErrorCode::InvalidManifest, e.to_string()))?;
    // `manifest_entry` found it one level down: `<top>/Manifest.json`.
    let top_name = manifest.path.split_once('/').map_or("", |(top, _)| top);
    let top = format!("{top_name}/");
    // The folders under the top one, by folded name, for an older manifest's translated names.
    let mut present: HashMap<String, String> = HashMap::new();
    for entry in &archive.entries {
        let Some(rest) = entry.path.strip_prefix(&top) else { continue };
        if let Some((folder, _)) = rest.split_once('/').or(entry.is_dir.then_some((rest, ""))) {
            present.entry(entcore::fold(folder)).or_insert_with(|| folder.to_owned());
        }
    }
    let catalogue = ctx.apps();
    let mut claimed = HashSet::new();
    let modules = modules
        .into_iter()
        .map(|module| {
            let (folder, found) = locate(&module, &present, &claimed, &catalogue);
            if found {
                claimed.insert(entcore::fold(&folder));
            }
            Module { manifest: module, folder, present: found }
        })
        .collect();
    let (created, owner) = entcore::top_folder(top_name);
    Ok(EntcoreArchive {
        top,
        created_at: created.or(manifest.modified).unwrap_or_else(Utc::now),
        owner: owner.to_owned(),
        modules,
    })
}

/// A module's folder, and whether the archive has it: the manifest's, or in an older manifest
/// the first of its translated names found and not taken by another module (two modules may
/// share a name, such as two homework books), else the first name it could have had.
fn locate(
    module: &ManifestModule,
    present: &HashMap<String, String>,
    claimed: &HashSet<String>,
    catalogue: &[mesdonnees_shared::apps::AppDescriptor],
) -> (String, bool) {
    if let Some(folder) = &module.folder {
        return (folder.clone(), present.contains_key(&entcore::fold(folder)));
    }
    let app = entcore::app_for_module(&module.name, catalogue);
    let candidates = entcore::folder_candidates(&module.name, app);
    let found = candidates.iter().find_map(|c| {
        let folded = entcore::fold(c);
        present.get(&folded).filter(|_| !claimed.contains(&folded)).cloned()
    });
    match found {
        Some(folder) => (folder, true),
        None => (candidates.into_iter().next().unwrap_or_default(), false),
    }
}

/// The analysis: each module judged, its files counted (for the workspace, the documents an
/// import takes: not its index, not its trash).
pub(crate) fn analysis(
    ctx: &Context,
    opened: &Opened,
    archive: &EntcoreArchive,
    rights: &[String],
    quota_left: u64,
) -> Analysis {
    let found: Vec<FoundModule> = archive
        .modules
        .iter()
        .map(|module| {
            let workspace = entcore::builtin_app(&module.manifest.name) == Some(WORKSPACE_APP);
            let (entries, bytes) = archive
                .files(&opened.archive, module)
                .filter(|(_, relative)| !workspace || is_document(relative, &module.folder))
                .fold((0, 0_u64), |(n, b), (e, _)| (n + 1, b.saturating_add(e.uncompressed_size)));
            FoundModule {
                name: module.manifest.name.clone(),
                version: module.manifest.version.clone(),
                folder: module.folder.clone(),
                entries,
                bytes,
            }
        })
        .collect();
    let apps = judge_modules(&found, &ctx.apps(), rights, Some(quota_left));
    let top = archive.top.trim_end_matches('/');
    let mut analysis = Analysis::of_entcore(top, archive.created_at, &archive.owner, &found, apps);
    let prefixes: Vec<String> =
        archive.modules.iter().filter(|m| m.present).map(|m| archive.prefix(m)).collect();
    let own =
        [format!("{}{MANIFEST_FILE}", archive.top), format!("{}{SIGNATURE_FILE}", archive.top)];
    let unlisted = opened
        .archive
        .entries
        .iter()
        .filter(|e| !e.is_dir && !own.contains(&e.path))
        .filter(|e| !prefixes.iter().any(|p| e.path.starts_with(p.as_str())))
        .count();
    if unlisted > 0 {
        analysis.warnings.push(Warning::new(
            ErrorCode::UnlistedFiles.as_str(),
            format!(
                "{unlisted} files of the archive are in no folder of a module its Manifest.json \
                 names: they are not imported"
            ),
        ));
    }
    analysis
}

/// Whether a file of the workspace folder is a document to import: not the index, not in the
/// trash.
pub(crate) fn is_document(relative: &str, folder: &str) -> bool {
    relative != folder && !relative.split('/').next().is_some_and(entcore::is_trash)
}
