//! Limits under load: a user creating exports and imports too fast is told to wait, and a
//! worker runs no more jobs at once than configured, the others waiting their turn.

use std::time::Duration;

use diesel::prelude::*;
use mesdonnees_db::exports;
use mesdonnees_db::schema::jobs;
use mesdonnees_tests::reqwest::Response;
use mesdonnees_tests::{TestApp, eventually};
use serde_json::json;

use crate::exports::{file, start_export, wait_export};
use crate::{assert_problem, content, json_ok};

/// An archive with no entry at all: enough to create an import.
const EMPTY_ZIP: &[u8] = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

async fn create_import(app: &TestApp, user: &str) -> Response {
    app.client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(app.token_with_rights(user, &["workspace.create"]))
        .header("content-type", "application/zip")
        .body(EMPTY_ZIP.to_vec())
        .send()
        .await
        .expect("import")
}

/// Cancels the export, then deletes its row once the cancellation is through.
async fn cancel_and_delete(app: &TestApp, user: &str, id: &str) {
    for _ in 0..2 {
        let response =
            app.delete(&format!("/api/v1/exports/{id}"), user).send().await.expect("delete");
        assert_eq!(response.status(), 204);
    }
    let gone = app.get(&format!("/api/v1/exports/{id}"), user).send().await.expect("get");
    assert_eq!(gone.status(), 404, "the export row is gone");
}

#[tokio::test]
async fn creations_past_the_limit_are_refused_until_the_window_moves_on() {
    let app = TestApp::spawn_with(|config| config.limits.creations_per_minute = 2).await;
    let first = start_export(&app, "alice", json!({})).await;
    // A deleted export still counts: deleting is no way around the limit.
    cancel_and_delete(&app, "alice", first["id"].as_str().expect("id")).await;
    // Exports and imports share the one count.
    json_ok(create_import(&app, "alice").await, 202).await;

    // No export in progress: only the limit stands in the way.
    let refused = app.post("/api/v1/exports", "alice").header("accept-language", "en");
    let refused = refused.json(&json!({})).send().await.expect("post");
    let retry_after: u64 = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header in seconds");
    assert!((1..=60).contains(&retry_after), "Retry-After: {retry_after}");
    let body = assert_problem(refused, 429, "rate_limited").await;
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("try again")), "{body}");
    // An import is refused too, before its upload is stored.
    assert_problem(create_import(&app, "alice").await, 429, "rate_limited").await;

    // Another user is not limited by alice's creations.
    start_export(&app, "bob", json!({})).await;
    json_ok(create_import(&app, "bob").await, 202).await;
    app.stop().await;
}

#[tokio::test]
async fn one_job_at_a_time_when_the_worker_runs_one() {
    let app = TestApp::spawn_with(|config| config.queue.max_concurrent_jobs = 1).await;
    for user in ["alice", "bob"] {
        for seed in 0..3 {
            file(&app, user, &format!("{seed}.bin"), &content(900 * 1024, seed), None).await;
        }
    }
    let (a, b) =
        tokio::join!(start_export(&app, "alice", json!({})), start_export(&app, "bob", json!({})));
    let ids = [a, b].map(|e| e["id"].as_str().expect("id").to_owned());

    let most_running = eventually(Duration::from_secs(60), "both exports finished", || async {
        let running: i64 = app
            .ctx
            .db
            .run(|conn| {
                Ok(jobs::table
                    .filter(jobs::kind.eq("export"))
                    .filter(jobs::status.eq("running"))
                    .count()
                    .get_result(conn)?)
            })
            .await
            .expect("count");
        assert!(running <= 1, "{running} export jobs running at once");
        let mut finished = true;
        for (user, id) in [("alice", &ids[0]), ("bob", &ids[1])] {
            let export = json_ok(
                app.get(&format!("/api/v1/exports/{id}"), user).send().await.expect("get"),
                200,
            )
            .await;
            finished &= !matches!(export["status"].as_str(), Some("queued" | "running"));
        }
        finished.then_some(running)
    })
    .await;
    assert!(most_running <= 1);

    // Polling can miss a short overlap; the rows' own times cannot.
    let mut spans = Vec::new();
    for (user, id) in [("alice", &ids[0]), ("bob", &ids[1])] {
        assert_eq!(wait_export(&app, user, id).await["status"], "ready");
        let id = id.clone();
        let row = app
            .ctx
            .db
            .run(move |conn| exports::find(conn, &id))
            .await
            .expect("query")
            .expect("row");
        spans.push((row.started_at.expect("started"), row.finished_at.expect("finished")));
    }
    spans.sort();
    let [(_, first_end), (second_start, _)] = [spans[0], spans[1]];
    assert!(second_start >= first_end, "the exports overlapped: {spans:?}");
    app.stop().await;
}
