//! What the object store must do for exports and imports, on whichever store the suite runs:
//! an upload given up leaves nothing behind, and an archive is read back by ranged reads.

use std::collections::HashMap;

use futures_util::{StreamExt, TryStreamExt};
use mesdonnees_shared::archive::Manifest;
use mesdonnees_tests::TestApp;
use mesdonnees_worker::import::StoreSource;
use mesdonnees_zip::scan::{ScanLimits, open_entry, scan};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::exports::{file, start_export, wait_export};
use crate::{content, folder};

const MIB: usize = 1024 * 1024;

/// Bytes no compressor shrinks, so that the archive is as large as its files.
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

async fn keys_under(store: &dyn ObjectStore, prefix: &str) -> Vec<String> {
    let prefix = Path::from(prefix);
    let listed: Vec<_> = store.list(Some(&prefix)).try_collect().await.expect("list the store");
    listed.into_iter().map(|meta| meta.location.to_string()).collect()
}

#[tokio::test]
async fn an_export_failing_mid_upload_leaves_no_archive_and_no_open_upload() {
    let app = TestApp::spawn_with(|config| {
        config.documents.max_upload_bytes = 4 * MIB as u64;
        config.limits.user_quota_bytes = 32 * MIB as u64;
        // The failure is final at once instead of being retried with a growing delay.
        config.queue.max_attempts = 1;
    })
    .await;
    // What is checked at the end sees open uploads: one opened here shows, and goes once aborted.
    let probe = Path::from("exports/probe.zip");
    let mut upload = app.ctx.storage.store.put_multipart(&probe).await.expect("open an upload");
    assert_eq!(app.pending_uploads(), vec![probe.to_string()]);
    upload.abort().await.expect("abort the upload");
    assert_eq!(app.pending_uploads(), Vec::<String>::new());

    // Entries are written by name. Ten incompressible MiB come first, past the upload's
    // 8 MiB part, so the archive is a multipart upload by the time the last file breaks it;
    // the 1 MiB file closes the read-ahead batch, so the broken file's error is not raised
    // before the files ahead of it are written.
    for (name, seed) in [("a1.bin", 1), ("a2.bin", 2), ("a3.bin", 3)] {
        file(&app, "alice", name, &noise(3 * MIB, seed), None).await;
    }
    file(&app, "alice", "m.bin", &noise(MIB, 4), None).await;
    let broken = file(&app, "alice", "z.txt", b"small", None).await;
    // Larger in the store than its row says: reading it is an error of the store, which fails
    // the export (a missing file would only make its app incomplete).
    app.ctx
        .storage
        .store
        .put(&Path::from(format!("documents/{broken}")), vec![b'x'; 4096].into())
        .await
        .expect("replace the object");

    let created = start_export(&app, "alice", json!({})).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let export = wait_export(&app, "alice", &id).await;
    assert_eq!(export["status"], "failed", "{export}");
    let archive = Path::from(format!("exports/{id}.zip"));
    let head = app.ctx.storage.store.head(&archive).await;
    assert!(matches!(head, Err(object_store::Error::NotFound { .. })), "{head:?}");
    assert_eq!(keys_under(app.ctx.storage.store.as_ref(), "exports").await, Vec::<String>::new());
    assert_eq!(app.pending_uploads(), Vec::<String>::new(), "an upload was left open");
    app.stop().await;
}

#[tokio::test]
async fn an_exported_archive_is_scanned_through_ranged_reads_of_the_store() {
    let app =
        TestApp::spawn_with(|config| config.documents.max_upload_bytes = 4 * MIB as u64).await;
    let classe = folder(&app, "alice", "Classe", None).await;
    let texte = "Une fable, deux fables\n".repeat(2000).into_bytes();
    file(&app, "alice", "fables.txt", &texte, Some(&classe)).await;
    file(&app, "alice", "photo.jpg", &noise(2 * MIB + 3, 7), None).await;
    file(&app, "alice", "cours.odt", &content(70_000, 9), Some(&classe)).await;
    let created = start_export(&app, "alice", json!({"name": "À relire"})).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let export = wait_export(&app, "alice", &id).await;
    assert_eq!(export["status"], "ready", "{export}");

    let source =
        StoreSource::open(app.ctx.storage.store.clone(), Path::from(format!("exports/{id}.zip")))
            .await
            .expect("the archive is in the store");
    assert_eq!(export["size"], source.size);
    let scanned = scan(&source, &ScanLimits::default()).await.expect("the archive passes the scan");
    let mut contents = HashMap::new();
    for entry in scanned.entries.iter().filter(|entry| !entry.is_dir) {
        let chunks: Vec<_> =
            open_entry(&source, entry).try_collect().await.expect("the entry reads back");
        contents.insert(entry.path.clone(), chunks.concat());
    }
    let manifest: Manifest =
        serde_json::from_slice(&contents["manifest.json"]).expect("the manifest");
    assert_eq!(manifest.archive_id, id);
    for listed in &manifest.files {
        let data = contents.get(&listed.path).unwrap_or_else(|| panic!("{} not read", listed.path));
        assert_eq!(hex::encode(Sha256::digest(data)), listed.sha256, "{}", listed.path);
    }
    assert_eq!(contents["Documents/Mes documents/Classe/fables.txt"], texte);
    assert_eq!(contents["Documents/Mes documents/photo.jpg"], noise(2 * MIB + 3, 7));

    // The same reads fail cleanly once the object is gone.
    app.ctx.storage.store.delete(&source.path).await.expect("delete the archive");
    let error = scan(&source, &ScanLimits::default()).await.expect_err("no archive left");
    assert_eq!(error.code(), "archive_unreadable");
    let photo = scanned
        .entries
        .iter()
        .find(|entry| entry.path == "Documents/Mes documents/photo.jpg")
        .expect("the photo's entry");
    let mut stream = open_entry(&source, photo);
    assert!(stream.next().await.is_some_and(|chunk| chunk.is_err()));
    app.stop().await;
}
