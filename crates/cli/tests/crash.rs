//! A worker cut short in the middle of an export (killed with SIGKILL, or stopped with SIGTERM
//! and a short grace period) or of an import (SIGKILL): once the service is back, the job
//! completes, once, and nothing is left half written or written twice.

mod support;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;
use sha2::{Digest, Sha256};
use support::{Api, Server, free_port, mint, serve, wait_until};

/// Test-sized timings, then `env` on top.
fn start(data: &Path, port: u16, env: &[(&str, &str)]) -> Server {
    let mut all = vec![
        ("MESDONNEES__DOCUMENTS__MAX_UPLOAD_BYTES", "8388608"),
        ("MESDONNEES__QUEUE__HEARTBEAT_SECS", "1"),
        ("MESDONNEES__QUEUE__STALE_AFTER_SECS", "3"),
        ("MESDONNEES__QUEUE__RECONCILE_INTERVAL_SECS", "1"),
        ("MESDONNEES__EXPORTS__PROGRESS_INTERVAL_MS", "10"),
    ];
    all.extend_from_slice(env);
    serve(data, port, &all, Stdio::null())
}

/// Files of the archive's folder, staging files of a multipart upload included.
fn archive_files(data: &Path) -> Vec<String> {
    let dir = data.join("objects").join("exports");
    std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// An export under way on a fresh service: what it must hold, and where to follow it.
struct Underway {
    server: Server,
    api: Api,
    id: String,
    originals: Vec<(String, Vec<u8>)>,
}

/// Starts `serve` with `env`, uploads enough data that the export is still running when it is
/// cut, starts the export and waits until some of it is written.
async fn export_underway(data: &Path, port: u16, env: &[(&str, &str)]) -> Underway {
    let server = start(data, port, env);
    let api = Api::ready(data, port, "alice", "Alice").await;
    let originals = upload_pieces(&api).await;
    let created = api.post_json("/api/v1/exports", &json!({"name": "coupé"})).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/exports/{id}");
    wait_until("export under way", || async {
        let export = api.get_json(&path).await?;
        (export["status"] == "running"
            && export["progress"]["files_done"].as_i64().unwrap_or(0) >= 2)
            .then_some(())
    })
    .await;
    Underway { server, api, id, originals }
}

/// 24 documents of 4 MiB: enough that a job over them is still running when it is cut.
async fn upload_pieces(api: &Api) -> Vec<(String, Vec<u8>)> {
    let mut originals = Vec::new();
    for i in 0..24_u8 {
        let bytes: Vec<u8> = (0..4 * 1024 * 1024_u32)
            .map(|j| (j.wrapping_mul(2_654_435_761) >> 24) as u8 ^ i)
            .collect();
        api.upload(&format!("piece-{i:02}.bin"), bytes.clone()).await;
        originals.push((format!("Documents/Mes documents/piece-{i:02}.bin"), bytes));
    }
    originals
}

impl Underway {
    /// Starts the service again on the same data and checks the export completes, once, with
    /// every byte.
    async fn completes_once_after_restart(self, data: &Path, port: u16, env: &[(&str, &str)]) {
        let Underway { server, api, id, originals } = self;
        drop(server);
        let server = start(data, port, env);
        let ready = api.finished_export(&id).await;
        assert_eq!(ready["status"], "ready", "{ready}");

        // Exactly one archive, no staging file of the cut attempt.
        assert_eq!(archive_files(data), vec![format!("{id}.zip")]);
        let notifications = api.get_json("/api/v1/notifications").await.expect("notifications");
        let ready_notes = notifications["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|n| n["kind"] == "export_ready")
            .count();
        assert_eq!(ready_notes, 1, "announced once");

        let download = api.url(&format!("/api/v1/exports/{id}/download"));
        let response = api.client.get(download).bearer_auth(&api.bearer).send().await;
        let bytes = response.expect("download").bytes().await.expect("bytes");
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
    let port = free_port();
    let mut underway = export_underway(&data, port, &[]).await;
    underway.server.0.kill().expect("SIGKILL");
    let _ = underway.server.0.wait();
    underway.completes_once_after_restart(&data, port, &[]).await;
}

#[tokio::test]
async fn an_export_cut_by_sigterm_is_handed_back_and_completes_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let port = free_port();
    // A heartbeat that goes stale only after the test's own timeout: the next process can take
    // the job over only if the stopping one handed it back.
    let env = [
        ("MESDONNEES__QUEUE__SHUTDOWN_GRACE_SECS", "1"),
        ("MESDONNEES__QUEUE__STALE_AFTER_SECS", "600"),
    ];
    let mut underway = export_underway(&data, port, &env).await;
    let sent = Instant::now();
    underway.server.sigterm();
    let status = underway.server.exited(Duration::from_secs(60)).await;
    assert!(status.success(), "SIGTERM ends serve with status 0, got {status}");
    assert!(sent.elapsed() < Duration::from_secs(20), "stopped in {:?}", sent.elapsed());
    assert!(archive_files(&data).is_empty(), "left behind: {:?}", archive_files(&data));
    underway.completes_once_after_restart(&data, port, &env).await;
}

#[tokio::test]
async fn an_import_cut_by_sigkill_finishes_after_restart_without_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let port = free_port();
    let mut server = start(&data, port, &[]);
    let alice = Api::ready(&data, port, "alice", "Alice").await;
    let originals = upload_pieces(&alice).await;
    let export = alice.post_json("/api/v1/exports", &json!({})).await;
    let export_id = export["id"].as_str().expect("id").to_owned();
    assert_eq!(alice.finished_export(&export_id).await["status"], "ready");
    let download = alice.url(&format!("/api/v1/exports/{export_id}/download"));
    let response = alice.client.get(download).bearer_auth(&alice.bearer).send().await;
    let archive = response.expect("download").bytes().await.expect("bytes");

    let bob = Api { bearer: mint(&data, "bob", "Bob"), ..alice };
    let part = reqwest::multipart::Part::bytes(archive.to_vec()).file_name("alice.zip");
    let response = bob
        .client
        .post(bob.url("/api/v1/imports"))
        .bearer_auth(&bob.bearer)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 202);
    let created: serde_json::Value = response.json().await.expect("JSON answer");
    let path = format!("/api/v1/imports/{}", created["id"].as_str().expect("id"));
    wait_until("analysed", || async {
        (bob.get_json(&path).await?["status"] == "analysed").then_some(())
    })
    .await;
    let launched = bob.post_json(&format!("{path}/launch"), &json!({"apps": ["workspace"]})).await;
    assert_eq!(launched["status"], "queued", "{launched}");
    wait_until("import under way", || async {
        let import = bob.get_json(&path).await?;
        (import["status"] == "running"
            && import["progress"]["files_done"].as_i64().unwrap_or(0) >= 2)
            .then_some(())
    })
    .await;
    server.0.kill().expect("SIGKILL");
    let _ = server.0.wait();
    drop(server);

    let server = start(&data, port, &[]);
    let done = wait_until("import done after restart", || async {
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
    // file cut by the kill may stay as the local store's staging file (`<key>#<n>`), which no
    // listing shows; only the entries being copied at the kill (3 at most) can have left one.
    let names: Vec<String> = std::fs::read_dir(data.join("objects").join("documents"))
        .expect("objects")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let (staging, objects): (Vec<_>, Vec<_>) = names.iter().partition(|n| n.contains('#'));
    assert_eq!(objects.len(), 48, "{names:?}");
    assert!(staging.len() <= 3, "{staging:?}");

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
