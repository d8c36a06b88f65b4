//! An entcore ENT's archive as our apps' importers take it: the workspace gets the documents
//! of its module with their original names, a declared app the files of the module it lists.
//! Reading the foreign archive itself is the opener's (`crate::opener::entcore`); this maps its
//! modules onto our apps, which is the import's choice, not the format's.

use std::collections::{HashMap, HashSet};

use mesdonnees_infra::Context;
use mesdonnees_infra::apps::RemoteAppConfig;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::apps::WORKSPACE_APP;
use mesdonnees_shared::archive::FileKind;
use mesdonnees_shared::connector::ImportOrigin;
use mesdonnees_shared::entcore::{self, DOCUMENTS_FOLDER, IndexDocument};

use crate::apps::remote::RemotePart;
use crate::apps::workspace::{Known, MAX_METADATA_BYTES, WorkspacePart};
use crate::opener::entcore::EntcoreArchive;
use crate::opener::{Failure, Opened, Refusal, read_small};

/// The workspace's part: documents with the names, types and dates of the folder's index
/// (matched by `localArchivePath`), else their file names without what entcore added; no
/// checksums (entcore has none: the hash computed while copying is kept); the trash left out.
pub(crate) async fn workspace_part<'a>(
    ctx: &Context,
    opened: &'a Opened,
    archive: &EntcoreArchive,
) -> Result<Option<WorkspacePart<'a>>, Failure> {
    let Some(module) = archive.module_for(WORKSPACE_APP, ctx) else { return Ok(None) };
    let prefix = archive.prefix(module);
    let index_path = format!("{}{}", archive.top, entcore::index_file(&module.folder));
    let mut known = HashMap::new();
    if let Some(entry) = opened.archive.entries.iter().find(|e| e.path == index_path && !e.is_dir) {
        let bytes = read_small(opened.source.as_ref(), entry, MAX_METADATA_BYTES).await?;
        let documents: Vec<IndexDocument> = serde_json::from_slice(&bytes).map_err(|e| {
            Refusal::new(
                ErrorCode::InvalidMetadata,
                format!("the workspace index is not valid: {e}"),
            )
        })?;
        for document in documents {
            let (Some(local), Some(name)) = (&document.local_archive_path, document.name) else {
                continue;
            };
            let relative = entcore::relative_archive_path(local, &module.folder);
            let known_document = Known {
                name,
                content_type: document.metadata.and_then(|m| m.content_type),
                modified: document.modified.as_deref().and_then(entcore::parse_date),
            };
            known.insert(relative, known_document);
        }
    }
    let paths: HashSet<&str> = opened.archive.entries.iter().map(|e| e.path.as_str()).collect();
    for (_, relative) in archive.files(&opened.archive, module) {
        if known.contains_key(&relative) {
            continue;
        }
        let (parent, segment) = relative.rsplit_once('/').map_or(("", relative.as_str()), |p| p);
        let beside = |plain: &str| {
            let sibling =
                if parent.is_empty() { plain.to_owned() } else { format!("{parent}/{plain}") };
            paths.contains(format!("{prefix}{sibling}").as_str())
        };
        let name = entcore::original_name(segment, beside);
        if name != segment {
            known.insert(relative, Known { name, content_type: None, modified: None });
        }
    }
    let left_out = opened
        .archive
        .entries
        .iter()
        .filter_map(|e| e.path.strip_prefix(&prefix))
        .filter_map(|relative| relative.split('/').next())
        .filter(|first| entcore::is_trash(first))
        .map(str::to_owned)
        .collect();
    Ok(Some(WorkspacePart {
        prefix,
        known,
        checksums: None,
        metadata_file: module.folder.clone(),
        left_out,
        pieces: HashMap::new(),
        whole_sha256: HashMap::new(),
    }))
}

/// A declared app's part: the files of the module it lists, JSON resources (no extension, and
/// SQL apps' `schema.table` files) as data, the documents under `Documents/` as files; `begin`
/// names the module.
pub(crate) fn remote_part<'a>(
    ctx: &Context,
    opened: &'a Opened,
    archive: &EntcoreArchive,
    app: &RemoteAppConfig,
) -> Option<RemotePart<'a>> {
    let module = archive.module_for(&app.id, ctx)?;
    let documents = format!("{DOCUMENTS_FOLDER}/");
    let listed = archive
        .files(&opened.archive, module)
        .map(|(entry, relative)| {
            let kind = (!relative.starts_with(&documents)).then_some(FileKind::Json);
            (entry.path.as_str(), (None, kind))
        })
        .collect();
    Some(RemotePart {
        prefix: archive.prefix(module),
        version: app.version,
        origin: Some(ImportOrigin {
            format: entcore::FORMAT.to_owned(),
            module: module.manifest.name.clone(),
            version: module.manifest.version.clone(),
        }),
        listed,
    })
}
