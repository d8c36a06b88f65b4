//! The « Mes données » page: served at `/` from the binary, with its scripts, locked down by its
//! headers, revalidated with `ETag`, and absent when configured off. Its behaviour in a browser
//! is tested by tests/browser.

use mesdonnees_tests::TestApp;

use crate::assert_problem;

#[tokio::test]
async fn the_page_and_its_files_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let page = app.client.get(app.url("/")).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let html = page.text().await.expect("html");
    assert!(html.contains("<html lang=\"fr\">") && html.contains("Télécharger mes données"));

    // Every file the page names is there, with its type; an unknown one is a problem.
    for (file, kind) in [
        ("web/app.js", "text/javascript"),
        ("web/app.css", "text/css"),
        ("web/icon.svg", "image/svg+xml"),
    ] {
        assert!(html.contains(file), "the page names {file}");
        let res = app.client.get(app.url(&format!("/{file}"))).send().await.expect(file);
        assert_eq!(res.status(), 200, "{file}");
        let got = res.headers()["content-type"].to_str().expect("type").to_owned();
        assert!(got.starts_with(kind), "{file}: {got}");
    }
    let missing = app.client.get(app.url("/web/secret.txt")).send().await.expect("missing");
    assert_problem(missing, 404, "route_not_found").await;

    // Revalidation: the same validator answers 304 with no body.
    let etag = headers["etag"].to_str().expect("etag").to_owned();
    let again =
        app.client.get(app.url("/")).header("If-None-Match", &etag).send().await.expect("again");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.expect("body").is_empty());
    let stale =
        app.client.get(app.url("/")).header("If-None-Match", "\"0\"").send().await.expect("stale");
    assert_eq!(stale.status(), 200);

    // The page is a client of the API, not a part of it.
    let spec: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("spec")
        .json()
        .await
        .expect("json");
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.keys().all(|p| p.starts_with("/api/") || !p.starts_with("/web")), "{paths:?}");
    assert!(!paths.contains_key("/"));
    app.stop().await;
}

#[tokio::test]
async fn the_page_can_be_turned_off() {
    let app = TestApp::spawn_with(|config| config.http.web_page = false).await;
    let page = app.client.get(app.url("/")).send().await.expect("page");
    assert_problem(page, 404, "route_not_found").await;
    let script = app.client.get(app.url("/web/app.js")).send().await.expect("script");
    assert_problem(script, 404, "route_not_found").await;
    // The API itself is unchanged.
    let apps = app.get("/api/v1/apps", "alice").send().await.expect("apps");
    assert_eq!(apps.status(), 200);
    app.stop().await;
}
