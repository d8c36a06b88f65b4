//! The binary as a newcomer uses it: `serve` on embedded defaults, `token` against the same
//! data folder, a clean stop on SIGTERM, and production mode refusing to start without a key.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mesdonnees");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A command with none of the operator's configuration leaking in.
fn command() -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("MESDONNEES") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "warn");
    cmd
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `serve` on embedded defaults under `data`, with extra environment variables.
fn serve(data: &std::path::Path, port: u16, env: &[(&str, &str)], stderr: Stdio) -> Server {
    let mut cmd = command();
    cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data-dir"]).arg(data);
    for (key, value) in env {
        cmd.env(key, value);
    }
    Server(cmd.stdout(Stdio::null()).stderr(stderr).spawn().expect("spawn serve"))
}

async fn wait_healthy(client: &reqwest::Client, base: &str) {
    let start = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "serve did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn serve_accepts_the_tokens_token_prints_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve(&data, port, &[], Stdio::null());
    let client = reqwest::Client::new();
    wait_healthy(&client, &base).await;
    assert!(data.join("mesdonnees.db").exists(), "SQLite under the data folder");
    assert!(data.join("objects").is_dir(), "local objects under the data folder");

    let output = command()
        .args(["token", "--user", "alice", "--name", "Alice", "--right", "workspace.create"])
        .arg("--data-dir")
        .arg(&data)
        .output()
        .expect("token");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let token = String::from_utf8(output.stdout).expect("utf-8").trim().to_owned();
    let listing = client
        .get(format!("{base}/api/v1/documents"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list");
    assert_eq!(listing.status(), 200, "serve accepts what token minted");

    let pid = server.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    assert!(killed.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().expect("wait") {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "serve did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "SIGTERM ends serve with status 0, got {status}");
}

#[test]
fn production_refuses_to_start_without_a_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = command()
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("MESDONNEES__MODE", "production")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no signing key configured"), "{stderr}");
}

#[test]
fn token_refuses_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad_user = command()
        .args(["token", "--user", "a/b", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!bad_user.status.success());
    let too_long = command()
        .args(["token", "--user", "alice", "--ttl", "999999999", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!too_long.status.success());
}

#[test]
fn openapi_prints_the_committed_document() {
    let output = command().arg("openapi").output().expect("run");
    assert!(output.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../../openapi/openapi.json")).expect("JSON");
    assert_eq!(printed, committed);
}

#[tokio::test]
async fn logs_are_json_with_request_ids_and_hold_no_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve(
        &data,
        port,
        &[("MESDONNEES__LOG__FORMAT", "json"), ("RUST_LOG", "info")],
        log.into(),
    );
    let client = reqwest::Client::new();
    wait_healthy(&client, &base).await;
    let output = command()
        .args(["token", "--user", "alice", "--data-dir"])
        .arg(&data)
        .output()
        .expect("token");
    let token = String::from_utf8(output.stdout).expect("utf-8").trim().to_owned();

    let listing = client
        .get(format!("{base}/api/v1/documents"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list");
    assert_eq!(listing.status(), 200);
    let forged = format!("{token}tampered");
    let refused = client
        .get(format!("{base}/api/v1/documents"))
        .bearer_auth(&forged)
        .send()
        .await
        .expect("list");
    assert_eq!(refused.status(), 401);
    let link_secret = "link-token-that-must-not-be-logged";
    let link = client
        .get(format!("{base}/api/v1/exports/00000000-0000-7000-8000-000000000000/download?token={link_secret}"))
        .send()
        .await
        .expect("link");
    assert_eq!(link.status(), 403);

    let pid = server.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let _ = server.0.wait();
    let logs = std::fs::read_to_string(&log_path).expect("logs");
    assert!(!logs.is_empty(), "serve logged nothing");
    for secret in [token.as_str(), forged.as_str(), link_secret] {
        assert!(!logs.contains(secret), "a token was logged");
    }
    let mut request_lines = 0;
    for line in logs.lines() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if value.get("http.path").is_some() || value.pointer("/span/http.path").is_some() {
            request_lines += 1;
            let id = value.get("request_id").or_else(|| value.pointer("/span/request_id"));
            assert!(
                id.and_then(serde_json::Value::as_str).is_some_and(|id| !id.is_empty()),
                "{line}"
            );
        }
    }
    assert!(request_lines >= 2, "the refused requests are logged with their request ids:\n{logs}");
}
