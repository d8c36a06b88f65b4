//! An export written in parts: each part a complete zip that opens on its own, published as
//! soon as it is finished. What every part must say — the file list of the whole export, with
//! the part that holds each file — is known only once every app has said what it exports, so
//! the job first drains the apps' streams into a plan (`spill`: the entries themselves, on
//! disk, and the file list), decides each entry's part (`planner`), then writes the parts from
//! the plan. Memory stays flat: the plan is on disk, and what is held per part is a switch
//! point.
//!
//! A part's manifest lists every file of the export; the files of other parts carry their part
//! and size, and an empty `sha256` (their own part's manifest gives it). A rerun writes the
//! parts again under a new `parts.set`, after removing those an earlier attempt published, so
//! parts of two writings never make one import.
//!
//! Pitfall: that rerun starts over from part 1, so a worker killed while writing the last part
//! of a large export costs the whole export again, and a client that was downloading a part
//! of the earlier attempt sees it vanish. Resuming after the last published part would need the
//! plan (the spill files in the scratch folder) and the set to outlive the attempt; not done.

mod planner;
mod spill;

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::path::PathBuf;

use futures_util::StreamExt;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::apps::AppDescriptor;
use mesdonnees_shared::archive::{AppOutcome, ManifestApp, ManifestFile, Piece, piece_path};
use mesdonnees_shared::entry_name::sanitize_segment;

use crate::apps::{AppEntry, PreparedExport};
pub use planner::Place;
use planner::Planner;

/// What the plan says, for the writing.
pub struct Plan {
    /// Each entry whose part is not the one before it, or that is cut, by its number among
    /// all the entries written (from 0).
    pub switches: VecDeque<(u64, Place)>,
    pub parts: u32,
    /// The file list of the whole export, one JSON line per file.
    pub listing: PathBuf,
    /// The apps whose stream failed while planned, with why.
    pub failures: BTreeMap<String, (ErrorCode, String)>,
    /// Scratch files to remove once the export is written.
    pub scratch: Vec<PathBuf>,
    /// Every app as planned, for the manifests of the parts closed before the last (which has
    /// the outcomes as they turned out).
    pub apps: BTreeMap<String, ManifestApp>,
}

/// Drains every app's entries into the plan; each app's stream is then its spill read back.
pub async fn plan(
    prepared: &mut [(AppDescriptor, PreparedExport)],
    part_size: u64,
    scratch: &std::path::Path,
) -> std::io::Result<Plan> {
    tokio::fs::create_dir_all(scratch).await?;
    let stem = mesdonnees_shared::JobId::new().to_string();
    let listing_path = scratch.join(format!("parts-{stem}.jsonl"));
    let mut listing = std::io::BufWriter::new(std::fs::File::create(&listing_path)?);
    let mut planner = Planner::new(part_size);
    let mut switches = VecDeque::new();
    let mut failures = BTreeMap::new();
    let mut files = Vec::new();
    let mut apps = BTreeMap::new();
    let (mut seq, mut last_part) = (0_u64, 1_u32);
    for (n, (descriptor, p)) in prepared.iter_mut().enumerate() {
        let folder = sanitize_segment(&descriptor.display_name);
        let (mut entries_count, mut bytes) = (0_u64, 0_u64);
        let path = scratch.join(format!("parts-{stem}-{n}.spill"));
        let mut spill = spill::EntrySpill::create(&path).await?;
        let mut entries = std::mem::replace(&mut p.entries, futures_util::stream::empty().boxed());
        while let Some(entry) = entries.next().await {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    failures.insert(descriptor.id.clone(), (e.code, e.message));
                    break;
                }
            };
            let (size, file) = match &entry {
                AppEntry::Directory { .. } => (0, None),
                AppEntry::Prepared { path, data, json, .. } => (data.size, Some((path, *json))),
                AppEntry::Object { path, size, .. } => (*size, Some((path, false))),
            };
            let place = planner.place(size);
            if let Some((path, json)) = file {
                entries_count += 1;
                bytes += size;
                let file = ManifestFile {
                    path: format!("{folder}/{path}"),
                    app: descriptor.id.clone(),
                    size,
                    sha256: String::new(),
                    kind: json.then_some(mesdonnees_shared::archive::FileKind::Json),
                    part: None,
                    piece: None,
                };
                list(&mut listing, &file, &place)?;
            }
            match &place {
                Place::Whole(part) if *part == last_part => {}
                Place::Whole(part) => {
                    last_part = *part;
                    switches.push_back((seq, place.clone()));
                }
                Place::Cut(pieces) => {
                    last_part = pieces.last().map_or(last_part, |&(part, _)| part);
                    switches.push_back((seq, place.clone()));
                }
            }
            spill.push(&entry).await?;
            seq += 1;
        }
        spill.finish().await?;
        let outcome = match failures.get(&descriptor.id) {
            Some((code, message)) => {
                AppOutcome::Failed { code: code.as_str().to_owned(), message: message.clone() }
            }
            None => AppOutcome::Ok,
        };
        apps.insert(
            descriptor.id.clone(),
            ManifestApp {
                version: descriptor.version,
                folder,
                entries: entries_count,
                bytes,
                outcome,
            },
        );
        p.entries = spill::replay(path.clone());
        files.push(path);
    }
    listing.flush()?;
    Ok(Plan {
        switches,
        parts: planner.parts(),
        listing: listing_path,
        failures,
        scratch: files,
        apps,
    })
}

/// A file's line(s) in the list of the whole export: one per piece when it is cut.
fn list(out: &mut impl Write, file: &ManifestFile, place: &Place) -> std::io::Result<()> {
    match place {
        Place::Whole(part) => {
            let listed = ManifestFile { part: Some(*part), ..file.clone() };
            serde_json::to_writer(&mut *out, &listed)?;
            out.write_all(b"\n")
        }
        Place::Cut(pieces) => {
            let count = u32::try_from(pieces.len()).unwrap_or(u32::MAX);
            for (index, &(part, len)) in (1..).zip(pieces) {
                let listed = ManifestFile {
                    path: piece_path(&file.path, index),
                    size: len,
                    part: Some(part),
                    piece: Some(Piece { of: file.path.clone(), index, count }),
                    ..file.clone()
                };
                serde_json::to_writer(&mut *out, &listed)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
    }
}

/// The files of the whole export's list that other parts than `part` hold, for its manifest.
pub fn others(
    listing: &std::path::Path,
    part: u32,
) -> std::io::Result<impl Iterator<Item = std::io::Result<ManifestFile>>> {
    use std::io::BufRead;
    let reader = std::io::BufReader::new(std::fs::File::open(listing)?);
    Ok(reader.lines().filter_map(move |line| {
        let file = line
            .and_then(|l| serde_json::from_str::<ManifestFile>(&l).map_err(std::io::Error::other));
        match file {
            Ok(f) if f.part == Some(part) => None,
            other => Some(other),
        }
    }))
}
