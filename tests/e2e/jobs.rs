//! The database is the truth about jobs: rows whose message was lost, whose worker died, or
//! that are delivered twice all end with one run; a job cut short by a shutdown is handed back.

use std::time::Duration;

use diesel::prelude::*;
use mesdonnees_db::schema::jobs;
use mesdonnees_db::{Job, jobs as job_queries};
use mesdonnees_shared::JobId;
use mesdonnees_shared::jobs::JobPayload;
use mesdonnees_tests::{TestApp, eventually};
use object_store::ObjectStoreExt;
use object_store::path::Path;
use serde_json::{Value, json};

use crate::{assert_problem, content, json_ok, upload};

async fn put_object(app: &TestApp, key: &str) {
    app.ctx.storage.store.put(&Path::from(key), b"x".to_vec().into()).await.expect("put");
}

async fn object_exists(app: &TestApp, key: &str) -> bool {
    app.ctx.storage.store.head(&Path::from(key)).await.is_ok()
}

async fn create_job(app: &TestApp, keys: Vec<String>) -> JobId {
    app.ctx
        .db
        .transaction(move |conn| job_queries::create(conn, &JobPayload::PurgeObjects { keys }, 3))
        .await
        .expect("job row")
}

async fn job(app: &TestApp, id: JobId) -> Job {
    let id = id.to_string();
    app.ctx.db.run(move |conn| job_queries::find(conn, &id)).await.expect("query").expect("row")
}

async fn wait_finished(app: &TestApp, id: JobId) -> Job {
    eventually(Duration::from_secs(30), "job finished", || async {
        let row = job(app, id).await;
        matches!(row.status.as_str(), "done" | "failed").then_some(row)
    })
    .await
}

#[tokio::test]
async fn a_job_whose_message_was_lost_is_run_by_the_reconciler() {
    let app = TestApp::spawn().await;
    put_object(&app, "documents/lost").await;
    // Row committed, nothing pushed: as if the queue had been flushed.
    let id = create_job(&app, vec!["documents/lost".into()]).await;
    let row = wait_finished(&app, id).await;
    assert_eq!(row.status, "done");
    assert_eq!(row.attempts, 1);
    assert!(!object_exists(&app, "documents/lost").await);
    app.stop().await;
}

#[tokio::test]
async fn a_job_delivered_several_times_runs_once() {
    let app = TestApp::spawn().await;
    put_object(&app, "documents/twice").await;
    let id = create_job(&app, vec!["documents/twice".into()]).await;
    for _ in 0..3 {
        app.ctx.queue.push(id).await.expect("push");
    }
    let row = wait_finished(&app, id).await;
    assert_eq!(row.status, "done");
    // Let the duplicate deliveries arrive: they must not claim the finished row.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(job(&app, id).await.attempts, 1, "one claim whatever the deliveries");
    app.stop().await;
}

/// A job to purge `key` whose row looks as a worker killed mid-job leaves it: running,
/// heartbeat long past, with `attempts` spent and `takeovers` made. Written in one transaction,
/// so that the reconciler never sees it queued.
async fn left_by_a_dead_worker(app: &TestApp, key: &str, attempts: i32, takeovers: i32) -> JobId {
    let keys = vec![key.to_owned()];
    app.ctx
        .db
        .transaction(move |conn| {
            let id = job_queries::create(conn, &JobPayload::PurgeObjects { keys }, 3)?;
            let old = (chrono::Utc::now() - chrono::Duration::minutes(10)).naive_utc();
            diesel::update(jobs::table.find(id.to_string()))
                .set((
                    jobs::status.eq("running"),
                    jobs::attempts.eq(attempts),
                    jobs::takeovers.eq(takeovers),
                    jobs::heartbeat_at.eq(Some(old)),
                    jobs::updated_at.eq(old),
                ))
                .execute(conn)?;
            Ok(id)
        })
        .await
        .expect("simulate a dead worker")
}

#[tokio::test]
async fn a_job_of_a_dead_worker_is_taken_over_without_spending_an_attempt() {
    let app = TestApp::spawn_with(|config| config.queue.max_takeovers = 4).await;
    put_object(&app, "documents/orphan").await;
    // Its last attempt (3 of 3), its worker killed: the kill is no failure of the run.
    let id = left_by_a_dead_worker(&app, "documents/orphan", 3, 3).await;
    let row = wait_finished(&app, id).await;
    assert_eq!(row.status, "done", "{:?}", row.last_error);
    assert_eq!((row.attempts, row.takeovers), (3, 4), "taken over as the same attempt");
    assert!(!object_exists(&app, "documents/orphan").await);

    // Out of takeovers: failed, whatever attempts are left.
    put_object(&app, "documents/looping").await;
    let id = left_by_a_dead_worker(&app, "documents/looping", 1, 4).await;
    let row = wait_finished(&app, id).await;
    assert_eq!(row.status, "failed");
    assert_eq!((row.attempts, row.takeovers), (1, 4));
    assert!(row.last_error.unwrap_or_default().contains("queue.max_takeovers"));
    assert!(object_exists(&app, "documents/looping").await, "not run again");
    app.stop().await;
}

#[tokio::test]
async fn an_unreadable_job_fails_without_retrying() {
    let app = TestApp::spawn().await;
    let id = JobId::new();
    let raw = id.to_string();
    app.ctx
        .db
        .run(move |conn| {
            let now = chrono::Utc::now().naive_utc();
            diesel::insert_into(jobs::table)
                .values(&Job {
                    id: raw,
                    kind: "purge_objects".into(),
                    payload: "{\"kind\":\"from_the_future\"}".into(),
                    status: "queued".into(),
                    attempts: 0,
                    max_attempts: 5,
                    heartbeat_at: None,
                    last_error: None,
                    created_at: now,
                    updated_at: now,
                    finished_at: None,
                    takeovers: 0,
                })
                .execute(conn)
                .map_err(mesdonnees_db::DbError::from)
        })
        .await
        .expect("row");
    app.ctx.queue.push(id).await.expect("push");
    let row = wait_finished(&app, id).await;
    assert_eq!(row.status, "failed");
    assert_eq!(row.attempts, 1);
    assert!(row.last_error.unwrap_or_default().contains("unreadable payload"));
    app.stop().await;
}

#[tokio::test]
async fn a_job_running_at_shutdown_is_handed_back_with_its_upload_aborted() {
    let mut app = TestApp::spawn_with(|config| {
        config.queue.shutdown_grace_secs = 0;
        // Only the hand-back may requeue the job here: a heartbeat late on a loaded machine
        // must not let the reconciler take it over first.
        config.queue.stale_after_secs = 600;
        config.documents.max_upload_bytes = 8 * 1024 * 1024;
        config.limits.user_quota_bytes = 64 * 1024 * 1024;
    })
    .await;
    // Enough that the export is still being written when the service stops.
    for i in 0..12 {
        let name = format!("piece-{i}.bin");
        let response = upload(&app, "alice", &name, content(4 << 20, i), None).await;
        assert_eq!(response.status(), 201);
    }
    let created = app.post("/api/v1/exports", "alice").json(&json!({})).send().await;
    let export_id =
        json_ok(created.expect("export"), 202).await["id"].as_str().expect("id").to_owned();
    eventually(Duration::from_secs(30), "export under way", || async {
        let export = app.get(&format!("/api/v1/exports/{export_id}"), "alice").send().await;
        let export: Value = export.ok()?.json().await.ok()?;
        (export["progress"]["files_done"].as_i64().unwrap_or(0) >= 1).then_some(())
    })
    .await;

    app.shut_down().await;
    let job = app
        .ctx
        .db
        .run(|conn| {
            jobs::table
                .filter(jobs::kind.eq("export"))
                .select(Job::as_select())
                .first(conn)
                .map_err(mesdonnees_db::DbError::from)
        })
        .await
        .expect("the export's job");
    assert_eq!(job.status, "queued", "handed back");
    assert_eq!(
        (job.attempts, job.heartbeat_at),
        (0, None),
        "claimable at once, attempt returned ({:?})",
        job.last_error
    );
    let exports_dir = app.data_dir.path().join("objects").join("exports");
    let left: Vec<_> = std::fs::read_dir(&exports_dir)
        .map(|dir| dir.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "the aborted upload left {left:?}");
    let metrics = app.ctx.metrics.encode().expect("metrics");
    assert!(
        metrics
            .lines()
            .any(|l| l == r#"mesdonnees_jobs_total{kind="export",outcome="handed_back"} 1"#),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_export_whose_options_do_not_decode_fails_instead_of_running_with_defaults() {
    let app = TestApp::spawn().await;
    let export = mesdonnees_db::Export::queued(
        "corrupt-options".into(),
        "u1".into(),
        None,
        "n".into(),
        r#"["workspace"]"#.into(),
        "{not json".into(),
    );
    let id = app
        .ctx
        .db
        .transaction(move |conn| {
            mesdonnees_db::exports::insert(conn, &export)?;
            let payload = JobPayload::Export { export_id: export.id.clone() };
            let job = job_queries::create(conn, &payload, 3)?;
            mesdonnees_db::exports::set_job(conn, &export.id, &job.to_string())?;
            Ok(job)
        })
        .await
        .expect("rows");
    app.ctx.queue.push(id).await.expect("push");
    let row = wait_finished(&app, id).await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 1), "not retried");
    let error = row.last_error.unwrap_or_default();
    assert!(error.contains("exports.options of row corrupt-options"), "{error}");
    let export = app
        .ctx
        .db
        .run(|conn| mesdonnees_db::exports::find(conn, "corrupt-options"))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(export.status, "failed");
    assert_eq!(export.error_code.as_deref(), Some("export_failed"));
    let message = export.error_message.unwrap_or_default();
    assert!(message.contains("exports.options of row corrupt-options"), "{message}");
    app.stop().await;
}

#[tokio::test]
async fn a_notification_whose_details_do_not_decode_is_an_error_not_an_empty_entry() {
    let app = TestApp::spawn().await;
    let note = mesdonnees_db::Notification {
        id: mesdonnees_shared::DocumentId::new().to_string(),
        user_id: "alice".into(),
        kind: "export_ready".into(),
        title: "Votre export est prêt".into(),
        body: "{not json".into(),
        resource_id: None,
        created_at: mesdonnees_db::models::now(),
        read_at: None,
    };
    let id = note.id.clone();
    app.ctx
        .db
        .transaction(move |conn| mesdonnees_db::notifications::insert(conn, &note))
        .await
        .expect("row");
    let list = app.get("/api/v1/notifications", "alice").send().await.expect("list");
    assert_problem(list, 500, "internal").await;
    let read = app.post(&format!("/api/v1/notifications/{id}/read"), "alice").send().await;
    assert_problem(read.expect("read"), 500, "internal").await;
    app.stop().await;
}
