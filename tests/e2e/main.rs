//! End-to-end tests: each starts the real service and drives it over HTTP.

mod auth;
mod compose;
mod documents;
mod health;
mod jobs;
mod spec;

use mesdonnees_tests::reqwest::Response;
use serde_json::Value;

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
