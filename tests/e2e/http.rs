//! HTTP as clients and tools expect it: a wrong method is 405 with `Allow`, a JSON body that does
//! not parse says where, a page size out of range or a JSON array for an object is refused
//! rather than bent into shape, a bearer beside a stale link still works for the owner, the API
//! explorer is locked down like the page, and headers over the limit are refused as a problem.

use mesdonnees_tests::TestApp;
use serde_json::json;

use crate::exports::{download, file, start_export, wait_export};
use crate::{assert_problem, content, json_ok};

#[tokio::test]
async fn a_known_path_with_another_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    for (method, path, allow) in [
        ("DELETE", "/api/v1/folders", "GET, HEAD, POST"),
        ("PUT", "/api/v1/exports", "GET, HEAD, POST"),
        ("POST", "/api/v1/exports/00000000-0000-7000-8000-000000000000", "DELETE, GET, HEAD"),
        ("POST", "/api/v1/exports/estimate", "GET, HEAD"),
        // Its own path, not an export named `estimate` (which DELETE would reach).
        ("DELETE", "/api/v1/exports/estimate", "GET, HEAD"),
        ("PATCH", "/healthz", "GET, HEAD"),
        ("POST", "/openapi.json", "GET, HEAD"),
    ] {
        let response = app
            .client
            .request(method.parse().expect("method"), app.url(path))
            .bearer_auth(app.token("alice"))
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.headers().get("allow").map(|v| v.to_str().expect("ascii")),
            Some(allow)
        );
        assert_problem(response, 405, "method_not_allowed").await;
    }
    let unknown = app.client.delete(app.url("/api/v1/nothing")).send().await.expect("unknown");
    assert!(unknown.headers().get("allow").is_none());
    assert_problem(unknown, 404, "route_not_found").await;
    app.stop().await;
}

#[tokio::test]
async fn page_sizes_and_numbers_out_of_range_are_refused_not_clamped() {
    let app = TestApp::spawn().await;
    for query in ["per_page=0", "per_page=201", "per_page=100000", "page=0", "page=-1"] {
        for listing in ["/api/v1/documents", "/api/v1/exports", "/api/v1/notifications"] {
            let response =
                app.get(&format!("{listing}?{query}"), "alice").send().await.expect("list");
            let body = assert_problem(response, 422, "invalid_request").await;
            assert!(body["detail"].as_str().is_some_and(|d| d.contains("page")), "{body}");
        }
    }
    let edge = json_ok(
        app.get("/api/v1/documents?per_page=200", "alice").send().await.expect("list"),
        200,
    )
    .await;
    assert_eq!(edge["per_page"], 200);
    app.stop().await;
}

#[tokio::test]
async fn a_json_array_is_not_an_object() {
    let app = TestApp::spawn().await;
    // serde would read these as the structs' fields in order.
    for (path, body) in [
        ("/api/v1/folders", json!(["x", null])),
        ("/api/v1/exports", json!({"filters": [["pdf"], null]})),
        ("/api/v1/export-templates", json!(["t", null, null, null, null])),
    ] {
        let response = app.post(path, "alice").json(&body).send().await.expect("post");
        assert_problem(response, 422, "invalid_request").await;
    }
    let root =
        json_ok(app.get("/api/v1/documents", "alice").send().await.expect("list"), 200).await;
    assert_eq!(root["total"], 0, "no folder was made: {root}");
    let exports =
        json_ok(app.get("/api/v1/exports", "alice").send().await.expect("list"), 200).await;
    assert_eq!(exports["total"], 0, "no export was made: {exports}");
    // The object forms are still taken.
    json_ok(
        app.post("/api/v1/folders", "alice")
            .json(&json!({"name": "x"}))
            .send()
            .await
            .expect("folder"),
        201,
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn the_owner_downloads_with_a_bearer_whatever_the_link_token_beside_it() {
    let app = TestApp::spawn().await;
    file(&app, "alice", "a.bin", &content(2000, 3), None).await;
    let id = start_export(&app, "alice", json!({})).await["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_export(&app, "alice", &id).await["status"], "ready");
    let archive = download(&app, "alice", &id).await;

    let path = format!("/api/v1/exports/{id}/download?token=stale");
    let owner = app.get(&path, "alice").send().await.expect("owner");
    assert_eq!(owner.status(), 200);
    assert_eq!(owner.bytes().await.expect("bytes").as_ref(), archive.as_slice());
    // Anyone else still needs a valid link, bearer or not.
    assert_problem(app.get(&path, "bob").send().await.expect("bob"), 403, "invalid_link").await;
    let anonymous = app.client.get(app.url(&path)).send().await.expect("anonymous");
    assert_problem(anonymous, 403, "invalid_link").await;
    app.stop().await;
}

#[tokio::test]
async fn the_api_explorer_is_locked_down_like_the_page() {
    let app = TestApp::spawn().await;
    let page = app.client.get(app.url("/")).send().await.expect("page");
    let docs = app.client.get(app.url("/docs/")).send().await.expect("docs");
    assert_eq!(docs.status(), 200);
    for name in ["content-security-policy", "x-content-type-options", "referrer-policy"] {
        assert!(page.headers().get(name).is_some(), "the page sends {name}");
        assert_eq!(docs.headers().get(name), page.headers().get(name), "{name}");
    }
    let missing = app.client.get(app.url("/docs/nothing.js")).send().await.expect("missing");
    assert_eq!(missing.headers()["x-content-type-options"], "nosniff");
    assert_problem(missing, 404, "route_not_found").await;
    app.stop().await;
}

#[tokio::test]
async fn headers_over_the_limit_are_a_problem() {
    let app = TestApp::spawn().await;
    let long = app
        .client
        .get(app.url("/healthz"))
        .header("accept-language", "en")
        .header("x-padding", "a".repeat(40 * 1024))
        .send()
        .await
        .expect("long");
    let body = assert_problem(long, 431, "headers_too_large").await;
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("32768")), "{body}");
    let mut many = app.client.get(app.url("/healthz"));
    for i in 0..70 {
        many = many.header(format!("x-h{i}"), "1");
    }
    assert_problem(many.send().await.expect("many"), 431, "headers_too_large").await;
    // Under the limits, nothing changes.
    let fine = app.client.get(app.url("/healthz")).header("x-padding", "a".repeat(8 * 1024));
    assert_eq!(fine.send().await.expect("fine").status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn a_json_body_that_does_not_parse_says_where_in_french_then_english() {
    let app = TestApp::spawn().await;
    let broken = "{\n  \"name\": \"Cours\",\n  \"parent_id\" null\n}";
    let cut = "{\"name\": \"Cours\"";
    for (body, lang, expected) in [
        (
            broken,
            "fr",
            "Le corps JSON est invalide à la ligne 3, colonne 15\u{a0}: un caractère n'est pas \
             à sa place.",
        ),
        (
            broken,
            "en",
            "The JSON body is invalid at line 3, column 15: a character is out of place. \
             Details: expected `:`.",
        ),
        (
            cut,
            "fr",
            "Le corps JSON est invalide à la ligne 1, colonne 16\u{a0}: le texte s'arrête avant \
             sa fin.",
        ),
    ] {
        let response = app
            .post("/api/v1/folders", "alice")
            .header("content-type", "application/json")
            .header("accept-language", lang)
            .body(body)
            .send()
            .await
            .expect("post");
        let problem = assert_problem(response, 400, "invalid_request").await;
        assert_eq!(problem["detail"], expected, "{lang}: {body}");
    }
    app.stop().await;
}
