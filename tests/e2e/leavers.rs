//! The leavers' window over simulated time: the service's clock is a test clock moved to the
//! reminders and past the closing date, and the e-mails reach a real SMTP server. The link an
//! e-mail holds downloads without a bearer header until the date or a revocation.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use mesdonnees_infra::ManualClock;
use mesdonnees_tests::{TestApp, eventually};
use reqwest::Method;
use serde_json::{Value, json};

use crate::email::{Mail, start_smtp};
use crate::operator::cli;
use crate::{assert_problem, json_ok, upload};

const ADMIN: &[&str] = &["mesdonnees.admin"];

fn admin(app: &TestApp, method: Method, path: &str) -> reqwest::RequestBuilder {
    app.client.request(method, app.url(path)).bearer_auth(app.token_with_rights("root", ADMIN))
}

async fn spawn(clock: &ManualClock, port: u16) -> TestApp {
    TestApp::spawn_clocked(clock.clone(), |config| {
        config.leavers.check_secs = 1;
        config.leavers.reminder_days = vec![30, 10];
        config.smtp.url = format!("smtp://127.0.0.1:{port}");
        config.smtp.from = "Mes Données <no-reply@ent.test>".into();
    })
    .await
}

async fn declare(app: &TestApp, user: &str, body: Value) -> reqwest::Response {
    admin(app, Method::PUT, &format!("/api/v1/admin/leavers/{user}"))
        .json(&body)
        .send()
        .await
        .expect("declare")
}

async fn leaver(app: &TestApp, user: &str) -> Value {
    let path = format!("/api/v1/admin/leavers/{user}");
    json_ok(admin(app, Method::GET, &path).send().await.expect("leaver"), 200).await
}

async fn leaver_in(app: &TestApp, user: &str, status: &str) -> Value {
    eventually(Duration::from_secs(60), &format!("{user} {status}"), || async {
        let found = leaver(app, user).await;
        (found["status"] == status).then_some(found)
    })
    .await
}

/// The text of a received message, its quoted-printable soft breaks and `=` undone.
fn text(mail: &Mail) -> String {
    String::from_utf8_lossy(&mail.data).replace("=\r\n", "").replace("=3D", "=")
}

/// The `n`-th message received (from 1), once it has come.
async fn nth_mail(received: &Arc<Mutex<Vec<Mail>>>, n: usize) -> Mail {
    eventually(Duration::from_secs(60), &format!("e-mail {n}"), || async {
        received.lock().expect("lock").get(n - 1).cloned()
    })
    .await
}

/// The download link of a message: the service's path with its token.
fn link_in(mail: &Mail) -> String {
    let text = text(mail);
    let at = text.find("/api/v1/exports/").expect("a download link");
    text[at..].split_whitespace().next().expect("the link").to_owned()
}

async fn fetch(app: &TestApp, link: &str) -> reqwest::Response {
    app.client.get(app.url(link)).send().await.expect("download by link")
}

async fn actions(app: &TestApp, user: &str) -> Vec<String> {
    let path = format!("/api/v1/admin/audit?user_id={user}&per_page=200");
    let audit = json_ok(admin(app, Method::GET, &path).send().await.expect("audit"), 200).await;
    audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect()
}

async fn timeline_kinds(app: &TestApp, user: &str) -> Vec<String> {
    let page = json_ok(app.get("/api/v1/notifications", user).send().await.expect("tl"), 200).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|n| n["kind"].as_str().map(str::to_owned))
        .collect()
}

fn days(at: DateTime<Utc>, n: i64) -> DateTime<Utc> {
    at + chrono::Duration::days(n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_leaver_downloads_by_the_mailed_link_is_reminded_until_then_and_the_window_closes() {
    let (port, received) = start_smtp();
    let start = Utc::now().trunc_subsecs(0);
    let clock = ManualClock::new(start);
    let app = spawn(&clock, port).await;
    assert_eq!(upload(&app, "lea", "bulletin.txt", b"18/20".to_vec(), None).await.status(), 201);
    let until = days(start, 60);
    let body = json!({"until": until, "email": "lea@ecole.test",
        "guardian_email": "parent@famille.test"});
    let declared = json_ok(declare(&app, "lea", body).await, 201).await;
    assert_eq!(declared["until"], json!(until));

    // Prepared at once, then told: in the timeline, and by e-mail to the guardian.
    let notified = leaver_in(&app, "lea", "notified").await;
    let export_id = notified["export_id"].as_str().expect("an export").to_owned();
    let notice = nth_mail(&received, 1).await;
    assert_eq!(notice.to, vec!["parent@famille.test".to_owned()], "the guardian's address");
    assert!(timeline_kinds(&app, "lea").await.contains(&"leaver_notice".to_owned()));
    let link = link_in(&notice);
    assert!(link.starts_with(&format!("/api/v1/exports/{export_id}/download?token=")), "{link}");

    // Thirty days before, not downloaded: reminded once, however many passes.
    clock.set(days(until, -30) + chrono::Duration::minutes(1));
    let reminder = nth_mail(&received, 2).await;
    assert!(
        text(&reminder).contains("Rappel=C2=A0: plus que 30=C2=A0jours"),
        "{}",
        text(&reminder)
    );
    assert!(!text(&notice).contains("Rappel"), "the notice is no reminder");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(received.lock().expect("lock").len(), 2, "one reminder per delay");

    // The link downloads without a bearer header; the reminders stop.
    let response = fetch(&app, &link).await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("archive");
    assert!(bytes.starts_with(b"PK"), "a zip archive");
    leaver_in(&app, "lea", "downloaded").await;
    clock.set(days(until, -10) + chrono::Duration::minutes(1));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(received.lock().expect("lock").len(), 2, "no reminder once downloaded");

    // The date has come: the link says the window is closed, the export expires as usual.
    clock.set(until + chrono::Duration::minutes(1));
    leaver_in(&app, "lea", "expired").await;
    assert_problem(fetch(&app, &link).await, 410, "leave_window_closed").await;
    eventually(Duration::from_secs(30), "the export expired", || async {
        let path = format!("/api/v1/exports/{export_id}");
        let export = json_ok(app.get(&path, "lea").send().await.expect("export"), 200).await;
        (export["status"] == "expired").then_some(())
    })
    .await;

    let done = actions(&app, "lea").await;
    for step in [
        "leaver.declare",
        "leaver.export",
        "leaver.notify",
        "leaver.remind",
        "leaver.download",
        "leaver.expire",
    ] {
        assert_eq!(done.iter().filter(|a| *a == step).count(), 1, "{step} once in {done:?}");
    }
    let listed =
        json_ok(admin(&app, Method::GET, "/api/v1/admin/leavers").send().await.expect("list"), 200)
            .await;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["status"], "expired");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn declaring_twice_changes_the_date_with_one_export_and_a_revoked_link_fails() {
    let (port, received) = start_smtp();
    let start = Utc::now().trunc_subsecs(0);
    let clock = ManualClock::new(start);
    let app = spawn(&clock, port).await;
    assert_eq!(upload(&app, "tom", "a.txt", b"a".to_vec(), None).await.status(), 201);
    let too_far = json!({"until": days(start, 400), "email": "tom@ecole.test"});
    assert_problem(declare(&app, "tom", too_far).await, 422, "invalid_closing_date").await;
    let past = json!({"until": days(start, -1)});
    assert_problem(declare(&app, "tom", past).await, 422, "invalid_closing_date").await;

    let first = json!({"until": days(start, 40), "email": "tom@ecole.test"});
    json_ok(declare(&app, "tom", first).await, 201).await;
    let notified = leaver_in(&app, "tom", "notified").await;
    let old_link = link_in(&nth_mail(&received, 1).await);

    // Again with a later date: the same export, its date changed, a new notice.
    let later = days(start, 90);
    let again = json_ok(declare(&app, "tom", json!({"until": later})).await, 200).await;
    assert_eq!(again["until"], json!(later));
    assert_eq!(again["export_id"], notified["export_id"], "one export");
    assert_eq!(again["email"], "tom@ecole.test", "the address kept");
    let second = nth_mail(&received, 2).await;
    let exports =
        json_ok(app.get("/api/v1/exports", "tom").send().await.expect("exports"), 200).await;
    assert_eq!(exports["total"], 1, "declaring twice never makes two exports: {exports}");
    let export = &exports["items"][0];
    assert_eq!(export["expires_at"], json!(later), "kept until the new date");
    let new_link = link_in(&second);

    // Revoked: every link given so far answers so, and no reminder comes.
    let path = "/api/v1/admin/leavers/tom/link";
    let revoked = json_ok(admin(&app, Method::DELETE, path).send().await.expect("revoke"), 200);
    assert!(revoked.await["link_revoked_at"].is_string());
    assert_problem(fetch(&app, &new_link).await, 403, "link_revoked").await;
    assert_problem(fetch(&app, &old_link).await, 403, "link_revoked").await;
    clock.set(days(later, -30) + chrono::Duration::minutes(1));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(received.lock().expect("lock").len(), 2, "no reminder after a revocation");
    let done = actions(&app, "tom").await;
    assert_eq!(done.iter().filter(|a| *a == "leaver.declare").count(), 2, "{done:?}");
    assert_eq!(done.iter().filter(|a| *a == "leaver.export").count(), 1, "{done:?}");
    assert!(done.contains(&"leaver.link_revoke".to_owned()), "{done:?}");
    let unknown = admin(&app, Method::DELETE, "/api/v1/admin/leavers/nobody/link");
    assert_problem(unknown.send().await.expect("revoke"), 404, "not_found").await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_leavers_command_run_again_declares_the_same_users_and_goes_on() {
    let app = TestApp::spawn_with(|config| config.leavers.check_secs = 1).await;
    for user in ["ines", "jules"] {
        assert_eq!(upload(&app, user, "a.txt", b"a".to_vec(), None).await.status(), 201);
    }
    let users = app.data_dir.path().join("leavers.txt");
    std::fs::write(&users, "# leaving in July\nines,ines@ecole.test\njules;;parent@famille.test\n")
        .expect("users file");
    let config = app.config_file(|_| {});
    let until = (Utc::now() + chrono::Duration::days(45)).format("%Y-%m-%d").to_string();
    let users = users.to_str().expect("path");
    // A first run stopped after declaring, then the same command again.
    let once = ["leavers", "--users", users, "--until", &until, "--no-wait"];
    let first = cli(&app, &config, &once).await;
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let second = cli(&app, &config, &["leavers", "--users", users, "--until", &until]).await;
    let out = String::from_utf8_lossy(&second.stdout).into_owned();
    assert_eq!(second.status.code(), Some(0), "{second:?}");
    assert!(out.contains("summary: 2 declared, 0 failed"), "{out}");
    for user in ["ines", "jules"] {
        let exports =
            json_ok(app.get("/api/v1/exports", user).send().await.expect("exports"), 200).await;
        assert_eq!(exports["total"], 1, "one export for {user}: {exports}");
        let found = leaver(&app, user).await;
        assert!(found["declared_by"].as_str().is_some_and(|by| by.starts_with("cli:")));
        let declared = actions(&app, user).await;
        assert_eq!(declared.iter().filter(|a| *a == "leaver.declare").count(), 2);
    }
    assert_eq!(leaver(&app, "jules").await["guardian_email"], "parent@famille.test");
    let bad = app.data_dir.path().join("bad.txt");
    std::fs::write(&bad, "ines,not-an-address\n").expect("users file");
    let args = ["leavers", "--users", bad.to_str().expect("path"), "--until", &until];
    let refused = cli(&app, &config, &args).await;
    assert_eq!(refused.status.code(), Some(2), "a usage error: {refused:?}");
    app.stop().await;
}
