//! A worker cut short in the middle of an export (killed with SIGKILL, or stopped with SIGTERM
//! and a short grace period) or of an import (SIGKILL): once the service is back, the job
//! completes, once, and nothing is left half written or written twice.

use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use mesdonnees_tests::{eventually, free_addr, local_staging_files};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::process::{Api, PATIENCE, Process, mint, scrambled, serve, stored_files};

/// Test-sized timings, then `env` on top.
fn start(data: &Path, addr: SocketAddr, env: &[(&str, &str)]) -> Process {
    let mut all = vec![
        ("MESDONNEES__DOCUMENTS__MAX_UPLOAD_BYTES", "8388608"),
        ("MESDONNEES__QUEUE__HEARTBEAT_SECS", "1"),
        ("MESDONNEES__QUEUE__STALE_AFTER_SECS", "3"),
        ("MESDONNEES__QUEUE__RECONCILE_INTERVAL_SECS", "1"),
        ("MESDONNEES__EXPORTS__PROGRESS_INTERVAL_MS", "10"),
        ("MESDONNEES__EXPORTS__CLEANUP_INTERVAL_SECS", "1"),
        ("MESDONNEES__STORAGE__ABANDONED_STAGING_AFTER_SECS", "5"),
    ];
    all.extend_from_slice(env);
    serve(data, addr, &all, Stdio::null())
}

/// Waits until the periodic cleanup has removed every staging file the cut left in the store.
async fn no_staging_left(data: &Path) {
    let root = data.join("objects");
    eventually(PATIENCE, "no staging file left in the store", || async {
        local_staging_files(&root).is_empty().then_some(())
    })
    .await;
}

/// Leaves a staging file as a process killed in the middle of a write does (one is not always
/// left by the kill of the test, which may fall between two writes), for the cleanup to find.
fn leave_staging_file(data: &Path) {
    let folder = data.join("objects").join("documents").join("cut");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("d1#4"), b"half a file").expect("staging file");
}

/// An export under way on a fresh service: what it must hold, and where to follow it.
struct Underway {
    server: Process,
    api: Api,
    id: String,
    originals: Vec<(String, Vec<u8>)>,
}

/// Starts `serve` with `env`, uploads enough data that the export is still running when it is
/// cut, starts the export and waits until some of it is written.
async fn export_underway(data: &Path, addr: SocketAddr, env: &[(&str, &str)]) -> Underway {
    let server = start(data, addr, env);
    let api = Api::ready(data, addr, "alice", "Alice").await;
    let originals = upload_pieces(&api).await;
    let created = api.post_json("/api/v1/exports", &json!({"name": "coupé"}), 202).await;
    let id = created["id"].as_str().expect("id").to_owned();
    under_way(&api, &format!("/api/v1/exports/{id}")).await;
    Underway { server, api, id, originals }
}

/// Waits until the job at `path` runs and has written two of its files.
async fn under_way(api: &Api, path: &str) {
    eventually(PATIENCE, "the job under way", || async {
        let job = api.get_json(path).await?;
        (job["status"] == "running" && job["progress"]["files_done"].as_i64().unwrap_or(0) >= 2)
            .then_some(())
    })
    .await;
}

/// 24 documents of 4 MiB: enough that a job over them is still running when it is cut.
async fn upload_pieces(api: &Api) -> Vec<(String, Vec<u8>)> {
    let mut originals = Vec::new();
    for i in 0..24_u8 {
        let bytes = scrambled(4 * 1024 * 1024, i);
        api.upload(&format!("piece-{i:02}.bin"), bytes.clone()).await;
        originals.push((format!("Documents/Mes documents/piece-{i:02}.bin"), bytes));
    }
    originals
}

/// The archive of the export `id`.
async fn download(api: &Api, id: &str) -> Vec<u8> {
    let url = api.url(&format!("/api/v1/exports/{id}/download"));
    let response = api.client.get(url).bearer_auth(&api.bearer).send().await;
    response.expect("download").bytes().await.expect("bytes").to_vec()
}

impl Underway {
    /// Starts the service again on the same data and checks the export completes, once, with
    /// every byte.
    async fn completes_once_after_restart(
        self,
        data: &Path,
        addr: SocketAddr,
        env: &[(&str, &str)],
    ) {
        let Underway { server, api, id, originals } = self;
        drop(server);
        leave_staging_file(data);
        let server = start(data, addr, env);
        let ready = api.finished_export(&id).await;
        assert_eq!(ready["status"], "ready", "{ready}");

        // Exactly one archive, no staging file of the cut attempt.
        assert_eq!(stored_files(data, "exports"), vec![format!("{id}.zip")]);
        assert_eq!(api.notifications_of("export_ready").await, 1, "announced once");
        no_staging_left(data).await;

        let bytes = download(&api, &id).await;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        for (path, original) in &originals {
            let mut entry = archive.by_name(path).expect("entry");
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("read");
            assert!(data == *original, "{path} differs");
        }
        drop(server);
    }
}

#[tokio::test]
async fn an_export_cut_by_sigkill_completes_once_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let addr = free_addr();
    let mut underway = export_underway(&data, addr, &[]).await;
    underway.server.kill();
    underway.completes_once_after_restart(&data, addr, &[]).await;
}

#[tokio::test]
async fn an_export_cut_by_sigterm_is_handed_back_and_completes_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let addr = free_addr();
    // A heartbeat that goes stale only after the test's own timeout: the next process can take
    // the job over only if the stopping one handed it back.
    let env = [
        ("MESDONNEES__QUEUE__SHUTDOWN_GRACE_SECS", "1"),
        ("MESDONNEES__QUEUE__STALE_AFTER_SECS", "600"),
    ];
    let mut underway = export_underway(&data, addr, &env).await;
    let sent = Instant::now();
    underway.server.sigterm();
    let status = underway.server.exited(Duration::from_secs(60)).await;
    assert!(status.success(), "SIGTERM ends serve with status 0, got {status}");
    assert!(sent.elapsed() < Duration::from_secs(20), "stopped in {:?}", sent.elapsed());
    let left = stored_files(&data, "exports");
    assert!(left.is_empty(), "left behind: {left:?}");
    underway.completes_once_after_restart(&data, addr, &env).await;
}

#[tokio::test]
async fn an_import_cut_by_sigkill_finishes_after_restart_without_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let addr = free_addr();
    let mut server = start(&data, addr, &[]);
    let alice = Api::ready(&data, addr, "alice", "Alice").await;
    let originals = upload_pieces(&alice).await;
    let export = alice.post_json("/api/v1/exports", &json!({}), 202).await;
    let export_id = export["id"].as_str().expect("id").to_owned();
    let ready = alice.finished_export(&export_id).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    let archive = download(&alice, &export_id).await;

    let bob = alice.as_user(mint(&data, "bob", "Bob"));
    let created = bob.upload_to("/api/v1/imports", "alice.zip", archive, 202).await;
    let path = format!("/api/v1/imports/{}", created["id"].as_str().expect("id"));
    eventually(PATIENCE, "analysed", || async {
        (bob.status(&path).await? == "analysed").then_some(())
    })
    .await;
    let apps = json!({"apps": ["workspace"]});
    let launched = bob.post_json(&format!("{path}/launch"), &apps, 202).await;
    assert_eq!(launched["status"], "queued", "{launched}");
    under_way(&bob, &path).await;
    server.kill();
    drop(server);

    let server = start(&data, addr, &[]);
    let done = eventually(PATIENCE, "import done after restart", || async {
        let import = bob.get_json(&path).await?;
        matches!(import["status"].as_str(), Some("done" | "failed")).then_some(import)
    })
    .await;
    assert_eq!(done["status"], "done", "{done}");
    let report = &done["report"]["apps"]["workspace"];
    // 24 files and the "Mes documents" folder, each once.
    assert_eq!(report["imported"], 25, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    // Alice's 24 objects and Bob's 24: a redone entry rewrote its own object, no orphan. A
    // file cut by the kill stays as the local store's staging file (`<key>#<n>`), which no
    // listing shows, until the cleanup finds it abandoned.
    no_staging_left(&data).await;
    let names = stored_files(&data, "documents");
    assert_eq!(names.len(), 48, "{names:?}");

    let root = bob.get_json("/api/v1/documents").await.expect("root");
    let folder = root["items"][0]["id"].as_str().expect("import folder").to_owned();
    let inside =
        bob.get_json(&format!("/api/v1/documents?folder_id={folder}")).await.expect("list");
    let mine = inside["items"][0]["id"].as_str().expect("Mes documents").to_owned();
    let files = bob
        .get_json(&format!("/api/v1/documents?folder_id={mine}&per_page=100"))
        .await
        .expect("list");
    let files = files["items"].as_array().expect("items");
    assert_eq!(files.len(), 24);
    for (archive_path, original) in &originals {
        let name = archive_path.rsplit('/').next().expect("name");
        let file =
            files.iter().find(|f| f["name"] == name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(file["sha256"], hex::encode(Sha256::digest(original)), "{name}");
    }
    drop(server);
}
