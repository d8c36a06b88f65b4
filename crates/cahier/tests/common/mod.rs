//! What the integration tests share: an app on a loopback port with its own temporary folder,
//! tokens, and small clients of its two APIs.

#![allow(dead_code, reason = "each test binary uses part of these helpers")]

use std::sync::Arc;

use bytes::Bytes;
use futures_util::TryStreamExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mesdonnees_cahier::{Cahier, Config, StorageConfig};
use mesdonnees_shared::connector::{EntryLine, SERVICE_TOKEN_ISSUER, ServiceClaims};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

pub const SERVICE_SECRET: &str = "service-secret-of-at-least-32-bytes!";
pub const USER_SECRET: &str = "user-token-secret-of-at-least-32-bytes";

pub struct TestApp {
    pub app: Cahier,
    pub url: String,
    pub client: Client,
    pub store: Arc<dyn ObjectStore>,
    pub config: Config,
    pub dir: tempfile::TempDir,
}

pub async fn start() -> TestApp {
    start_with(|_| {}).await
}

pub async fn start_with(change: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::local(dir.path(), SERVICE_SECRET, USER_SECRET);
    change(&mut config);
    let store = mesdonnees_cahier::storage::open(&config.storage).expect("store");
    let app = Cahier::start(config.clone()).await.expect("app starts");
    TestApp { url: app.base_url(), app, client: Client::new(), store, config, dir }
}

/// A config whose store is a given folder: how tests put two apps, or an app and mesdonnees'
/// staging, on one store.
pub fn shared_store(config: &mut Config, root: &std::path::Path) {
    config.storage = StorageConfig::local(root);
}

fn sign<C: serde::Serialize>(claims: &C, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("token")
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn user_token(user: &str) -> String {
    sign(
        &json!({"sub": user, "name": user, "exp": now() + 600, "iss": "mesdonnees", "aud": "mesdonnees"}),
        USER_SECRET,
    )
}

pub fn service_claims() -> ServiceClaims {
    ServiceClaims {
        iss: SERVICE_TOKEN_ISSUER.to_owned(),
        aud: "cahier".to_owned(),
        sub: "mesdonnees-test".to_owned(),
        iat: now(),
        exp: now() + 300,
    }
}

pub fn service_token_for(claims: &ServiceClaims, secret: &str) -> String {
    sign(claims, secret)
}

pub fn service_token() -> String {
    sign(&service_claims(), SERVICE_SECRET)
}

impl TestApp {
    pub fn get(&self, path: &str, user: &str) -> reqwest::RequestBuilder {
        self.client.get(format!("{}{path}", self.url)).bearer_auth(user_token(user))
    }

    pub fn post(&self, path: &str, user: &str) -> reqwest::RequestBuilder {
        self.client.post(format!("{}{path}", self.url)).bearer_auth(user_token(user))
    }

    pub async fn create_entry(&self, user: &str, title: &str, due_date: &str) -> Value {
        let res = self
            .post("/api/entries", user)
            .json(&json!({
                "title": title,
                "subject": "Mathématiques",
                "due_date": due_date,
                "content_html": format!("<p>{title} — <b>faire</b> les exercices</p>"),
            }))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.expect("entry")
    }

    pub async fn upload(&self, user: &str, entry_id: &str, name: &str, bytes: &[u8]) -> Response {
        let is_pdf =
            std::path::Path::new(name).extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
        let content_type = if is_pdf { "application/pdf" } else { "text/plain" };
        let part = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name(name.to_owned())
            .mime_str(content_type)
            .expect("mime");
        self.post(&format!("/api/entries/{entry_id}/attachments"), user)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("request")
    }

    pub async fn attach(&self, user: &str, entry_id: &str, name: &str, bytes: &[u8]) -> Value {
        let res = self.upload(user, entry_id, name, bytes).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.expect("attachment")
    }

    pub async fn share(&self, owner: &str, entry_id: &str, reader: &str) -> StatusCode {
        self.post(&format!("/api/entries/{entry_id}/shares"), owner)
            .json(&json!({ "user_id": reader }))
            .send()
            .await
            .expect("request")
            .status()
    }

    pub async fn entries(&self, user: &str) -> Vec<Value> {
        let res = self.get("/api/entries", user).send().await.expect("request");
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.expect("entries")
    }

    pub async fn content(&self, user: &str, entry_id: &str, attachment_id: &str) -> Response {
        self.get(&format!("/api/entries/{entry_id}/attachments/{attachment_id}/content"), user)
            .send()
            .await
            .expect("request")
    }

    pub fn connector(&self, path: &str) -> String {
        format!("{}{path}", self.app.connector_url())
    }

    pub async fn export_response(&self, call: Value) -> Response {
        self.client
            .post(self.connector("/export"))
            .bearer_auth(service_token())
            .json(&call)
            .send()
            .await
            .expect("request")
    }

    /// The export of `call`, each line parsed.
    pub async fn export(&self, call: Value) -> Vec<EntryLine> {
        let res = self.export_response(call).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/x-ndjson");
        parse_lines(&res.text().await.expect("body"))
    }

    pub async fn import_body(&self, body: impl Into<reqwest::Body>) -> Response {
        self.client
            .post(self.connector("/import"))
            .bearer_auth(service_token())
            .header("content-type", "application/x-ndjson")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn object(&self, key: &str) -> Bytes {
        self.store.get(&Path::from(key)).await.expect("object").bytes().await.expect("bytes")
    }

    pub async fn put_object(&self, key: &str, bytes: &[u8]) {
        self.store.put(&Path::from(key), PutPayload::from(bytes.to_vec())).await.expect("put");
    }

    /// Every key under `prefix`.
    pub async fn keys(&self, prefix: &str) -> Vec<String> {
        let mut keys: Vec<String> = self
            .store
            .list(Some(&Path::from(prefix)))
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await
            .expect("list");
        keys.sort();
        keys
    }
}

pub fn parse_lines(body: &str) -> Vec<EntryLine> {
    body.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

pub fn to_ndjson(lines: &[EntryLine]) -> String {
    lines.iter().map(|l| serde_json::to_string(l).expect("line") + "\n").collect()
}

pub async fn problem_code(res: Response) -> (StatusCode, String) {
    let status = res.status();
    let content_type = res.headers().get("content-type").cloned();
    let body: Value = res.json().await.expect("problem body");
    assert_eq!(
        content_type.as_ref().and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "{body}"
    );
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
