//! The two generated corpora, written file by file (never a whole corpus in memory) twice: as
//! objects of the local store, where the export reads them, and as a plain folder tree, where
//! `zip` reads them. Both copies hold the same bytes.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::NaiveDateTime;
use mesdonnees_db::{DocumentKind, NewDocument};
use mesdonnees_shared::DocumentId;
use sha2::{Digest, Sha256};

use crate::json_doc;
use crate::num::{to_f64, to_u64};
use crate::rng::Rng;

/// Owner of every generated document and of the export.
pub const OWNER: &str = "bench";
/// Rows inserted per transaction.
const BATCH_ROWS: usize = 2_000;
/// Write size of incompressible files: small, so generation memory stays flat.
const CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// 2,000 incompressible files of log-normal sizes (median ~100 KB, ~400 MB).
    A,
    /// 20,000 small JSON files of application data (~4 KB each, ~85 MB).
    B,
}

/// What one corpus holds at a given scale.
#[derive(Debug, Clone)]
pub struct Spec {
    pub kind: Kind,
    pub files: usize,
    pub folders: usize,
    /// Bytes aimed at; corpus B lands a little above (a JSON document ends on a whole word).
    pub target_bytes: u64,
    /// How many times the base corpus this is: some targets depend on it.
    pub scale: f64,
}

impl Spec {
    /// Scale multiplies the file count; the size distribution stays the same.
    pub fn new(kind: Kind, scale: f64) -> Self {
        let (files, folders, bytes) = match kind {
            Kind::A => (2_000.0, 40, 400_000_000.0),
            Kind::B => (20_000.0, 100, 85_000_000.0),
        };
        Self {
            kind,
            files: usize::try_from(to_u64(files * scale).max(1)).unwrap_or(usize::MAX),
            folders,
            target_bytes: to_u64(bytes * scale).max(1),
            scale,
        }
    }

    pub fn label(&self) -> &'static str {
        match self.kind {
            Kind::A => "A",
            Kind::B => "B",
        }
    }

    pub fn content_type(&self) -> &'static str {
        match self.kind {
            Kind::A => "application/octet-stream",
            Kind::B => "application/json",
        }
    }

    fn seed(&self) -> u64 {
        match self.kind {
            Kind::A => 0x00C0_FFEE_0000_000A,
            Kind::B => 0x00C0_FFEE_0000_000B,
        }
    }

    /// Spread of the log-normal sizes. For A, σ² = 2·ln 2 makes the mean twice the median
    /// (200 KB and ~100 KB); B's small documents vary less.
    fn sigma(&self) -> f64 {
        match self.kind {
            Kind::A => (2.0 * std::f64::consts::LN_2).sqrt(),
            Kind::B => 0.5,
        }
    }

    fn file_name(&self, index: usize) -> String {
        let width = (self.files.saturating_sub(1)).to_string().len();
        match self.kind {
            Kind::A => format!("fichier-{index:0w$}.bin", w = width.max(4)),
            Kind::B => format!("doc-{index:0w$}.json", w = width.max(5)),
        }
    }
}

fn folder_name(index: usize) -> String {
    format!("dossier-{index:02}")
}

/// What was written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Generated {
    pub files: u64,
    pub bytes: u64,
}

/// Writes the corpus under `objects/documents/<id>` and `tree/dossier-NN/<name>`, and hands the
/// matching `documents` rows to `sink` a batch at a time, folders first (files point at them).
pub fn generate(
    spec: &Spec,
    objects: &Path,
    tree: &Path,
    sink: &mut dyn FnMut(Vec<NewDocument>) -> Result<()>,
) -> Result<Generated> {
    let now = mesdonnees_db::models::now();
    fs::create_dir_all(objects.join("documents"))
        .with_context(|| format!("creating {}", objects.display()))?;
    let folder_ids = folders(spec, tree, now, sink)?;
    let mut rng = Rng::new(spec.seed());
    let sizes = target_sizes(spec, &mut rng);
    let mut chunk = vec![0_u8; CHUNK];
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut generated = Generated::default();
    for (index, &size) in sizes.iter().enumerate() {
        let folder = index % spec.folders;
        let name = spec.file_name(index);
        let id = DocumentId::new().to_string();
        let key = format!("documents/{id}");
        let mut out =
            TwinWriter::create(objects.join(&key), tree.join(folder_name(folder)).join(&name))?;
        match spec.kind {
            Kind::A => write_random(&mut rng, size, &mut chunk, &mut out)?,
            Kind::B => {
                let target = usize::try_from(size).unwrap_or(usize::MAX);
                out.write(&json_doc::document(&mut rng, index, target)?)?;
            }
        }
        let (len, sha256) = out.finish();
        generated.files += 1;
        generated.bytes += len;
        batch.push(NewDocument {
            id,
            owner_id: OWNER.to_owned(),
            parent_id: Some(folder_ids[folder].clone()),
            kind: DocumentKind::File.as_str().to_owned(),
            name,
            object_key: Some(key),
            content_type: Some(spec.content_type().to_owned()),
            size: i64::try_from(len).context("file size")?,
            sha256: Some(sha256),
            created_at: now,
            updated_at: now,
        });
        if batch.len() >= BATCH_ROWS {
            sink(std::mem::take(&mut batch))?;
        }
    }
    if !batch.is_empty() {
        sink(batch)?;
    }
    Ok(generated)
}

/// Creates the folders in the tree and as rows; returns their ids by index.
fn folders(
    spec: &Spec,
    tree: &Path,
    now: NaiveDateTime,
    sink: &mut dyn FnMut(Vec<NewDocument>) -> Result<()>,
) -> Result<Vec<String>> {
    let mut rows = Vec::with_capacity(spec.folders);
    for index in 0..spec.folders {
        let name = folder_name(index);
        let dir = tree.join(&name);
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        rows.push(NewDocument {
            id: DocumentId::new().to_string(),
            owner_id: OWNER.to_owned(),
            parent_id: None,
            kind: DocumentKind::Folder.as_str().to_owned(),
            name,
            object_key: None,
            content_type: None,
            size: 0,
            sha256: None,
            created_at: now,
            updated_at: now,
        });
    }
    let ids = rows.iter().map(|row| row.id.clone()).collect();
    sink(rows)?;
    Ok(ids)
}

/// Log-normal sizes scaled so that they add up to the target.
fn target_sizes(spec: &Spec, rng: &mut Rng) -> Vec<u64> {
    let sigma = spec.sigma();
    let raw: Vec<f64> = (0..spec.files).map(|_| (sigma * rng.normal()).exp()).collect();
    let per_unit = to_f64(spec.target_bytes) / raw.iter().sum::<f64>();
    raw.iter().map(|r| to_u64(r * per_unit).max(1)).collect()
}

fn write_random(rng: &mut Rng, size: u64, chunk: &mut [u8], out: &mut TwinWriter) -> Result<()> {
    let mut left = size;
    while left > 0 {
        let n = usize::try_from(left).unwrap_or(usize::MAX).min(chunk.len());
        rng.fill(&mut chunk[..n]);
        out.write(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// Writes the same bytes to the object and to its copy in the tree, hashing them on the way.
struct TwinWriter {
    object: File,
    copy: File,
    paths: (PathBuf, PathBuf),
    hasher: Sha256,
    len: u64,
}

impl TwinWriter {
    fn create(object: PathBuf, copy: PathBuf) -> Result<Self> {
        Ok(Self {
            object: File::create(&object)
                .with_context(|| format!("creating {}", object.display()))?,
            copy: File::create(&copy).with_context(|| format!("creating {}", copy.display()))?,
            paths: (object, copy),
            hasher: Sha256::new(),
            len: 0,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.object
            .write_all(bytes)
            .with_context(|| format!("writing {}", self.paths.0.display()))?;
        self.copy
            .write_all(bytes)
            .with_context(|| format!("writing {}", self.paths.1.display()))?;
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Length and SHA-256 (hex) of what was written.
    fn finish(self) -> (u64, String) {
        (self.len, hex::encode(self.hasher.finalize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_add_up_and_keep_their_median() {
        let spec = Spec::new(Kind::A, 1.0);
        let mut sizes = target_sizes(&spec, &mut Rng::new(spec.seed()));
        assert_eq!(sizes.len(), 2_000);
        let total: u64 = sizes.iter().sum();
        assert!(total.abs_diff(400_000_000) < 10_000, "{total}");
        sizes.sort_unstable();
        let median = sizes[sizes.len() / 2];
        assert!((70_000..140_000).contains(&median), "{median}");
    }

    #[test]
    fn scale_multiplies_the_file_count() {
        let spec = Spec::new(Kind::B, 0.01);
        assert_eq!(spec.files, 200);
        assert_eq!(spec.target_bytes, 850_000);
        assert_eq!(spec.file_name(7), "doc-00007.json");
        assert_eq!(Spec::new(Kind::A, 1.0).file_name(123), "fichier-0123.bin");
    }
}
