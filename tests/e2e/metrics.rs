//! `GET /metrics`: requests by route pattern, jobs by kind and outcome, exported bytes and the
//! queue read from the database, in the OpenMetrics text Prometheus scrapes.

use std::time::Duration;

use mesdonnees_tests::{TestApp, eventually};
use serde_json::{Value, json};

use crate::{assert_problem, content, json_ok, upload};

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The scraped text; fails the test unless it is a 200 in the OpenMetrics format.
async fn scrape(app: &TestApp, base: &str) -> String {
    let response = app.client.get(format!("{base}/metrics")).send().await.expect("scrape");
    assert_eq!(response.status(), 200);
    let content_type = response.headers().get("content-type").cloned();
    assert_eq!(content_type.as_ref().and_then(|v| v.to_str().ok()), Some(OPENMETRICS));
    let text = response.text().await.expect("text");
    assert!(text.ends_with("# EOF\n"), "{text}");
    text
}

/// The value of the sample named exactly `series` (name and labels), if there is one.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter_map(|line| line.rsplit_once(' '))
        .find(|(name, _)| *name == series)
        .and_then(|(_, value)| value.parse().ok())
}

async fn wait_ready(app: &TestApp, user: &str, id: &str) -> Value {
    eventually(Duration::from_secs(60), "export ready", || async {
        let export = json_ok(
            app.get(&format!("/api/v1/exports/{id}"), user).send().await.expect("get"),
            200,
        )
        .await;
        (export["status"] == "ready").then_some(export)
    })
    .await
}

#[tokio::test]
async fn metrics_count_routes_jobs_and_exported_bytes_without_ids_in_labels() {
    let app = TestApp::spawn().await;
    let document = json_ok(upload(&app, "alice", "cours.txt", content(5000, 3), None).await, 201)
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for _ in 0..2 {
        let got = app.get(&format!("/api/v1/documents/{document}"), "alice").send().await;
        assert_eq!(got.expect("get").status(), 200);
    }
    let unknown = "0190b5d6-0000-7000-8000-00000000abcd";
    let missing = app.get(&format!("/api/v1/documents/{unknown}"), "alice").send().await;
    assert_problem(missing.expect("get"), 404, "not_found").await;
    let stray = app.client.get(app.url(&format!("/stray/{unknown}"))).send().await;
    assert_eq!(stray.expect("get").status(), 404);
    let created = json_ok(
        app.post("/api/v1/exports", "alice")
            .json(&json!({"name": "bilan"}))
            .send()
            .await
            .expect("export"),
        202,
    )
    .await;
    let export_id = created["id"].as_str().expect("id").to_owned();
    let export = wait_ready(&app, "alice", &export_id).await;
    let size = export["size"].as_f64().expect("size");

    // The job's outcome is recorded just after the export row turns ready.
    let text = eventually(Duration::from_secs(10), "the export job counted", || async {
        let text = scrape(&app, &app.base).await;
        sample(&text, r#"mesdonnees_jobs_total{kind="export",outcome="done"}"#).map(|_| text)
    })
    .await;
    for (series, value) in [
        (
            r#"mesdonnees_http_requests_total{method="POST",route="/api/v1/documents",status="201"}"#,
            1.0,
        ),
        (
            r#"mesdonnees_http_requests_total{method="GET",route="/api/v1/documents/{id}",status="200"}"#,
            2.0,
        ),
        (
            r#"mesdonnees_http_requests_total{method="GET",route="/api/v1/documents/{id}",status="404"}"#,
            1.0,
        ),
        (r#"mesdonnees_http_requests_total{method="GET",route="unmatched",status="404"}"#, 1.0),
        (
            r#"mesdonnees_http_requests_total{method="POST",route="/api/v1/exports",status="202"}"#,
            1.0,
        ),
        (
            r#"mesdonnees_http_request_duration_seconds_count{method="GET",route="/api/v1/documents/{id}"}"#,
            3.0,
        ),
        (r#"mesdonnees_jobs_total{kind="export",outcome="done"}"#, 1.0),
        (r#"mesdonnees_job_duration_seconds_count{kind="export"}"#, 1.0),
        ("mesdonnees_exported_bytes_total", size),
        ("mesdonnees_imported_bytes_total", 0.0),
    ] {
        assert_eq!(sample(&text, series), Some(value), "{series} in:\n{text}");
    }
    let polls = sample(
        &text,
        r#"mesdonnees_http_requests_total{method="GET",route="/api/v1/exports/{id}",status="200"}"#,
    );
    assert!(polls.is_some_and(|n| n >= 1.0), "the export polls are counted:\n{text}");
    for status in ["queued", "running"] {
        let series = format!(r#"mesdonnees_queue_jobs{{status="{status}"}}"#);
        assert!(sample(&text, &series).is_some(), "{series} in:\n{text}");
    }
    for id in [document.as_str(), export_id.as_str(), unknown] {
        assert!(!text.contains(id), "an id became a label:\n{text}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_queue_gauges_read_the_database() {
    // No worker: the export's job stays queued, whichever process is scraped.
    let app = TestApp::spawn_api_only().await;
    let created = app.post("/api/v1/exports", "alice").json(&json!({})).send().await;
    json_ok(created.expect("export"), 202).await;
    let text = scrape(&app, &app.base).await;
    assert_eq!(sample(&text, r#"mesdonnees_queue_jobs{status="queued"}"#), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"mesdonnees_queue_jobs{status="running"}"#), Some(0.0), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn a_configured_token_guards_the_metrics() {
    let secret = "scraper-secret-0123456789";
    let app = TestApp::spawn_with(|config| config.metrics.token = Some(secret.into())).await;
    let url = app.url("/metrics");
    let anonymous = app.client.get(&url).send().await.expect("scrape");
    assert_problem(anonymous, 401, "unauthenticated").await;
    let wrong = app.client.get(&url).bearer_auth("scraper-secret-0123456780").send().await;
    assert_problem(wrong.expect("scrape"), 401, "unauthenticated").await;
    let user_token = app.client.get(&url).bearer_auth(app.token("alice")).send().await;
    assert_problem(user_token.expect("scrape"), 401, "unauthenticated").await;
    let allowed = app.client.get(&url).bearer_auth(secret).send().await.expect("scrape");
    assert_eq!(allowed.status(), 200);
    assert!(allowed.text().await.expect("text").contains("mesdonnees_http_requests_total"));
    app.stop().await;
}

#[tokio::test]
async fn the_metrics_listener_serves_only_the_metrics() {
    let app = TestApp::spawn_with(|config| {
        config.metrics.bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    })
    .await;
    let base = app.metrics_base.clone().expect("the metrics listener is up");
    assert_ne!(base, app.base);
    let healthz = app.client.get(app.url("/healthz")).send().await.expect("healthz");
    assert_eq!(healthz.status(), 200);
    let text = scrape(&app, &base).await;
    // The API's requests, counted by the process, seen from its other listener.
    let series = r#"mesdonnees_http_requests_total{method="GET",route="/healthz",status="200"}"#;
    assert_eq!(sample(&text, series), Some(1.0), "{text}");
    let api = app.client.get(format!("{base}/api/v1/documents")).send().await.expect("get");
    assert_problem(api, 404, "route_not_found").await;
    app.stop().await;
}
