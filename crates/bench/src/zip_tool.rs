//! The `zip` side of the comparison, and the page-cache warm-up both sides get before they are
//! timed, so neither pays for a cold disk the other does not.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};

/// One timed `zip` run.
#[derive(Debug, Clone)]
pub struct ZipRun {
    pub command: String,
    pub wall: Duration,
    pub archive_bytes: u64,
}

/// Times `zip -r -q` (with `-0` when `store_only`) run inside `tree`, writing `out` (outside
/// the tree). An existing `out` is removed first: zip would update it instead of writing it.
pub fn run_zip(tree: &Path, out: &Path, store_only: bool) -> Result<ZipRun> {
    if out.exists() {
        fs::remove_file(out).with_context(|| format!("removing {}", out.display()))?;
    }
    let flags: &[&str] = if store_only { &["-0", "-r", "-q"] } else { &["-r", "-q"] };
    let started = Instant::now();
    let status = Command::new("zip")
        .args(flags)
        .arg(out)
        .arg(".")
        .current_dir(tree)
        .stdin(Stdio::null())
        .status()
        .context("running zip (is it installed?)")?;
    let wall = started.elapsed();
    ensure!(status.success(), "zip failed ({status})");
    let archive_bytes = fs::metadata(out).with_context(|| format!("reading {}", out.display()))?;
    Ok(ZipRun {
        command: format!("zip {}", flags.join(" ")),
        wall,
        archive_bytes: archive_bytes.len(),
    })
}

/// Reads every file under `dir` (or the file `dir` names) once, so that the timed run finds
/// them in the page cache. Returns the bytes read.
pub fn warm(dir: &Path) -> Result<u64> {
    let mut buf = vec![0_u8; 1024 * 1024];
    if dir.is_file() {
        return read_through(dir, &mut buf);
    }
    let mut total = 0;
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                pending.push(path);
                continue;
            }
            total += read_through(&path, &mut buf)?;
        }
    }
    Ok(total)
}

fn read_through(path: &Path, buf: &mut [u8]) -> Result<u64> {
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut total = 0;
    loop {
        let n = file.read(buf)?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
    }
}

/// Writes dirty pages back (`sync`), so that the corpus just generated or the archive just
/// written does not flush to disk during the next timed run.
pub fn settle() -> Result<()> {
    let status = Command::new("sync").status().context("running sync")?;
    ensure!(status.success(), "sync failed ({status})");
    Ok(())
}

/// Whether the archive reads back with `unzip -t` (every CRC checked): a fast archive that does
/// not open is not a result. `false` when `unzip` is not installed (nothing checked).
pub fn check_archive(path: &Path) -> Result<bool> {
    let status = match Command::new("unzip").arg("-tqq").arg(path).stdin(Stdio::null()).status() {
        Ok(status) => status,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e).context("running unzip -t"),
    };
    if !status.success() {
        bail!("unzip -t rejects {} ({status})", path.display());
    }
    Ok(true)
}

/// The viewer's pages in an archive, as its manifest lists them.
#[derive(Debug, Clone)]
pub struct ViewerPages {
    pub count: u64,
    pub largest_bytes: u64,
    pub largest_path: String,
}

/// The archive's viewer pages (`None` when it has none), read from its manifest with `unzip -p`.
pub fn viewer_pages(archive: &Path) -> Result<Option<ViewerPages>> {
    use mesdonnees_shared::archive::FileKind;
    let manifest = manifest(archive)?;
    let mut pages: Option<ViewerPages> = None;
    for file in manifest.files.iter().filter(|f| f.kind == Some(FileKind::Viewer)) {
        let seen = pages.get_or_insert_with(|| ViewerPages {
            count: 0,
            largest_bytes: 0,
            largest_path: String::new(),
        });
        seen.count += 1;
        if file.size > seen.largest_bytes {
            seen.largest_bytes = file.size;
            seen.largest_path.clone_from(&file.path);
        }
    }
    Ok(pages)
}

/// The archive's manifest, read with `unzip -p`.
pub fn manifest(archive: &Path) -> Result<mesdonnees_shared::archive::Manifest> {
    use mesdonnees_shared::archive::MANIFEST_PATH;
    let output = Command::new("unzip")
        .arg("-p")
        .arg(archive)
        .arg(MANIFEST_PATH)
        .stdin(Stdio::null())
        .output()
        .context("running unzip -p")?;
    ensure!(output.status.success(), "unzip -p {MANIFEST_PATH} failed ({})", output.status);
    serde_json::from_slice(&output.stdout).context("reading the archive's manifest")
}
