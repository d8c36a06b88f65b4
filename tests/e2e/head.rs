//! `HEAD` on every `GET` route, as link checkers and proxies send it: the status and headers of
//! the `GET`, no body, and a download's object never opened for reading (the store counts its
//! reads).

use mesdonnees_tests::TestApp;
use mesdonnees_tests::full_disk::DiskSwitch;
use mesdonnees_tests::reqwest::{Method, RequestBuilder};
use serde_json::json;

use crate::exports::{file, start_export, wait_export};
use crate::{content, json_ok};

const USER: &str = "hector";
/// A request of the method given.
type Request = Box<dyn Fn(Method) -> RequestBuilder>;

const HEADERS: [&str; 5] =
    ["content-length", "content-type", "etag", "accept-ranges", "content-range"];

async fn ready_export(app: &TestApp, body: serde_json::Value) -> String {
    let id = start_export(app, USER, body).await["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_export(app, USER, &id).await["status"], "ready");
    id
}

#[tokio::test]
async fn head_answers_what_get_answers_without_a_body_or_a_read() {
    let disk = DiskSwitch::default();
    let app = TestApp::spawn_on_fullable_store(&disk, |config| {
        config.exports.min_part_size_bytes = 1024 * 1024;
    })
    .await;
    let document = file(&app, USER, "cours.txt", &content(5000, 1), None).await;
    let whole = ready_export(&app, json!({})).await;
    let parted = ready_export(&app, json!({"part_size_bytes": 1024 * 1024})).await;
    let link_path = format!("/api/v1/exports/{whole}/link");
    let link = json_ok(app.post(&link_path, USER).send().await.expect("link"), 200).await;
    let link = link["url"].as_str().expect("url").to_owned();

    let download = format!("/api/v1/exports/{whole}/download");
    let bearer = app.token(USER);
    // (what, request of a method, whether it opens an object)
    let cases: Vec<(&str, Request, bool)> = vec![
        ("health", at(&app, "/healthz", None), false),
        ("spec", at(&app, "/openapi.json", None), false),
        ("listing", at(&app, "/api/v1/exports", Some(&bearer)), false),
        ("export", at(&app, &format!("/api/v1/exports/{whole}"), Some(&bearer)), false),
        ("download", at(&app, &download, Some(&bearer)), true),
        ("download without a bearer", at(&app, &download, None), false),
        ("signed link", at(&app, &link, None), true),
        (
            "part",
            at(&app, &format!("/api/v1/exports/{parted}/parts/1/download"), Some(&bearer)),
            true,
        ),
        (
            "document",
            at(&app, &format!("/api/v1/documents/{document}/content"), Some(&bearer)),
            true,
        ),
        (
            "missing export",
            at(&app, "/api/v1/exports/00000000-0000-7000-8000-000000000000", Some(&bearer)),
            false,
        ),
    ];
    let ranged = at(&app, &download, Some(&bearer));
    let ranged: Request = Box::new(move |m| ranged(m).header("range", "bytes=10-99"));
    let cases = cases.into_iter().chain([("range", ranged, true)]);

    for (what, request, opens) in cases {
        let reads = disk.reads();
        let head = request(Method::HEAD).send().await.expect("head");
        assert_eq!(disk.reads(), reads, "{what}: HEAD read nothing");
        let get = request(Method::GET).send().await.expect("get");
        assert_eq!(disk.reads() > reads, opens, "{what}: GET reads the object when it has one");
        assert_eq!(head.status(), get.status(), "{what}");
        for name in HEADERS {
            assert_eq!(head.headers().get(name), get.headers().get(name), "{what}: {name}");
        }
        let length = get.headers().get("content-length").cloned();
        let body = get.bytes().await.expect("get body");
        assert_eq!(length.expect("a length").to_str().ok(), Some(body.len().to_string().as_str()));
        assert!(head.bytes().await.expect("head body").is_empty(), "{what}: no body");
    }

    // A path served without GET does not take HEAD either.
    let refused = app.client.head(app.url(&link_path)).bearer_auth(&bearer).send().await;
    let refused = refused.expect("head");
    assert_eq!(refused.status(), 405);
    assert_eq!(refused.headers()["allow"], "POST");
    app.stop().await;
}

/// The request of a method at `path` (or an absolute URL), with `bearer` when given.
fn at(app: &TestApp, path: &str, bearer: Option<&str>) -> Request {
    let url = if path.starts_with('/') { app.url(path) } else { path.to_owned() };
    let client = app.client.clone();
    let bearer = bearer.map(str::to_owned);
    Box::new(move |method| {
        let request = client.request(method, &url);
        match &bearer {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    })
}
