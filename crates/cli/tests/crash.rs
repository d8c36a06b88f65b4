//! A worker killed (SIGKILL) in the middle of an export or an import: once the service is back,
//! the job completes, once, and nothing is left half written or written twice.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::Digest;

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
    token_of(data, "alice", &[])
}

fn token_of(data: &Path, user: &str, rights: &[&str]) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args(["token", "--user", user, "--data-dir"]).arg(data);
    for right in rights {
        cmd.args(["--right", right]);
    }
    let output = cmd.output().expect("token");
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

/// A service on a free port, answering; with its API base URL and a client.
async fn start(data: &Path) -> (Server, u16, String, reqwest::Client) {
    let port = free_port();
    let client = reqwest::Client::new();
    let server = serve(data, port);
    let health = format!("http://127.0.0.1:{port}/healthz");
    wait_until("serve up", || async {
        client.get(&health).send().await.ok().filter(|r| r.status().is_success())
    })
    .await;
    (server, port, format!("http://127.0.0.1:{port}/api/v1"), client)
}

#[tokio::test]
async fn an_export_cut_by_sigkill_completes_once_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (mut server, port, base, client) = start(&data).await;
    let bearer = token(&data);

    let originals = upload_pieces(&client, &base, &bearer).await;
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

/// 24 documents of 4 MiB: enough that a job over them is still running when it is killed.
async fn upload_pieces(
    client: &reqwest::Client,
    base: &str,
    bearer: &str,
) -> Vec<(String, Vec<u8>)> {
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
            .bearer_auth(bearer)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), 201);
        originals.push((format!("Documents/Mes documents/piece-{i:02}.bin"), bytes));
    }
    originals
}

async fn get_json(client: &reqwest::Client, url: &str, bearer: &str) -> Option<Value> {
    client.get(url).bearer_auth(bearer).send().await.ok()?.json().await.ok()
}

#[tokio::test]
async fn an_import_cut_by_sigkill_finishes_after_restart_without_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (mut server, port, base, client) = start(&data).await;
    let alice = token(&data);
    let bob = token_of(&data, "bob", &["workspace.create"]);
    let originals = upload_pieces(&client, &base, &alice).await;
    let export: Value = client
        .post(format!("{base}/exports"))
        .bearer_auth(&alice)
        .json(&json!({}))
        .send()
        .await
        .expect("export")
        .json()
        .await
        .expect("json");
    let export_url = format!("{base}/exports/{}", export["id"].as_str().expect("id"));
    wait_until("export ready", || async {
        let export = get_json(&client, &export_url, &alice).await?;
        (export["status"] == "ready").then_some(())
    })
    .await;
    let archive = client
        .get(format!("{export_url}/download"))
        .bearer_auth(&alice)
        .send()
        .await
        .expect("download")
        .bytes()
        .await
        .expect("bytes");

    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(archive.to_vec()).file_name("alice.zip"));
    let created: Value = client
        .post(format!("{base}/imports"))
        .bearer_auth(&bob)
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let import_url = format!("{base}/imports/{}", created["id"].as_str().expect("id"));
    wait_until("analysed", || async {
        let import = get_json(&client, &import_url, &bob).await?;
        (import["status"] == "analysed").then_some(())
    })
    .await;
    let launched = client
        .post(format!("{import_url}/launch"))
        .bearer_auth(&bob)
        .json(&json!({"apps": ["workspace"]}))
        .send()
        .await
        .expect("launch");
    assert_eq!(launched.status(), 202);
    wait_until("import under way", || async {
        let import = get_json(&client, &import_url, &bob).await?;
        (import["status"] == "running"
            && import["progress"]["files_done"].as_i64().unwrap_or(0) >= 2)
            .then_some(())
    })
    .await;
    server.0.kill().expect("SIGKILL");
    let _ = server.0.wait();
    drop(server);

    let server = serve(&data, port);
    let done = wait_until("import done after restart", || async {
        let import = get_json(&client, &import_url, &bob).await?;
        matches!(import["status"].as_str(), Some("done" | "failed")).then_some(import)
    })
    .await;
    assert_eq!(done["status"], "done", "{done}");
    let report = &done["report"]["apps"]["workspace"];
    // 24 files and the "Mes documents" folder, each once.
    assert_eq!(report["imported"], 25, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    // Alice's 24 objects and Bob's 24: a retried entry rewrote its own object, no orphan.
    let objects =
        std::fs::read_dir(data.join("objects").join("documents")).expect("objects").count();
    assert_eq!(objects, 48);

    let root: Value = get_json(&client, &format!("{base}/documents"), &bob).await.expect("root");
    let folder = root["items"][0]["id"].as_str().expect("import folder").to_owned();
    let inside: Value = get_json(&client, &format!("{base}/documents?folder_id={folder}"), &bob)
        .await
        .expect("list");
    let mine = inside["items"][0]["id"].as_str().expect("Mes documents").to_owned();
    let files: Value =
        get_json(&client, &format!("{base}/documents?folder_id={mine}&per_page=100"), &bob)
            .await
            .expect("list");
    let files = files["items"].as_array().expect("items");
    assert_eq!(files.len(), 24);
    for (path, original) in &originals {
        let name = path.rsplit('/').next().expect("name");
        let file =
            files.iter().find(|f| f["name"] == name).unwrap_or_else(|| panic!("{name} missing"));
        let sha = sha2::Sha256::digest(original);
        assert_eq!(file["sha256"], hex::encode(sha), "{name}");
    }
    drop(server);
}
