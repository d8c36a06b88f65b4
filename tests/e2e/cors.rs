//! The ENT's single-page app calls the API from its own origin (CORS, `http.cors_allowed_origins`)
//! and frames the page from its portal (`http.frame_ancestors`).

use mesdonnees_infra::{Config, Mode};
use mesdonnees_tests::TestApp;

use crate::assert_problem;

const SPA: &str = "https://ent.example";

fn allow_spa(config: &mut Config) {
    config.http.cors_allowed_origins = vec![SPA.to_owned(), "http://localhost:3000".to_owned()];
    config.http.cors_max_age_secs = 600;
}

/// A browser's preflight, its facts asked in English.
async fn preflight(
    app: &TestApp,
    path: &str,
    origin: &str,
    method: &str,
    headers: &str,
) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url(path))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", headers)
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("preflight")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn an_allowed_origin_gets_preflights_and_readable_answers() {
    let app = TestApp::spawn_with(allow_spa).await;
    // Preflights for routes with and without path parameters, for every method the API uses.
    for (method, path) in [
        ("POST", "/api/v1/exports"),
        ("GET", "/api/v1/exports/0190c0de-0000-7000-8000-000000000000/download"),
        ("DELETE", "/api/v1/documents/0190c0de-0000-7000-8000-000000000000"),
        ("PUT", "/api/v1/export-templates/x"),
        ("GET", "/api/v1/me"),
    ] {
        let response =
            preflight(&app, path, SPA, method, "authorization, content-type, range").await;
        assert!(response.status().is_success(), "{method} {path}: {}", response.status());
        assert_eq!(header(&response, "access-control-allow-origin"), Some(SPA));
        let methods = header(&response, "access-control-allow-methods").unwrap_or_default();
        assert!(methods.contains(method), "{method} in {methods}");
        let headers = header(&response, "access-control-allow-headers").unwrap_or_default();
        assert!(headers.contains("authorization") && headers.contains("range"), "{headers}");
        assert_eq!(header(&response, "access-control-max-age"), Some("600"));
        assert_eq!(header(&response, "access-control-allow-credentials"), None);
    }

    // The actual request: the origin echoed, the headers a client reads exposed; an error too.
    let response =
        app.get("/api/v1/documents", "alice").header("Origin", SPA).send().await.expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "access-control-allow-origin"), Some(SPA));
    assert_eq!(header(&response, "access-control-allow-credentials"), None);
    let exposed =
        header(&response, "access-control-expose-headers").unwrap_or_default().to_lowercase();
    for name in
        ["etag", "content-range", "accept-ranges", "content-disposition", "retry-after", "location"]
    {
        assert!(exposed.contains(name), "{name} exposed: {exposed}");
    }
    let response = app.client.get(app.url("/api/v1/documents")).header("Origin", SPA).send().await;
    let response = response.expect("send");
    assert_eq!(header(&response, "access-control-allow-origin"), Some(SPA), "a 401 is readable");
    assert_problem(response, 401, "unauthenticated").await;
    app.stop().await;
}

#[tokio::test]
async fn other_origins_get_no_cors_headers() {
    let app = TestApp::spawn_with(allow_spa).await;
    let evil = "https://evil.example";
    let refused = preflight(&app, "/api/v1/exports", evil, "POST", "authorization").await;
    assert_no_cors_headers(&refused);
    let body = assert_problem(refused, 403, "cors_refused").await;
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("Origin")), "{body}");

    // An allowed origin asking for a header the API does not take is refused the same way.
    let refused = preflight(&app, "/api/v1/exports", SPA, "POST", "x-not-allowed").await;
    assert_problem(refused, 403, "cors_refused").await;

    for request in [
        app.get("/api/v1/documents", "alice"),
        app.client.get(app.url("/api/v1/documents")),
        app.client.get(app.url("/api/v1/nowhere")),
    ] {
        let response = request.header("Origin", evil).send().await.expect("send");
        assert_no_cors_headers(&response);
    }
    app.stop().await;

    // No origin configured: no CORS at all, as by default.
    let app = TestApp::spawn().await;
    let response =
        app.get("/api/v1/documents", "alice").header("Origin", SPA).send().await.expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "access-control-allow-origin"), None);
    app.stop().await;
}

/// Without `Access-Control-Allow-Origin` the browser hides the whole answer from the page; the
/// other headers would grant nothing, and are not sent either.
fn assert_no_cors_headers(response: &reqwest::Response) {
    let cors: Vec<_> =
        response.headers().keys().filter(|k| k.as_str().starts_with("access-control-")).collect();
    assert!(cors.is_empty(), "{} {}: {cors:?}", response.status(), response.url());
}

#[test]
fn a_wildcard_origin_is_refused_in_production_and_a_path_anywhere() {
    let figment = |mode: Mode, origins: &[&str]| {
        let mut config = Config { mode, ..Config::default() };
        config.http.cors_allowed_origins = origins.iter().map(|o| (*o).to_owned()).collect();
        Config::from_figment(&figment::Figment::from(figment::providers::Serialized::defaults(
            config,
        )))
    };
    let err = figment(Mode::Production, &["*"]).expect_err("refused").to_string();
    assert!(err.contains("production"), "{err}");
    assert!(figment(Mode::Development, &["*"]).is_ok());
    for bad in ["https://ent.example/", "https://ent.example/app", "ent.example", "null"] {
        assert!(figment(Mode::Development, &[bad]).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn the_page_may_be_framed_by_the_configured_portal() {
    let app = TestApp::spawn_with(|config| {
        config.http.frame_ancestors =
            vec!["'self'".to_owned(), "https://portail.ent.example".to_owned()];
    })
    .await;
    let page = app.client.get(app.url("/")).send().await.expect("page");
    let csp = header(&page, "content-security-policy").unwrap_or_default().to_owned();
    assert!(csp.ends_with("frame-ancestors 'self' https://portail.ent.example"), "{csp}");
    app.stop().await;

    let app = TestApp::spawn().await;
    let page = app.client.get(app.url("/")).send().await.expect("page");
    let csp = header(&page, "content-security-policy").unwrap_or_default().to_owned();
    assert!(csp.ends_with("frame-ancestors 'self'"), "by default: {csp}");
    app.stop().await;

    for bad in ["https://a.example; script-src *", "*", "'unsafe-inline'", "https://a.*.example"] {
        let mut config = Config::default();
        config.http.frame_ancestors = vec![bad.to_owned()];
        let figment = figment::Figment::from(figment::providers::Serialized::defaults(config));
        assert!(Config::from_figment(&figment).is_err(), "{bad}");
    }
}
