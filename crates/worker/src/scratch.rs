//! The worker's scratch folder, `<data_dir>/tmp`: tables written before their upload, and the
//! temporary files of the xlsx writer. A process killed mid-job leaves its files there; the
//! periodic cleanup removes those that nothing has written to for a day. Age, not ownership,
//! tells them apart, because several workers may share the folder: a live job writes its file
//! as it goes, and no job runs for a day.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use mesdonnees_infra::Config;

/// Files untouched for this long belong to no running job.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 3600);

pub fn dir(config: &Config) -> PathBuf {
    config.data_dir.join("tmp")
}

/// Removes the files of `dir` last modified before `now - older_than`; how many it removed.
/// A missing folder holds nothing to remove.
pub fn sweep(dir: &Path, now: SystemTime, older_than: Duration) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_file() && remove_if_abandoned(&entry.path(), &meta, now, older_than)? {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Removes the file at `path` when it was last modified before `now - older_than`; whether it
/// did. A file gone meanwhile (removed by its own job, or by another worker's sweep) is not
/// an error.
pub(crate) fn remove_if_abandoned(
    path: &Path,
    meta: &std::fs::Metadata,
    now: SystemTime,
    older_than: Duration,
) -> std::io::Result<bool> {
    let abandoned = meta
        .modified()
        .ok()
        .and_then(|at| now.duration_since(at).ok())
        .is_some_and(|age| age >= older_than);
    if !abandoned {
        return Ok(false);
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// [`sweep`] of the configured folder, off the async threads.
pub async fn sweep_once(config: &Config) -> std::io::Result<usize> {
    let dir = dir(config);
    let removed =
        tokio::task::spawn_blocking(move || sweep(&dir, SystemTime::now(), ABANDONED_AFTER))
            .await
            .map_err(std::io::Error::other)??;
    if removed > 0 {
        tracing::info!(removed, "abandoned scratch files removed");
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_untouched_for_long_enough_are_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = SystemTime::now();
        let old = dir.path().join("table-old.xlsx");
        let fresh = dir.path().join("table-fresh.csv");
        std::fs::write(&old, b"left by a killed worker").expect("write");
        std::fs::write(&fresh, b"being written").expect("write");
        std::fs::File::options()
            .write(true)
            .open(&old)
            .expect("open")
            .set_modified(now - ABANDONED_AFTER - Duration::from_secs(60))
            .expect("age it");
        std::fs::create_dir(dir.path().join("a-folder")).expect("folder");

        assert_eq!(sweep(dir.path(), now, ABANDONED_AFTER).expect("sweep"), 1);
        assert!(!old.exists());
        assert!(fresh.exists(), "a file written recently is a running job's");
        assert!(dir.path().join("a-folder").is_dir(), "folders are left alone");
        assert_eq!(sweep(&dir.path().join("missing"), now, ABANDONED_AFTER).expect("sweep"), 0);
    }
}
