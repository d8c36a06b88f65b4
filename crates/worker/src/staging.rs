//! Staging files of a local store: `<key>#<n>`, an object being written — by the store's own
//! multipart upload (documents, import uploads, imported files) or by an export's sink. A
//! process killed mid-write leaves them, listings do not show them, and a later write of the
//! same key does not always come: the periodic cleanup removes those untouched for
//! `storage.abandoned_staging_after_secs`. Age tells them from a live write, which touches its
//! file at least once per part; a file removed under a live write only fails that write.
//!
//! The walk reads every folder of the store, so it runs at most every quarter of that age.

use std::path::Path;
use std::time::{Duration, SystemTime};

use mesdonnees_infra::Context;

use crate::scratch::remove_if_abandoned;

/// Removes the staging files below `root` last modified before `now - older_than`; how many.
pub fn sweep(root: &Path, now: SystemTime, older_than: Duration) -> std::io::Result<usize> {
    let mut removed = 0;
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            // Removed meanwhile (an emptied folder), or a store not written to yet.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let meta = entry.metadata()?;
            if meta.is_dir() {
                folders.push(entry.path());
            } else if meta.is_file()
                && entry.file_name().to_str().is_some_and(|name| name.contains('#'))
                && remove_if_abandoned(&entry.path(), &meta, now, older_than)?
            {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// How long between two sweeps of a store whose staging files are abandoned after `age`.
pub fn interval(age: Duration) -> Duration {
    age / 4
}

/// [`sweep`] of the configured local store, off the async threads; nothing for S3, whose
/// unfinished multipart uploads a bucket's lifecycle rule removes.
pub async fn sweep_once(ctx: &Context) -> std::io::Result<usize> {
    let Some(root) = ctx.storage.local_root.clone() else { return Ok(0) };
    let age = Duration::from_secs(ctx.config.storage.abandoned_staging_after_secs);
    let removed = tokio::task::spawn_blocking(move || sweep(&root, SystemTime::now(), age))
        .await
        .map_err(std::io::Error::other)??;
    if removed > 0 {
        tracing::info!(removed, "abandoned staging files removed from the store");
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_staging_files_untouched_for_long_enough_are_removed() {
        let root = tempfile::tempdir().expect("tempdir");
        let now = SystemTime::now();
        let age = Duration::from_secs(3600);
        let folder = root.path().join("documents").join("alice");
        std::fs::create_dir_all(&folder).expect("folders");
        let object = folder.join("d1");
        let old = folder.join("d2#3");
        let live = folder.join("d3#1");
        for path in [&object, &old, &live] {
            std::fs::write(path, b"bytes").expect("write");
        }
        for path in [&object, &old] {
            std::fs::File::options()
                .write(true)
                .open(path)
                .expect("open")
                .set_modified(now - age - Duration::from_secs(60))
                .expect("age it");
        }

        assert_eq!(sweep(root.path(), now, age).expect("sweep"), 1);
        assert!(!old.exists(), "an abandoned staging file goes");
        assert!(object.exists(), "an object stays, however old");
        assert!(live.exists(), "a staging file written recently is a live write's");
        assert_eq!(sweep(&root.path().join("missing"), now, age).expect("sweep"), 0);
    }
}
