//! A problem's `detail` is the code's words in the language the request asks for: French unless
//! `Accept-Language` prefers English.

use mesdonnees_shared::{ErrorCode, Lang};
use mesdonnees_tests::TestApp;
use mesdonnees_tests::reqwest::RequestBuilder;
use serde_json::json;

use crate::assert_problem;

#[tokio::test]
async fn a_problem_speaks_the_language_the_request_asks_for() {
    let app = TestApp::spawn().await;
    let cases = [
        (None, Lang::Fr),
        (Some("fr-FR,fr;q=0.9"), Lang::Fr),
        (Some("en-GB,en;q=0.8,fr;q=0.5"), Lang::En),
        (Some("de-DE, en;q=0.7, fr;q=0.3"), Lang::En),
        (Some("de, *;q=0.1"), Lang::Fr),
        (Some("not a language list ,,;"), Lang::Fr),
    ];
    for (accept, lang) in cases {
        let with = |request: RequestBuilder| match accept {
            Some(value) => request.header("accept-language", value),
            None => request,
        };
        // Refused by the API's error type (no token)…
        let unsigned = with(app.client.get(app.url("/api/v1/exports"))).send().await.expect("get");
        let body = assert_problem(unsigned, 401, "unauthenticated").await;
        let detail = body["detail"].as_str().expect("a detail");
        assert!(detail.starts_with(ErrorCode::Unauthenticated.message(lang)), "{accept:?}");
        // …by a use case (an export of an app that does not exist)…
        let unknown = with(app.post("/api/v1/exports", "alice"))
            .json(&json!({"apps": ["no-such-app"]}))
            .send()
            .await
            .expect("post");
        let body = assert_problem(unknown, 422, "unknown_app").await;
        let detail = body["detail"].as_str().expect("a detail");
        assert!(detail.starts_with(ErrorCode::UnknownApp.message(lang)), "{accept:?}: {detail}");
        // …and by the router (no such route).
        let nowhere = with(app.client.get(app.url("/api/v1/nothing"))).send().await.expect("get");
        let body = assert_problem(nowhere, 404, "route_not_found").await;
        assert_eq!(body["detail"], ErrorCode::RouteNotFound.message(lang), "{accept:?}");
    }
    // The facts of a refusal are English: an English answer gives them after the words, a
    // French answer holds the words only.
    let request = || app.post("/api/v1/exports", "alice").json(&json!({"apps": ["no-such-app"]}));
    let en = request().header("accept-language", "en").send().await.expect("post");
    let en = assert_problem(en, 422, "unknown_app").await;
    assert!(en["detail"].as_str().is_some_and(|d| d.contains("no-such-app")), "{en}");
    let fr = assert_problem(request().send().await.expect("post"), 422, "unknown_app").await;
    assert_eq!(fr["detail"], ErrorCode::UnknownApp.message(Lang::Fr));
    app.stop().await;
}

#[tokio::test]
async fn an_unnamed_export_is_named_in_the_askers_language_on_the_ents_clock() {
    // 23:30 UTC on 31 December is already 1 January in Paris, the default zone.
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-31T23:30:00Z").expect("a time");
    let clock = mesdonnees_infra::ManualClock::new(at.to_utc());
    let app = TestApp::spawn_clocked(clock, |_| {}).await;
    let cases = [
        ("alice", None, "Mes données du 1 janvier 2027"),
        ("bob", Some("en-GB,en;q=0.8"), "My data of 1 January 2027"),
    ];
    for (user, accept, name) in cases {
        let request = app.post("/api/v1/exports", user).json(&json!({"apps": ["workspace"]}));
        let request = match accept {
            Some(value) => request.header("accept-language", value),
            None => request,
        };
        let response = request.send().await.expect("post");
        assert_eq!(response.status(), 202, "{user}");
        let export: serde_json::Value = response.json().await.expect("the export");
        assert_eq!(export["name"], name, "{accept:?}");
    }
    app.stop().await;
}
