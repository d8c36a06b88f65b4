//! Recurring exports over simulated time: the service's clock is a test clock moved month by
//! month, so a year of runs takes seconds. Two loops look for due schedules on the same
//! database (the service's worker and one more), as two workers would.

use std::time::Duration;

use chrono::{DateTime, Months, SubsecRound, Utc};
use mesdonnees_infra::ManualClock;
use mesdonnees_shared::{ErrorCode, Lang, Zone};
use mesdonnees_tests::reqwest::Response;
use mesdonnees_tests::{TestApp, eventually};
use serde_json::{Value, json};

use crate::{assert_problem, json_ok};

const USER: &str = "camille";

async fn spawn(clock: &ManualClock) -> TestApp {
    TestApp::spawn_clocked(clock.clone(), |config| {
        config.exports.schedule_check_secs = 1;
    })
    .await
}

fn months(at: DateTime<Utc>, n: u32) -> DateTime<Utc> {
    at.checked_add_months(Months::new(n)).expect("a date")
}

async fn create(app: &TestApp, body: Value) -> Response {
    app.post("/api/v1/schedules", USER).json(&body).send().await.expect("create schedule")
}

async fn exports(app: &TestApp) -> Vec<Value> {
    let page =
        json_ok(app.get("/api/v1/exports?per_page=200", USER).send().await.expect("exports"), 200)
            .await;
    page["items"].as_array().expect("items").clone()
}

/// The user's exports as the database holds them, for a service that no longer answers.
async fn stored_exports(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use mesdonnees_db::schema::exports;
    app.ctx
        .db
        .run(|conn| {
            Ok(exports::table.filter(exports::owner_id.eq(USER)).count().get_result(conn)?)
        })
        .await
        .expect("count")
}

/// The schedule's next run as the database holds it.
async fn stored_next_run(app: &TestApp, id: &str) -> chrono::NaiveDateTime {
    let id = id.to_owned();
    app.ctx
        .db
        .run(move |conn| mesdonnees_db::schedules::find_owned(conn, USER, &id))
        .await
        .expect("read")
        .expect("the schedule")
        .next_run_at
}

/// Waits until the user has `count` exports, none of them in progress.
async fn settled_exports(app: &TestApp, count: usize) -> Vec<Value> {
    eventually(Duration::from_secs(60), &format!("{count} exports done"), || async {
        let found = exports(app).await;
        let busy = found.iter().any(|e| matches!(e["status"].as_str(), Some("queued" | "running")));
        (found.len() == count && !busy).then_some(found)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_monthly_schedule_over_a_year_makes_twelve_exports_with_two_workers() {
    let start = Utc::now().trunc_subsecs(0);
    let clock = ManualClock::new(start);
    let app = spawn(&clock).await;
    // A second worker's loop on the same database, racing the service's own for each run.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let second =
        tokio::spawn(mesdonnees_core::schedules::run_periodically(app.ctx.clone(), async move {
            let _ = stopped.await;
        }));
    let schedule = json_ok(
        create(&app, json!({"every_months": 1, "until": months(start, 12), "apps": ["workspace"]}))
            .await,
        201,
    )
    .await;
    assert_eq!(schedule["next_run_at"], json!(start), "the first run is due at once");

    for (month, count) in (0..12).zip(1..) {
        clock.set(months(start, month) + chrono::Duration::minutes(1));
        let done = settled_exports(&app, count).await;
        assert!(done.iter().all(|e| e["status"] != "failed"), "every run succeeds: {done:?}");
    }
    // The end date is reached: no thirteenth run, however long the loops look.
    clock.set(months(start, 12) + chrono::Duration::days(1));
    tokio::time::sleep(Duration::from_secs(3)).await;
    let all = settled_exports(&app, 12).await;
    let shown = json_ok(
        app.get(&format!("/api/v1/schedules/{}", schedule["id"].as_str().expect("id")), USER)
            .send()
            .await
            .expect("get"),
        200,
    )
    .await;
    assert!(shown["next_run_at"].is_null(), "the schedule is over: {shown}");

    let mut names: Vec<&str> = all.iter().filter_map(|e| e["name"].as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 12, "one export per month, each named with its day: {names:?}");
    let first = format!("Export automatique du {}", Lang::Fr.date(Zone::PARIS.local(start).date()));
    assert!(names.contains(&first.as_str()), "{first} among {names:?}");
    // Each run expired its predecessor when it became ready: the last one alone is left.
    let left = eventually(Duration::from_secs(30), "earlier runs expired", || async {
        let now = exports(&app).await;
        let ready: Vec<Value> = now.into_iter().filter(|e| e["status"] == "ready").collect();
        (ready.len() == 1).then_some(ready)
    })
    .await;
    let last = format!(
        "Export automatique du {}",
        Lang::Fr.date(Zone::PARIS.local(months(start, 11)).date())
    );
    assert_eq!(left[0]["name"], last.as_str());

    let _ = stop.send(());
    second.await.expect("second loop");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_service_stopped_across_three_periods_catches_up_once() {
    let start = Utc::now().trunc_subsecs(0);
    let clock = ManualClock::new(start);
    let mut app = spawn(&clock).await;
    let schedule = json_ok(
        create(&app, json!({"every_months": 2, "until": months(start, 12), "keep_runs": true}))
            .await,
        201,
    )
    .await;
    let id = schedule["id"].as_str().expect("id").to_owned();
    settled_exports(&app, 1).await;
    app.shut_down().await;

    // Three runs (months 2, 4 and 6) pass while the service is down.
    clock.set(months(start, 6) + chrono::Duration::days(10));
    let ctx = app.ctx.clone();
    let made = mesdonnees_core::schedules::run_due(&ctx).await.expect("pass");
    assert_eq!(made, 1, "one catch-up export");
    let again = mesdonnees_core::schedules::run_due(&ctx).await.expect("pass");
    assert_eq!(again, 0, "the missed runs are not made one by one");
    assert_eq!(stored_exports(&app).await, 2);
    let next = stored_next_run(&app, &id).await;
    assert_eq!(next, months(start, 8).naive_utc(), "the first run after now");
    app.stop().await;
}

#[tokio::test]
async fn a_schedule_is_renewed_by_put_and_stopped_by_delete() {
    let start = Utc::now().trunc_subsecs(0);
    let clock = ManualClock::new(start);
    let mut app = spawn(&clock).await;
    let template = json_ok(
        app.post("/api/v1/export-templates", USER)
            .json(&json!({"name": "Mes documents", "apps": ["workspace"]}))
            .send()
            .await
            .expect("template"),
        201,
    )
    .await;
    let body = json!({"every_months": 3, "until": months(start, 3), "template_id": template["id"]});
    let schedule = json_ok(create(&app, body).await, 201).await;
    assert_eq!(schedule["template_id"], template["id"]);
    let path = format!("/api/v1/schedules/{}", schedule["id"].as_str().expect("id"));
    let made = settled_exports(&app, 1).await;
    assert_eq!(made[0]["status"], "ready", "a run of the template's settings: {made:?}");
    assert_eq!(
        made[0]["name"],
        format!("Export automatique du {}", Lang::Fr.date(Zone::PARIS.local(start).date()))
            .as_str()
    );
    let over = json_ok(app.get(&path, USER).send().await.expect("get"), 200).await;
    assert!(over["next_run_at"].is_null(), "the next run would be at its end: {over}");

    // Renewed two months later for a year: the series goes on from its anchor.
    clock.set(months(start, 2));
    let renewed = json_ok(
        app.client
            .put(app.url(&path))
            .bearer_auth(app.token(USER))
            .json(&json!({"every_months": 3, "until": months(start, 14),
                "template_id": template["id"]}))
            .send()
            .await
            .expect("put"),
        200,
    )
    .await;
    assert_eq!(renewed["next_run_at"], json!(months(start, 3)), "renewed: {renewed}");
    assert_eq!(renewed["until"], json!(months(start, 14)));

    let deleted = app.delete(&path, USER).send().await.expect("delete");
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.get(&path, USER).send().await.expect("get").status(), 404);
    app.shut_down().await;
    clock.set(months(start, 4));
    let made = mesdonnees_core::schedules::run_due(&app.ctx).await.expect("pass");
    assert_eq!(made, 0, "a deleted schedule makes no more exports");
    assert_eq!(stored_exports(&app).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn limits_are_refused_with_their_codes_in_both_languages() {
    let start = Utc::now().trunc_subsecs(0);
    let clock = ManualClock::new(start);
    let app = spawn(&clock).await;
    let code = ErrorCode::InvalidSchedule;
    for body in [
        json!({"every_months": 4, "until": months(start, 6)}),
        json!({"every_months": 1, "until": months(start, 12) + chrono::Duration::days(1)}),
        json!({"every_months": 1, "until": start - chrono::Duration::days(1)}),
    ] {
        let problem = assert_problem(create(&app, body.clone()).await, 422, code.as_str()).await;
        assert_eq!(problem["detail"], code.message(Lang::Fr), "French by default for {body}");
    }
    let english = app
        .post("/api/v1/schedules", USER)
        .header("Accept-Language", "en")
        .json(&json!({"every_months": 5, "until": months(start, 6)}))
        .send()
        .await
        .expect("create");
    let problem = assert_problem(english, 422, code.as_str()).await;
    let detail = problem["detail"].as_str().expect("detail");
    assert!(detail.starts_with(code.message(Lang::En)), "{detail}");

    let both = json!({"every_months": 1, "until": months(start, 6), "template_id":
        "00000000-0000-4000-8000-000000000000", "apps": ["workspace"]});
    assert_problem(create(&app, both).await, 422, ErrorCode::InvalidRequest.as_str()).await;

    let body = json!({"every_months": 6, "until": months(start, 12), "apps": ["workspace"]});
    for _ in 0..mesdonnees_db::schedules::MAX_PER_OWNER {
        json_ok(create(&app, body.clone()).await, 201).await;
    }
    let code = ErrorCode::TooManySchedules;
    let problem = assert_problem(create(&app, body).await, 422, code.as_str()).await;
    assert_eq!(problem["detail"], code.message(Lang::Fr));
    let listed = json_ok(app.get("/api/v1/schedules", USER).send().await.expect("list"), 200).await;
    assert_eq!(listed["total"], mesdonnees_db::schedules::MAX_PER_OWNER);
    assert_eq!(
        app.get("/api/v1/schedules", "someone-else").send().await.expect("list").status(),
        200
    );
    app.stop().await;
}

/// An occurrence that finds the owner's own identical export reuses it without making it a run:
/// the schedule's next run does not make it expire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_the_owners_reused_by_a_run_does_not_expire_with_the_next() {
    let start = Utc::now().trunc_subsecs(0);
    let clock = ManualClock::new(start);
    let app = spawn(&clock).await;
    let own = json_ok(
        app.post("/api/v1/exports", USER)
            .json(&json!({"apps": ["workspace"]}))
            .send()
            .await
            .expect("export"),
        202,
    )
    .await;
    let ready = settled_exports(&app, 1).await;
    let expires_at = ready[0]["expires_at"].clone();
    assert!(expires_at.is_string(), "{ready:?}");

    let schedule = json_ok(
        create(&app, json!({"every_months": 1, "until": months(start, 3), "apps": ["workspace"]}))
            .await,
        201,
    )
    .await;
    let id = schedule["id"].as_str().expect("id").to_owned();
    clock.set(start + chrono::Duration::minutes(1));
    eventually(Duration::from_secs(30), "the first occurrence taken", || async {
        (stored_next_run(&app, &id).await > start.naive_utc()).then_some(())
    })
    .await;
    assert_eq!(settled_exports(&app, 1).await[0]["id"], own["id"], "the owner's export reused");

    clock.set(months(start, 1) + chrono::Duration::minutes(1));
    let both = settled_exports(&app, 2).await;
    let mine = both.iter().find(|e| e["id"] == own["id"]).expect("the owner's export");
    assert_eq!(mine["status"], "ready", "{mine}");
    assert_eq!(mine["expires_at"], expires_at, "its expiry untouched by the run: {mine}");
    app.stop().await;
}

/// `len` bytes that do not compress: an archive of them is about as large.
fn incompressible(len: usize) -> Vec<u8> {
    use sha2::Digest;
    (0_u64..).flat_map(|n| sha2::Sha256::digest(n.to_le_bytes())).take(len).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_go_into_the_documents_when_asked_and_a_run_the_quota_refuses_is_told() {
    let start = Utc::now().trunc_subsecs(0);
    let clock = ManualClock::new(start);
    // Room for one run's archive, not two.
    let app = TestApp::spawn_clocked(clock.clone(), |config| {
        config.exports.schedule_check_secs = 1;
        config.exports.user_archive_quota_bytes = 1_000_000;
    })
    .await;
    let uploaded = crate::upload(&app, USER, "photo.raw", incompressible(600_000), None).await;
    assert_eq!(uploaded.status(), 201);
    let body = json!({"every_months": 1, "until": months(start, 3), "apps": ["workspace"],
        "deliver_to": "documents", "keep_runs": true});
    let schedule = json_ok(create(&app, body).await, 201).await;
    assert_eq!(schedule["deliver_to"], "documents");
    let first = settled_exports(&app, 1).await;
    assert_eq!(first[0]["status"], "ready", "{first:?}");
    assert!(first[0]["delivery"]["document_id"].is_string(), "delivered: {first:?}");

    clock.set(months(start, 1) + chrono::Duration::minutes(1));
    let told = eventually(Duration::from_secs(30), "the refusal in the timeline", || async {
        let page =
            json_ok(app.get("/api/v1/notifications", USER).send().await.expect("timeline"), 200)
                .await;
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|n| n["kind"] == "schedule_refused")
            .cloned()
    })
    .await;
    assert_eq!(told["details"]["code"], "archive_quota_exceeded", "{told}");
    let local = Zone::PARIS.local(months(start, 1) + chrono::Duration::minutes(1)).date();
    assert_eq!(told["details"]["day"], local.to_string(), "{told}");
    let day = Lang::Fr.date(local);
    assert_eq!(told["title"], format!("L'export automatique du {day} n'a pas été fait").as_str());
    assert_eq!(settled_exports(&app, 1).await.len(), 1, "no second export");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let page =
        json_ok(app.get("/api/v1/notifications", USER).send().await.expect("timeline"), 200).await;
    let refusals =
        page["items"].as_array().expect("items").iter().filter(|n| n["kind"] == "schedule_refused");
    assert_eq!(refusals.count(), 1, "told once for the occurrence");
    app.stop().await;
}
