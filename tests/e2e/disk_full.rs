//! A full disk: an upload is answered `507 insufficient_storage` and keeps nothing, an export
//! ends `failed` with that code, and the service goes on once there is room again.

use std::time::Duration;

use futures_util::TryStreamExt;
use mesdonnees_tests::full_disk::DiskSwitch;
use mesdonnees_tests::{TestApp, eventually};
use object_store::ObjectStore;
use serde_json::json;

use crate::imports::zip_of;
use crate::{assert_problem, content, json_ok, upload};

/// Keys of every object in the store.
async fn objects(app: &TestApp) -> Vec<String> {
    let listed: Vec<_> = app.ctx.storage.store.list(None).try_collect().await.expect("list");
    listed.into_iter().map(|meta| meta.location.to_string()).collect()
}

async fn total(app: &TestApp, path: &str) -> u64 {
    let page = json_ok(app.get(path, "alice").send().await.expect("list"), 200).await;
    page["total"].as_u64().expect("total")
}

#[tokio::test]
async fn a_full_disk_answers_507_keeps_nothing_and_the_service_goes_on() {
    let disk = DiskSwitch::default();
    // Large enough for an upload of several parts (8 MiB each).
    let app = TestApp::spawn_on_fullable_store(&disk, |config| {
        config.documents.max_upload_bytes = 12 * 1024 * 1024;
        config.imports.max_upload_bytes = 12 * 1024 * 1024;
        config.limits.user_quota_bytes = 64 * 1024 * 1024;
    })
    .await;
    json_ok(upload(&app, "alice", "avant.txt", content(1000, 1), None).await, 201).await;
    let kept = objects(&app).await;
    assert_eq!(kept.len(), 1, "{kept:?}");

    disk.fill();
    // Written in one piece at the end, and in parts as it streams.
    for (name, len) in [("petit.txt", 1000), ("grand.bin", 9 * 1024 * 1024)] {
        let response = upload(&app, "alice", name, content(len, 2), None).await;
        assert_problem(response, 507, "insufficient_storage").await;
    }
    let archive = zip_of(&[("a.txt", b"contenu")]);
    let response = app
        .post("/api/v1/imports", "alice")
        .header("content-type", "application/zip")
        .body(archive.clone())
        .send()
        .await
        .expect("import upload");
    assert_problem(response, 507, "insufficient_storage").await;
    // Nothing kept: no row, no object, no staging file.
    assert_eq!(total(&app, "/api/v1/documents").await, 1);
    assert_eq!(total(&app, "/api/v1/imports").await, 0);
    assert_eq!(objects(&app).await, kept);
    assert!(app.pending_uploads().is_empty(), "{:?}", app.pending_uploads());

    // An export cannot write its archive: it ends failed, with the code, not retried forever.
    let created = app.post("/api/v1/exports", "alice").json(&json!({})).send().await;
    let id = json_ok(created.expect("export"), 202).await["id"].as_str().expect("id").to_owned();
    let ended = eventually(Duration::from_secs(60), "export ended", || async {
        let path = format!("/api/v1/exports/{id}");
        let export = json_ok(app.get(&path, "alice").send().await.expect("get"), 200).await;
        matches!(export["status"].as_str(), Some("failed" | "ready")).then_some(export)
    })
    .await;
    assert_eq!(ended["status"], "failed", "{ended}");
    assert_eq!(ended["error"]["code"], "insufficient_storage", "{ended}");
    assert_eq!(objects(&app).await, kept);

    // Room again: the same process takes uploads as before.
    disk.free();
    json_ok(upload(&app, "alice", "après.txt", content(1000, 3), None).await, 201).await;
    let response = app
        .post("/api/v1/imports", "alice")
        .header("content-type", "application/zip")
        .body(archive)
        .send()
        .await
        .expect("import upload");
    json_ok(response, 202).await;
    app.stop().await;
}
