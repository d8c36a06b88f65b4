//! A worker killed (SIGKILL) in the middle of an export: once the service is back, the export
//! completes, once, and no partial upload is left in the store.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_mesdonnees");

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data: &Path, port: u16) -> Server {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("MESDONNEES") {
            cmd.env_remove(key);
        }
    }
    cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .env("MESDONNEES__LIMITS__MAX_UPLOAD_BYTES", (8 * 1024 * 1024).to_string())
        .env("MESDONNEES__QUEUE__HEARTBEAT_SECS", "1")
        .env("MESDONNEES__QUEUE__STALE_AFTER_SECS", "3")
        .env("MESDONNEES__QUEUE__RECONCILE_INTERVAL_SECS", "1")
        .env("MESDONNEES__EXPORTS__PROGRESS_INTERVAL_MS", "10")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Server(cmd.spawn().expect("spawn serve"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

async fn wait_until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(start.elapsed() < Duration::from_secs(90), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn token(data: &Path) -> String {
    let output = Command::new(BIN)
        .args(["token", "--user", "alice", "--data-dir"])
        .arg(data)
        .output()
        .expect("token");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("utf-8").trim().to_owned()
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

#[tokio::test]
async fn an_export_cut_by_sigkill_completes_once_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let client = reqwest::Client::new();
    let mut server = serve(&data, port);
    let health = format!("http://127.0.0.1:{port}/healthz");
    wait_until("serve up", || async {
        client.get(&health).send().await.ok().filter(|r| r.status().is_success())
    })
    .await;
    let bearer = token(&data);

    // Enough data that the export is still running when it is killed.
    let mut originals = Vec::new();
    for i in 0..24_u8 {
        let bytes: Vec<u8> = (0..4 * 1024 * 1024_u32)
            .map(|j| (j.wrapping_mul(2_654_435_761) >> 24) as u8 ^ i)
            .collect();
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(format!("piece-{i:02}.bin")),
        );
        let response = client
            .post(format!("{base}/documents"))
            .bearer_auth(&bearer)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), 201);
        originals.push((format!("Documents/Mes documents/piece-{i:02}.bin"), bytes));
    }
    let created: Value = client
        .post(format!("{base}/exports"))
        .bearer_auth(&bearer)
        .json(&json!({"name": "coupé"}))
        .send()
        .await
        .expect("export")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id").to_owned();
    let export_url = format!("{base}/exports/{id}");

    // Kill as soon as some of it is written.
    let seen = wait_until("export under way", || async {
        let export: Value =
            client.get(&export_url).bearer_auth(&bearer).send().await.ok()?.json().await.ok()?;
        (export["status"] == "running"
            && export["progress"]["files_done"].as_i64().unwrap_or(0) >= 2)
            .then_some(export)
    })
    .await;
    assert_eq!(seen["status"], "running");
    server.0.kill().expect("SIGKILL");
    let _ = server.0.wait();
    drop(server);

    let server = serve(&data, port);
    let ready = wait_until("export ready after restart", || async {
        let export: Value =
            client.get(&export_url).bearer_auth(&bearer).send().await.ok()?.json().await.ok()?;
        matches!(export["status"].as_str(), Some("ready" | "failed")).then_some(export)
    })
    .await;
    assert_eq!(ready["status"], "ready", "{ready}");

    // Exactly one archive, no staging file of the killed attempt.
    assert_eq!(archive_files(&data), vec![format!("{id}.zip")]);
    let notifications: Value = client
        .get(format!("{base}/notifications"))
        .bearer_auth(&bearer)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let ready_notes = notifications["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["kind"] == "export_ready")
        .count();
    assert_eq!(ready_notes, 1, "announced once");

    let bytes = client
        .get(format!("{export_url}/download"))
        .bearer_auth(&bearer)
        .send()
        .await
        .expect("download")
        .bytes()
        .await
        .expect("bytes");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    for (path, original) in &originals {
        let mut entry = archive.by_name(path).expect("entry");
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read");
        assert!(data == *original, "{path} differs");
    }
    drop(server);
}
