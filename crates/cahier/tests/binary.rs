//! The `mesdonnees-cahier` binary: configured by flags and environment, it serves and stops
//! cleanly on SIGTERM.

mod common;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{SERVICE_SECRET, USER_SECRET, service_token};
use reqwest::StatusCode;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn the_binary_serves_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mesdonnees-cahier"))
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database")
        .arg(dir.path().join("db/cahier.db"))
        .arg("--storage-url")
        .arg(format!("file://{}", dir.path().join("objects").display()))
        .env("CAHIER_SERVICE_SECRET", SERVICE_SECRET)
        .env("CAHIER_USER_TOKEN_SECRET", USER_SECRET)
        .env("CAHIER_WORKERS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        match client.get(format!("{base}/healthz")).send().await {
            Ok(res) => {
                assert_eq!(res.status(), StatusCode::OK);
                break;
            }
            Err(_) if started.elapsed() < Duration::from_secs(30) => {
                assert!(child.try_wait().unwrap().is_none(), "the binary exited");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("the binary does not answer: {e}"),
        }
    }
    let res = client
        .get(format!("{base}/connector/info"))
        .bearer_auth(service_token())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let info: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (&info["app"], &info["version"]),
        (&serde_json::json!("cahier"), &serde_json::json!("1.0"))
    );
    assert_eq!(info["view"]["title"], "title", "how an entry reads in an archive: {info}");

    let killed = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
    assert!(dir.path().join("db/cahier.db").exists());
}

#[test]
fn a_short_secret_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_mesdonnees-cahier"))
        .arg("--bind")
        .arg("127.0.0.1:0")
        .arg("--database")
        .arg(dir.path().join("cahier.db"))
        .arg("--storage-url")
        .arg(format!("file://{}", dir.path().join("objects").display()))
        .env("CAHIER_SERVICE_SECRET", "short")
        .env("CAHIER_USER_TOKEN_SECRET", USER_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
}
