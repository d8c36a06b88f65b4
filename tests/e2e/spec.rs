//! The committed OpenAPI document is what the binary serves. Regenerate it with
//! `cargo run -- openapi > openapi/openapi.json`.

use mesdonnees_tests::TestApp;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[tokio::test]
async fn committed_spec_matches_the_router() {
    let generated = mesdonnees_api::openapi().to_pretty_json().expect("spec serialises");
    assert!(
        COMMITTED.trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn committed_connector_contract_matches_its_types() {
    const CONTRACT: &str = include_str!("../../openapi/connector.json");
    let generated = mesdonnees_shared::connector::contract_document()
        .to_pretty_json()
        .expect("contract serialises");
    assert!(
        CONTRACT.trim_end() == generated.trim_end(),
        "openapi/connector.json is stale: run `cargo run -- openapi --connector > openapi/connector.json`"
    );
}

#[tokio::test]
async fn served_spec_and_docs_need_no_token() {
    let app = TestApp::spawn().await;
    let served: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let committed: serde_json::Value =
        serde_json::from_str(COMMITTED).expect("committed spec is JSON");
    assert_eq!(served, committed);
    for path in [
        "/api/v1/folders",
        "/api/v1/documents",
        "/api/v1/documents/{id}",
        "/api/v1/documents/{id}/content",
        "/api/v1/documents/{id}/shares",
        "/healthz",
        "/readyz",
    ] {
        assert!(served["paths"][path].is_object(), "{path} missing from the spec");
    }
    let docs = app.client.get(app.url("/docs/")).send().await.expect("docs");
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.expect("html");
    assert!(html.contains("swagger"), "the docs page is Swagger UI");
    let asset = app.client.get(app.url("/docs/swagger-ui.css")).send().await.expect("asset");
    assert_eq!(asset.status(), 200, "assets are served from the binary");
    app.stop().await;
}
