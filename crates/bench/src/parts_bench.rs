//! The side of `export --part-size`: the same corpus exported in parts, timed like the export
//! in one archive and alternating with it. Each part must pass `unzip -t` on its own, and the
//! parts together must hold every file of the corpus: each file listed by the part its
//! manifest names, a file cut across parts by all its pieces.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail, ensure};
use mesdonnees_infra::Context;
use mesdonnees_shared::archive::{Manifest, OWN_DOCUMENTS};
use tokio::runtime::Runtime;

use crate::corpus::{Generated, Spec};
use crate::report::OurRun;
use crate::{child, setup, zip_tool};

/// One timed export in parts.
pub struct PartsRun {
    /// `archive_bytes` is the size of all the parts.
    pub run: OurRun,
    pub parts: usize,
    /// Whether `unzip` checked every part and the files they hold.
    pub checked: bool,
}

/// What the export in parts is asked for, and what it must hold.
pub struct PartsSide<'a> {
    pub part_size: u64,
    pub generated: &'a Generated,
    pub viewer: bool,
}

/// Exports the corpus in parts in a child process, from a warm page cache, then checks the
/// parts and removes them unless kept.
pub fn time_export(
    runtime: &Runtime,
    ctx: &Context,
    (objects, data_dir): (&Path, &Path),
    spec: &Spec,
    side: &PartsSide<'_>,
    keep: bool,
) -> Result<PartsRun> {
    let name = format!("Corpus {} en parties", spec.label());
    let export_id = runtime.block_on(setup::create_export(ctx, name, Some(side.part_size)))?;
    zip_tool::settle()?;
    zip_tool::warm(&objects.join("documents"))?;
    let (export, process) = child::spawn_export(data_dir, &export_id, side.viewer)?;
    runtime.block_on(setup::finished_archive(ctx, &export_id))?;
    let parts = runtime.block_on(setup::finished_parts(ctx, &export_id))?;
    let mut total = 0;
    for (key, size) in &parts {
        let on_disk = fs::metadata(objects.join(key)).with_context(|| format!("reading {key}"))?;
        ensure!(on_disk.len() == *size, "the part row and the part {key} disagree on its size");
        total += size;
    }
    let paths: Vec<_> = parts.iter().map(|(key, _)| objects.join(key)).collect();
    let checked = check_parts(&paths, side.generated)?;
    if !keep {
        for path in &paths {
            fs::remove_file(path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    let run = OurRun { export, process, archive_bytes: total };
    Ok(PartsRun { run, parts: parts.len(), checked })
}

/// Every part passes `unzip -t`, and the corpus's files are all in the parts: `false` when
/// `unzip` is not installed (nothing checked).
fn check_parts(parts: &[std::path::PathBuf], generated: &Generated) -> Result<bool> {
    for part in parts {
        if !zip_tool::check_archive(part)? {
            return Ok(false);
        }
    }
    let mut held = Held::default();
    for (n, part) in (1_u32..).zip(parts) {
        let manifest = zip_tool::manifest(part)?;
        let entries = entry_names(part)?;
        held.add_part(n, &manifest, &entries)
            .with_context(|| format!("part {n} ({})", part.display()))?;
    }
    let (files, bytes) = held.whole()?;
    ensure!(
        files == generated.files && bytes == generated.bytes,
        "the parts hold {files} files ({bytes} bytes) of the corpus's {} ({} bytes)",
        generated.files,
        generated.bytes
    );
    Ok(true)
}

/// The corpus's files found in the parts so far.
#[derive(Default)]
struct Held {
    whole: BTreeSet<String>,
    bytes: u64,
    /// A file cut across parts: its pieces' numbers found, their count, their bytes.
    pieces: BTreeMap<String, (BTreeSet<u32>, u32, u64)>,
}

impl Held {
    /// The corpus's files (the owner's own documents, in the workspace app's folder) that
    /// `manifest` says this part holds, each checked to be an entry of it.
    fn add_part(
        &mut self,
        part: u32,
        manifest: &Manifest,
        entries: &BTreeSet<String>,
    ) -> Result<()> {
        let app = manifest.apps.get("workspace").context("no workspace app in the manifest")?;
        let documents = format!("{}/{OWN_DOCUMENTS}/", app.folder);
        let ours = manifest.files.iter().filter(|f| {
            f.app == "workspace"
                && f.kind.is_none()
                && f.part == Some(part)
                && f.path.starts_with(&documents)
        });
        for file in ours {
            ensure!(entries.contains(&file.path), "{} is listed but not in the zip", file.path);
            if let Some(piece) = &file.piece {
                let seen = self.pieces.entry(piece.of.clone()).or_insert((
                    BTreeSet::new(),
                    piece.count,
                    0,
                ));
                ensure!(seen.0.insert(piece.index), "piece {} twice", file.path);
                seen.2 += file.size;
            } else {
                ensure!(self.whole.insert(file.path.clone()), "{} twice", file.path);
                self.bytes += file.size;
            }
        }
        Ok(())
    }

    /// Files and bytes held, once every cut file is checked to have all its pieces.
    fn whole(&self) -> Result<(u64, u64)> {
        let mut bytes = self.bytes;
        for (of, (found, count, size)) in &self.pieces {
            if found.iter().copied().ne(1..=*count) {
                bail!("{of} has pieces {found:?} of {count}");
            }
            bytes += size;
        }
        Ok(((self.whole.len() + self.pieces.len()) as u64, bytes))
    }
}

/// The names of a zip's entries, read by `unzip -Z1`.
fn entry_names(archive: &Path) -> Result<BTreeSet<String>> {
    let output = Command::new("unzip")
        .arg("-Z1")
        .arg(archive)
        .stdin(Stdio::null())
        .output()
        .context("running unzip -Z1")?;
    ensure!(output.status.success(), "unzip -Z1 {} failed ({})", archive.display(), output.status);
    Ok(String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect())
}
