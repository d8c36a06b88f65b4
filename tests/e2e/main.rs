//! End-to-end tests: each starts the real service and drives it over HTTP, in this process or
//! as processes of the binary (`process`).

mod admin;
mod auth;
mod binary;
mod compose;
mod connectors;
mod cors;
mod crash;
mod deliver;
mod deliver_crash;
mod disk_full;
mod documents;
mod email;
mod entcore;
mod exports;
mod folders;
mod head;
mod health;
mod http;
mod import_parts;
mod import_scans;
mod imports;
mod jobs;
mod language;
mod leavers;
mod limits;
mod metrics;
mod oidc;
mod operator;
mod parts;
mod process;
mod proxy;
mod queue_keys;
mod round_trip;
mod scale_out;
mod schedules;
mod spec;
mod storage;
mod tables;
mod transfer;
mod verify;
mod viewer;
mod web_page;

use mesdonnees_tests::TestApp;
use mesdonnees_tests::reqwest::multipart::{Form, Part};
use mesdonnees_tests::reqwest::{RequestBuilder, Response};
use serde_json::{Value, json};

/// Asserts an RFC 9457 answer with the given status and stable code; returns the body.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "content type");
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["code"], code, "code in {body}");
    assert_eq!(body["status"], status, "status member in {body}");
    assert!(body["title"].is_string(), "title in {body}");
    body
}

pub async fn upload(
    app: &TestApp,
    user: &str,
    name: &str,
    bytes: Vec<u8>,
    folder: Option<&str>,
) -> Response {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    if let Some(folder) = folder {
        form = form.text("folder_id", folder.to_owned());
    }
    app.post("/api/v1/documents", user).multipart(form).send().await.expect("upload")
}

/// `owner` shares document `id` with `with`; the share must be made (201).
pub async fn share(app: &TestApp, owner: &str, id: &str, with: &str) {
    let response = app
        .post(&format!("/api/v1/documents/{id}/shares"), owner)
        .json(&json!({"user_id": with}))
        .send()
        .await
        .expect("share");
    json_ok(response, 201).await;
}

/// The hex SHA-256 of the body a request answers with.
pub async fn sha256_of(request: RequestBuilder) -> String {
    use sha2::Digest;
    let bytes = request.send().await.expect("content").bytes().await.expect("bytes");
    hex::encode(sha2::Sha256::digest(&bytes))
}

pub async fn json_ok(response: Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let body = response.text().await.expect("body");
    assert_eq!(got, status, "unexpected status, body: {body}");
    serde_json::from_str(&body).expect("JSON body")
}

#[expect(clippy::cast_possible_truncation, reason = "a wrapping byte pattern")]
/// Deterministic bytes that do not compress to nothing, with non-ASCII in the mix.
pub fn content(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ ((i >> 8) as u8)).collect()
}

/// The first 200 documents of one of `user`'s folders.
pub async fn list_folder(app: &TestApp, user: &str, folder: &str) -> Value {
    let path = format!("/api/v1/documents?folder_id={folder}&per_page=200");
    json_ok(app.get(&path, user).send().await.expect("list"), 200).await
}

/// Creates a folder; returns its id.
pub async fn folder(app: &TestApp, user: &str, name: &str, parent: Option<&str>) -> String {
    let body = json_ok(
        app.post("/api/v1/folders", user)
            .json(&json!({"name": name, "parent_id": parent}))
            .send()
            .await
            .expect("folder"),
        201,
    )
    .await;
    body["id"].as_str().expect("id").to_owned()
}
