//! The binary as a newcomer uses it: `serve` on embedded defaults, `token` against the same
//! data folder, a clean stop on SIGTERM that lets an in-flight request finish, and production
//! mode refusing to start without a key.

use std::process::Stdio;
use std::time::{Duration, Instant};

use mesdonnees_tests::free_addr;
use serde_json::json;

use crate::process::{Api, Process, command, serve};

#[tokio::test]
async fn serve_accepts_the_tokens_token_prints_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let addr = free_addr();
    let mut server = serve(&data, addr, &[], Stdio::null());
    let api = Api::ready(&data, addr, "alice", "Alice").await;
    assert!(data.join("mesdonnees.db").exists(), "SQLite under the data folder");
    assert!(data.join("objects").is_dir(), "local objects under the data folder");

    let listing = api.get_json("/api/v1/documents").await.expect("a listing");
    assert_eq!(listing["total"], 0, "serve accepts what token minted: {listing}");

    server.sigterm();
    let status = server.exited(Duration::from_secs(30)).await;
    assert!(status.success(), "SIGTERM ends serve with status 0, got {status}");
}

#[tokio::test]
async fn sigterm_refuses_new_connections_and_lets_an_in_flight_upload_finish() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let addr = free_addr();
    let grace = [("MESDONNEES__HTTP__SHUTDOWN_GRACE_SECS", "20")];
    let mut server = serve(&data, addr, &grace, Stdio::null());
    let api = Api::ready(&data, addr, "alice", "Alice").await;

    // An upload whose body the test sends slowly, so it is in flight when SIGTERM arrives.
    let chunk = vec![b'x'; 64 * 1024];
    let chunks = 16_u64;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(1);
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let chunk = receiver.recv().await?;
        Some((Ok::<_, std::io::Error>(chunk), receiver))
    });
    let part = reqwest::multipart::Part::stream_with_length(
        reqwest::Body::wrap_stream(body),
        chunks * chunk.len() as u64,
    )
    .file_name("lent.txt");
    let upload = tokio::spawn(
        api.client
            .post(api.url("/api/v1/documents"))
            .bearer_auth(&api.bearer)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send(),
    );
    sender.send(chunk.clone()).await.expect("first chunk");
    tokio::time::sleep(Duration::from_millis(500)).await;

    server.sigterm();
    let sent = Instant::now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "a stopping server accepts no new connection"
    );
    for _ in 1..chunks {
        sender.send(chunk.clone()).await.expect("chunk");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(sender);
    let response = upload.await.expect("upload task").expect("the upload is answered");
    assert_eq!(response.status(), 201, "the in-flight upload completes");
    let created: serde_json::Value = response.json().await.expect("json");
    assert_eq!(created["size"], chunks * chunk.len() as u64);

    let status = server.exited(Duration::from_secs(20)).await;
    assert!(status.success(), "SIGTERM ends serve with status 0, got {status}");
    assert!(sent.elapsed() < Duration::from_secs(20), "stopped within the grace period");
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

#[tokio::test]
async fn serve_and_token_print_the_page_address_with_a_token_it_accepts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let addr = free_addr();
    let mut cmd = command();
    cmd.args(["serve", "--bind", &addr.to_string(), "--data-dir"]).arg(&data);
    let mut server = Process::spawn(cmd.stdout(Stdio::piped()).stderr(Stdio::null()));
    let stdout = server.0.stdout.take().expect("stdout");
    // The address is on stdout, apart from the logs on stderr.
    let line = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find(|l| l.contains("#token="))
    })
    .await
    .expect("reader")
    .expect("serve printed the page address");
    let url = line.trim();
    assert!(url.starts_with(&format!("http://{addr}/#token=")), "{url}");
    let demo = url.split("#token=").nth(1).expect("token");

    // The page itself, and the demonstration user's token, which may create in every app.
    let client = reqwest::Client::new();
    let page = client.get(format!("http://{addr}/")).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let apps: serde_json::Value = client
        .get(format!("http://{addr}/api/v1/apps"))
        .bearer_auth(demo)
        .send()
        .await
        .expect("apps")
        .json()
        .await
        .expect("json");
    let apps = apps.as_array().expect("array");
    assert!(!apps.is_empty() && apps.iter().all(|a| a["can_create"] == true), "{apps:?}");

    // `token`: the token alone on stdout, for scripts; the address on stderr, for people.
    let output = command()
        .env("MESDONNEES__HTTP__BIND", addr.to_string())
        .args(["token", "--user", "alice", "--data-dir"])
        .arg(&data)
        .output()
        .expect("run");
    assert!(output.status.success());
    let token = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(token.lines().count(), 1, "{token}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("http://{addr}/#token={}", token.trim())), "{stderr}");
    server.sigterm();
    let status = server.exited(Duration::from_secs(30)).await;
    assert!(status.success(), "{status}");
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
        serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("JSON");
    assert_eq!(printed, committed);
}

#[tokio::test]
async fn logs_are_json_with_request_or_job_ids_and_hold_no_tokens_or_personal_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let addr = free_addr();
    let env = [("MESDONNEES__LOG__FORMAT", "json"), ("RUST_LOG", "info")];
    let mut server = serve(&data, addr, &env, log.into());
    let (person, file_name, export_name) =
        ("Zoé Confidentielle", "bulletin-zoé-confidentiel.txt", "Mes secrets de Zoé");
    let api = Api::ready(&data, addr, "alice", person).await;

    // A job's lines: an upload, then an export of it, followed to the end.
    api.upload(file_name, b"trimestre 1".to_vec()).await;
    let created = api.post_json("/api/v1/exports", &json!({"name": export_name}), 202).await;
    let export = api.finished_export(created["id"].as_str().expect("id")).await;
    assert_eq!(export["status"], "ready", "{export}");

    let documents = api.url("/api/v1/documents");
    let forged = format!("{}tampered", api.bearer);
    let refused = api.client.get(&documents).bearer_auth(&forged).send().await.expect("list");
    assert_eq!(refused.status(), 401);
    let link_secret = "link-token-that-must-not-be-logged";
    let link = api
        .client
        .get(api.url(&format!(
            "/api/v1/exports/00000000-0000-7000-8000-000000000000/download?token={link_secret}"
        )))
        .send()
        .await
        .expect("link");
    assert_eq!(link.status(), 403);

    server.sigterm();
    let status = server.exited(Duration::from_secs(30)).await;
    assert!(status.success(), "SIGTERM ends serve with status 0, got {status}");
    let logs = std::fs::read_to_string(&log_path).expect("logs");
    assert!(!logs.is_empty(), "serve logged nothing");
    for secret in [api.bearer.as_str(), forged.as_str(), link_secret] {
        assert!(!logs.contains(secret), "a token was logged");
    }
    for personal in [person, file_name, export_name] {
        assert!(!logs.contains(personal), "personal data was logged: {personal}");
    }
    let (mut request_lines, mut job_lines) = (0, 0);
    for line in logs.lines() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if value.get("http.path").is_some() || value.pointer("/span/http.path").is_some() {
            request_lines += 1;
            assert!(span_field(&value, "request_id").is_some(), "{line}");
        }
        if job_line(&value) {
            job_lines += 1;
            assert!(span_field(&value, "job_id").is_some(), "a job's line without its id: {line}");
        }
    }
    assert!(request_lines >= 2, "the refused requests are logged with their request ids:\n{logs}");
    // Started, export ready, done.
    assert!(job_lines >= 3, "the export job is logged with its job id:\n{logs}");
}

/// A non-empty string field of the line or of one of its spans.
fn span_field<'a>(line: &'a serde_json::Value, field: &str) -> Option<&'a str> {
    let spans = line.get("spans").and_then(serde_json::Value::as_array).into_iter().flatten();
    std::iter::once(line)
        .chain(line.get("span"))
        .chain(spans)
        .filter_map(|value| value.get(field)?.as_str())
        .find(|value| !value.is_empty())
}

/// Whether the line comes from running a job: every line of the worker but its housekeeping
/// (consuming the queue, reconciling, cleaning up expired exports), which serves no one job.
fn job_line(line: &serde_json::Value) -> bool {
    let target = line.get("target").and_then(serde_json::Value::as_str).unwrap_or_default();
    target.starts_with("mesdonnees_worker")
        && ![
            "mesdonnees_worker::consumer",
            "mesdonnees_worker::reconciler",
            "mesdonnees_worker::export::cleanup",
        ]
        .contains(&target)
}
