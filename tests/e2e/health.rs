use mesdonnees_tests::TestApp;

use crate::assert_problem;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let health = app.client.get(app.url("/healthz")).send().await.expect("healthz");
    assert_eq!(health.status(), 200);
    let ready = app.client.get(app.url("/readyz")).send().await.expect("readyz");
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["storage"], "ok");
    assert_eq!(body["queue"], "ok");
    // The suite runs on the backends the environment names, not silently on the defaults.
    let on_postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    let on_redis = std::env::var("TEST_REDIS_URL").is_ok_and(|u| !u.is_empty());
    assert_eq!(app.ctx.db.backend() == mesdonnees_db::Backend::Postgres, on_postgres);
    assert_eq!(app.ctx.queue.is_redis(), on_redis);
    app.stop().await;
}

#[tokio::test]
async fn readiness_names_the_failing_part() {
    // An S3 endpoint where nothing listens: the store is configured but does not answer.
    let app = TestApp::spawn_with(|config| {
        config.storage.url = "s3://nowhere".into();
        config.storage.s3_endpoint = Some("http://127.0.0.1:9".into());
        config.storage.s3_allow_http = true;
        config.storage.s3_access_key_id = Some("key".into());
        config.storage.s3_secret_access_key = Some("secret".into());
    })
    .await;
    let ready = app.client.get(app.url("/readyz")).header("accept-language", "en");
    let body = assert_problem(ready.send().await.expect("readyz"), 503, "unavailable").await;
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("storage"), "{detail}");
    assert!(!detail.contains("database"), "{detail}");
    app.stop().await;
}

#[tokio::test]
async fn unknown_routes_are_problems() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/v1/nothing-here")).send().await.expect("get");
    assert_problem(response, 404, "route_not_found").await;
    app.stop().await;
}
