//! The `workspace` app's part of an import: its folder of the archive becomes a new folder
//! `Import du <date>` at the root of the importer's documents, tree kept; every document
//! becomes the importer's, shares are not carried over. Names come from the archive's metadata
//! (workspace.json, or an entcore archive's index: the originals, before the archive made them
//! safe), contents are hashed while they stream into the store and checked against the
//! manifest's SHA-256 when the format carries one, and the quota is enforced as it goes. What
//! differs between formats is gathered first into a [`WorkspacePart`]; the import itself is
//! one code path.
//!
//! Files are copied several at once within a budget of bytes (`imports.copy_bytes_in_flight`,
//! each file charged what its copy may hold), not a count: a thousand small files run wide, a
//! few large ones do not add up past the budget. Names, folders and the quota are decided in
//! archive order before a copy starts; the rows are recorded as copies end, in any order,
//! which changes nothing for a new attempt (it skips the paths recorded).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use mesdonnees_db::models::now;
use mesdonnees_db::{DocumentKind, Import, ImportItem, NewDocument, documents, imports};
use mesdonnees_infra::Context;
use mesdonnees_shared::DocumentName;
use mesdonnees_shared::apps::WORKSPACE_APP;
use mesdonnees_shared::archive::{Manifest, Piece, piece_path};
use mesdonnees_shared::derived::document_id;
use mesdonnees_shared::entry_name::{TakenNames, sanitize_segment};
use mesdonnees_shared::imports::ItemOutcome;
use mesdonnees_shared::media_type;
use mesdonnees_shared::{ErrorCode, Lang};
use object_store::path::Path;
use serde::Deserialize;

use mesdonnees_zip::scan::ScannedEntry;

use crate::apps::{ImportJob, Progress};
use crate::opener::{
    Failure, Opened, Refusal, Stored, copy_charge, read_small, store_entry, store_pieces,
};

/// Largest workspace.json, or entcore workspace index, read (about 350 bytes per document).
pub(crate) const MAX_METADATA_BYTES: u64 = 128 * 1024 * 1024;
#[derive(Deserialize)]
struct Metadata {
    documents: Vec<MetadataEntry>,
}

#[derive(Deserialize)]
struct MetadataEntry {
    path: String,
    name: String,
    content_type: Option<String>,
    modified_at: Option<DateTime<Utc>>,
    #[serde(default)]
    sha256: Option<String>,
}

/// What the archive's metadata says of one document, by its path in the app folder.
pub(crate) struct Known {
    pub name: String,
    pub content_type: Option<String>,
    pub modified: Option<DateTime<Utc>>,
}

/// The workspace's part of an archive, whatever format wrote it.
pub(crate) struct WorkspacePart<'a> {
    /// The app's folder in the archive, with its slash.
    pub prefix: String,
    /// What the metadata says of each document and folder, by path in the app folder.
    pub known: HashMap<String, Known>,
    /// The SHA-256 the manifest gives each file, by archive path; `None` for a format that
    /// carries none (entcore), whose files are kept with the hash computed while copying.
    pub checksums: Option<HashMap<&'a str, &'a str>>,
    /// The metadata file, by path in the app folder: not a document.
    pub metadata_file: String,
    /// First-level sub-folders left out (entcore's trash): their files are recorded `skipped`.
    pub left_out: HashSet<String>,
    /// The pieces of files cut across parts (archive in parts), by the piece's archive path.
    pub pieces: HashMap<&'a str, &'a Piece>,
    /// The SHA-256 the metadata gives each file cut across parts, by its archive path: the
    /// file put together is checked against it.
    pub whole_sha256: HashMap<String, String>,
}

impl WorkspacePart<'_> {
    /// Whether a path of the app folder lies in a folder left out.
    fn is_left_out(&self, relative: &str) -> bool {
        let first = relative.split('/').next().unwrap_or_default();
        self.left_out.contains(first)
    }
}

/// The workspace's part of a v1 archive: names and dates from workspace.json, checksums from
/// the manifest. `None` when the archive has no workspace.
pub(crate) async fn part_of_manifest<'a>(
    opened: &Opened,
    manifest: &'a Manifest,
) -> Result<Option<WorkspacePart<'a>>, Failure> {
    let Some(app) = manifest.apps.get(WORKSPACE_APP) else { return Ok(None) };
    let prefix = format!("{}/", app.folder);
    let pieces: HashMap<&str, &Piece> = manifest
        .files
        .iter()
        .filter(|f| f.app == WORKSPACE_APP)
        .filter_map(|f| Some((f.path.as_str(), f.piece.as_ref()?)))
        .collect();
    let cut: HashSet<&str> = pieces.values().map(|p| p.of.as_str()).collect();
    let (known, whole_sha256) = read_metadata(opened, &prefix, &cut).await?;
    let checksums = manifest
        .files
        .iter()
        .filter(|f| f.app == WORKSPACE_APP)
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
    Ok(Some(WorkspacePart {
        prefix,
        known,
        checksums: Some(checksums),
        metadata_file: super::METADATA_FILE.to_owned(),
        left_out: HashSet::new(),
        pieces,
        whole_sha256,
    }))
}

/// Files whose rows are written in one transaction: a transaction per file would cost more
/// than a small file's copy. Their objects are written first, under ids derived from the entry,
/// so an attempt cut before the commit rewrites the same objects.
const FILES_PER_COMMIT: usize = 64;

/// Imports the app; returns the name of the folder it went into.
pub(super) async fn import(
    ctx: &Context,
    job: ImportJob<'_, '_>,
    part: &WorkspacePart<'_>,
) -> Result<String, Failure> {
    let ImportJob { import, opened, progress } = job;
    let prefix = part.prefix.as_str();
    let (mut importer, root_name) = Importer::start(ctx, import, part).await?;
    // Files are copied several at a time, so that reading one overlaps writing another.
    let budget = ctx.config.imports.copy_bytes_in_flight;
    let mut in_flight = 0_u64;
    let mut copying = FuturesUnordered::new();
    for entry in &opened.archive.entries {
        if progress.stop_asked {
            // Asked to stop: the files in flight are finished and committed below, nothing
            // else is begun.
            break;
        }
        let Some(relative) = entry.path.strip_prefix(prefix) else { continue };
        if relative.is_empty() || relative == part.metadata_file {
            continue;
        }
        if part.is_left_out(relative) {
            if !entry.is_dir {
                importer.skipped(entry, "the trash of the archive's documents is not imported");
                progress.advance(0).await?;
            }
            continue;
        }
        if entry.is_dir {
            importer.folder(relative.trim_end_matches('/')).await?;
            continue;
        }
        // A file cut across parts is taken whole at its first piece; the others are in it.
        let cut = match part.pieces.get(entry.path.as_str()) {
            Some(piece) if piece.index != 1 => continue,
            Some(piece) => Cut::of(opened, part, piece),
            None => None,
        };
        let (file, relative) = match &cut {
            Some(cut) => {
                let relative = cut.whole.path.strip_prefix(prefix).unwrap_or(relative);
                (Cow::Borrowed(&cut.whole), relative)
            }
            None => (Cow::Borrowed(entry), relative),
        };
        let Some(planned) = importer.plan(&file, relative).await? else {
            progress.advance(0).await?;
            continue;
        };
        // A file the manifest does not list is held to an empty checksum: it cannot match.
        let checksum_of = |path: &str| {
            part.checksums.as_ref().map(|sums| sums.get(path).copied().unwrap_or_default())
        };
        let file = file.into_owned();
        let charge = copy_charge(&file);
        // Room is made first; a file larger than the budget waits until it is alone.
        while !copying.is_empty() && in_flight.saturating_add(charge) > budget {
            if let Some(copied) = copying.next().await {
                in_flight -= importer.copied(progress, copied).await?;
            }
        }
        in_flight += charge;
        copying.push(async move {
            let stored = match &cut {
                Some(cut) => {
                    let pieces: Vec<_> =
                        cut.pieces.iter().map(|p| (*p, checksum_of(p.path.as_str()))).collect();
                    let whole = cut.sha256;
                    store_pieces(ctx, opened, &pieces, whole, &planned.key).await
                }
                None => {
                    store_entry(ctx, opened, entry, &planned.key, checksum_of(&entry.path)).await
                }
            };
            (file, planned, stored, charge)
        });
        if importer.pending.len() >= FILES_PER_COMMIT {
            // The copies in flight go on while the batch commits.
            let batch = std::mem::take(&mut importer.pending);
            let mut ended = Vec::new();
            alongside(commit(ctx, batch), &mut copying, &mut ended).await?;
            for copied in ended {
                in_flight -= importer.copied(progress, copied).await?;
            }
        }
    }
    while let Some(copied) = copying.next().await {
        importer.copied(progress, copied).await?;
    }
    commit(ctx, std::mem::take(&mut importer.pending)).await?;
    Ok(root_name)
}

/// A file's copy ended: the entry, its plan, what became of it, and its charge on the budget.
type Copied = (ScannedEntry, Planned, Result<Stored, Failure>, u64);

/// Runs `work` while the copies in flight go on; those that end meanwhile are put in `ended`.
async fn alongside<T>(
    work: impl Future<Output = T>,
    copying: &mut FuturesUnordered<impl Future<Output = Copied>>,
    ended: &mut Vec<Copied>,
) -> T {
    let mut work = std::pin::pin!(work);
    loop {
        tokio::select! {
            biased;
            out = &mut work => return out,
            Some(copied) = copying.next(), if !copying.is_empty() => ended.push(copied),
        }
    }
}

/// Writes rows of stored files and their items in one transaction.
async fn commit(
    ctx: &Context,
    pending: Vec<(Option<NewDocument>, ImportItem)>,
) -> Result<(), Failure> {
    if pending.is_empty() {
        return Ok(());
    }
    ctx.db
        .transaction(move |conn| {
            for (row, item) in &pending {
                if let Some(row) = row {
                    documents::insert(conn, row)?;
                }
                imports::record_item(conn, item)?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

/// What workspace.json says of each document, and the SHA-256 of those `cut` across parts
/// (by archive path).
async fn read_metadata(
    opened: &Opened,
    prefix: &str,
    cut: &HashSet<&str>,
) -> Result<(HashMap<String, Known>, HashMap<String, String>), Failure> {
    let path = format!("{prefix}{}", super::METADATA_FILE);
    let Some(entry) = opened.archive.entries.iter().find(|e| e.path == path) else {
        return Ok((HashMap::new(), HashMap::new()));
    };
    let bytes = read_small(opened.source.as_ref(), entry, MAX_METADATA_BYTES).await?;
    let metadata: Metadata = serde_json::from_slice(&bytes).map_err(|e| Refusal {
        code: ErrorCode::InvalidMetadata,
        message: format!("{path} is not valid: {e}"),
    })?;
    let mut whole_sha256 = HashMap::new();
    let known = metadata
        .documents
        .into_iter()
        .map(|d| {
            let archive_path = format!("{prefix}{}", d.path);
            if let (true, Some(sha256)) = (cut.contains(archive_path.as_str()), d.sha256) {
                whole_sha256.insert(archive_path, sha256);
            }
            let known =
                Known { name: d.name, content_type: d.content_type, modified: d.modified_at };
            (d.path, known)
        })
        .collect();
    Ok((known, whole_sha256))
}

struct Importer<'a> {
    ctx: &'a Context,
    import: &'a Import,
    /// The app's folder in the archive, with its slash.
    prefix: &'a str,
    known: &'a HashMap<String, Known>,
    /// Entries an earlier attempt recorded, by archive path, with what they became.
    done: HashMap<String, imports::DoneItem>,
    /// Folder ids by path in the app folder ("" is the import's own folder).
    folders: HashMap<String, String>,
    /// Names given in each folder, compared as macOS and Windows do (one folder cannot hold
    /// "A" and "a", nor two spellings of "é").
    names: HashMap<String, TakenNames>,
    quota_left: u64,
    /// Rows of files stored but not yet committed.
    pending: Vec<(Option<NewDocument>, ImportItem)>,
}

impl<'a> Importer<'a> {
    /// The importer of an attempt: what earlier attempts did, the quota left, the import's
    /// own folder (and its name).
    async fn start(
        ctx: &'a Context,
        import: &'a Import,
        part: &'a WorkspacePart<'_>,
    ) -> Result<(Self, String), Failure> {
        let (import_id, owner) = (import.id.clone(), import.owner_id.clone());
        let (done, used) = ctx
            .db
            .run(move |conn| {
                Ok((imports::done_items(conn, &import_id)?, documents::used_bytes(conn, &owner)?))
            })
            .await?;
        let quota_left =
            ctx.config.limits.user_quota_bytes.saturating_sub(u64::try_from(used).unwrap_or(0));
        let mut importer = Importer {
            ctx,
            import,
            prefix: &part.prefix,
            known: &part.known,
            done,
            folders: HashMap::new(),
            names: HashMap::new(),
            quota_left,
            pending: Vec::new(),
        };
        let (root_id, root_name) = importer.root().await?;
        importer.folders.insert(String::new(), root_id);
        importer.names_of_earlier_attempts();
        Ok((importer, root_name))
    }

    /// The import's own folder, made once (its id is derived from the import's, so a new
    /// attempt finds it): "Import du <date>", suffixed when the name is taken.
    async fn root(&mut self) -> Result<(String, String), Failure> {
        let (import_id, owner) = (self.import.id.clone(), self.import.owner_id.clone());
        let zone = self.ctx.config.locale.time_zone;
        let base = format!(
            "Import du {}",
            Lang::Fr.date_time(zone.local(self.import.created_at.and_utc()))
        );
        let found = self
            .ctx
            .db
            .transaction(move |conn| {
                let id = document_id(&import_id, "");
                if let Some(existing) = documents::find(conn, &id)? {
                    return Ok((id, existing.name));
                }
                let (name, _) = documents::free_name(conn, &owner, None, &base)?;
                documents::insert(conn, &NewDocument::folder(&id, &owner, None, &name))?;
                Ok((id, name))
            })
            .await?;
        Ok(found)
    }

    /// The folder at `relative` (and its parents), made unless an earlier attempt made it.
    async fn folder(&mut self, relative: &str) -> Result<String, Failure> {
        if let Some(id) = self.folders.get(relative) {
            return Ok(id.clone());
        }
        let (parent_path, segment) = relative.rsplit_once('/').unwrap_or(("", relative));
        let parent = Box::pin(self.folder(parent_path)).await?;
        let name = name_for(self.known.get(relative), segment);
        let path = format!("{}{relative}", self.prefix);
        if let Some(id) = self.done.get(&path).and_then(|d| d.created_id.clone()) {
            self.folders.insert(relative.to_owned(), id.clone());
            return Ok(id);
        }
        let (name, renamed) = self.claim(&parent, &name);
        let (import_id, owner) = (self.import.id.clone(), self.import.owner_id.clone());
        let id = document_id(&import_id, &path);
        let row = NewDocument::folder(&id, &owner, Some(&parent), &name);
        let item = item(&import_id, &path, "folder", Some(&id), &name, renamed);
        self.ctx
            .db
            .transaction(move |conn| {
                documents::insert(conn, &row)?;
                imports::record_item(conn, &item)?;
                Ok(())
            })
            .await?;
        self.folders.insert(relative.to_owned(), id.clone());
        Ok(id)
    }

    /// The names an earlier attempt gave, claimed again in their folders, so that what this
    /// attempt adds beside them stays unique.
    fn names_of_earlier_attempts(&mut self) {
        for (path, done) in &self.done {
            let (Some(relative), Some(name)) = (path.strip_prefix(self.prefix), &done.final_name)
            else {
                continue;
            };
            let parent_path = relative.rsplit_once('/').map_or("", |(parent, _)| parent);
            let parent = if parent_path.is_empty() {
                self.folders.get("").cloned()
            } else {
                let key = format!("{}{parent_path}", self.prefix);
                self.done.get(&key).and_then(|d| d.created_id.clone())
            };
            if let Some(parent) = parent {
                self.names.entry(parent).or_default().insert(name);
            }
        }
    }

    /// A name in a folder of the import, suffixed when the folder already has it.
    fn claim(&mut self, folder: &str, name: &str) -> (String, bool) {
        let taken = self.names.entry(folder.to_owned()).or_default();
        if taken.insert(name) {
            return (name.to_owned(), false);
        }
        let (stem, extension) = documents::split_extension(name);
        // Every claim takes one name, so at most `taken.len()` candidates can be refused.
        let free = (2..=taken.len() + 2)
            .map(|n| format!("{stem} ({n}){extension}"))
            .find(|candidate| taken.insert(candidate))
            .unwrap_or_else(|| name.to_owned());
        (free, true)
    }

    /// What a file will become, decided before its bytes are copied: its parent folder, its
    /// name, its share of the quota. `None` when it is done already or refused.
    async fn plan(
        &mut self,
        entry: &ScannedEntry,
        relative: &str,
    ) -> Result<Option<Planned>, Failure> {
        if self.done.contains_key(&entry.path) {
            return Ok(None);
        }
        let known_map: &HashMap<String, Known> = self.known;
        let known = known_map.get(relative);
        let (parent_path, segment) = relative.rsplit_once('/').unwrap_or(("", relative));
        let parent = self.folder(parent_path).await?;
        if entry.uncompressed_size > self.quota_left {
            self.failed(entry, ErrorCode::QuotaExceeded, "the file would exceed the storage quota");
            return Ok(None);
        }
        self.quota_left -= entry.uncompressed_size;
        let (name, renamed) = self.claim(&parent, &name_for(known, segment));
        // The archive's word for the type reaches a Content-Type header: checked first.
        let content_type = known
            .and_then(|k| k.content_type.as_deref())
            .and_then(media_type::checked)
            .unwrap_or_else(|| mime_of(&name));
        let at = now();
        let id = document_id(&self.import.id, &entry.path);
        let key = Path::from(format!("documents/{id}"));
        let row = NewDocument {
            id: id.clone(),
            owner_id: self.import.owner_id.clone(),
            parent_id: Some(parent),
            kind: DocumentKind::File.as_str().to_owned(),
            name: name.clone(),
            object_key: Some(key.to_string()),
            content_type: Some(content_type),
            size: i64::try_from(entry.uncompressed_size).unwrap_or(i64::MAX),
            sha256: None,
            created_at: at,
            updated_at: known.and_then(|k| k.modified).map_or(at, |m| m.naive_utc()),
        };
        let item = item(&self.import.id, &entry.path, "file", Some(&id), &name, renamed);
        Ok(Some(Planned { key, row, item }))
    }

    /// Records what became of a planned file once its bytes are in the store (or refused).
    fn stored(&mut self, entry: &ScannedEntry, planned: Planned, stored: Stored) {
        let Planned { mut row, item, .. } = planned;
        match stored {
            Stored::Ok(sha256) => {
                row.sha256 = Some(sha256);
                self.pending.push((Some(row), item));
            }
            Stored::Mismatch => {
                self.quota_left += entry.uncompressed_size;
                let message = "the content does not match the manifest's SHA-256";
                self.failed(entry, ErrorCode::ChecksumMismatch, message);
            }
            Stored::Corrupt(message) => {
                self.quota_left += entry.uncompressed_size;
                self.failed(entry, ErrorCode::EntryCorrupt, &message);
            }
        }
    }

    /// Records a file whose copy ended and counts it in the progress; answers its charge,
    /// which the budget gets back.
    async fn copied(
        &mut self,
        progress: &mut Progress<'_>,
        copied: Copied,
    ) -> Result<u64, Failure> {
        let (entry, planned, stored, charge) = copied;
        self.stored(&entry, planned, stored?);
        progress.advance(entry.uncompressed_size).await?;
        Ok(charge)
    }

    fn failed(&mut self, entry: &ScannedEntry, code: ErrorCode, message: &str) {
        self.not_imported(entry, ItemOutcome::Failed, Some(code.as_str()), message);
    }

    /// A file deliberately left out, recorded so that the report counts it.
    fn skipped(&mut self, entry: &ScannedEntry, message: &str) {
        self.not_imported(entry, ItemOutcome::Skipped, None, message);
    }

    fn not_imported(
        &mut self,
        entry: &ScannedEntry,
        outcome: ItemOutcome,
        code: Option<&str>,
        message: &str,
    ) {
        let mut item = item(&self.import.id, &entry.path, "file", None, "", false);
        item.outcome = outcome.as_str().to_owned();
        item.final_name = None;
        item.error_code = code.map(str::to_owned);
        item.error_message = Some(message.to_owned());
        self.pending.push((None, item));
    }
}

/// A file cut across parts: the whole as one entry (its path, its size the pieces' sum), its
/// pieces in order, and the SHA-256 the metadata gives the whole.
struct Cut<'a> {
    whole: ScannedEntry,
    pieces: Vec<&'a ScannedEntry>,
    sha256: Option<&'a str>,
}

impl<'a> Cut<'a> {
    /// `None` when the first piece is not there (the opener checked that every file listed is).
    fn of(opened: &'a Opened, part: &'a WorkspacePart<'_>, first: &Piece) -> Option<Self> {
        let pieces: Vec<&ScannedEntry> = (1..=first.count)
            .filter_map(|index| {
                let path = piece_path(&first.of, index);
                opened.archive.entries.iter().find(|e| e.path == path)
            })
            .collect();
        let size = pieces.iter().map(|p| p.uncompressed_size).sum();
        let template = (*pieces.first()?).clone();
        let whole = ScannedEntry { path: first.of.clone(), uncompressed_size: size, ..template };
        let sha256 = part.whole_sha256.get(&first.of).map(String::as_str);
        Some(Self { whole, pieces, sha256 })
    }
}

/// A file ready to be copied: where its bytes go, and its rows once they are there.
struct Planned {
    key: Path,
    row: NewDocument,
    item: ImportItem,
}

/// The name to give: the original from workspace.json when it is a valid name, else the
/// archive's own, held to the same rules.
fn name_for(known: Option<&Known>, segment: &str) -> String {
    known
        .and_then(|k| DocumentName::parse(&k.name).ok())
        .or_else(|| DocumentName::parse(segment).ok())
        .map_or_else(|| sanitize_segment(segment), DocumentName::into_string)
}

fn mime_of(name: &str) -> String {
    mime_guess::from_path(name).first_or_octet_stream().essence_str().to_owned()
}

fn item(
    import_id: &str,
    path: &str,
    kind: &str,
    id: Option<&str>,
    name: &str,
    renamed: bool,
) -> ImportItem {
    let outcome = if renamed { ItemOutcome::Renamed } else { ItemOutcome::Imported };
    ImportItem {
        import_id: import_id.to_owned(),
        path: path.to_owned(),
        app: WORKSPACE_APP.to_owned(),
        kind: kind.to_owned(),
        created_id: id.map(str::to_owned),
        outcome: outcome.as_str().to_owned(),
        final_name: Some(name.to_owned()),
        error_code: None,
        error_message: None,
    }
}
