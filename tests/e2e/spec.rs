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

/// What generated clients and property-based testers read from the document: binary bodies as
/// bytes, document content of any type, request schemas the README's bodies fit, ids with the
/// pattern the service parses.
#[test]
fn the_document_describes_bodies_and_ids_as_they_are() {
    let doc: serde_json::Value = serde_json::from_str(COMMITTED).expect("committed spec is JSON");
    let paths = &doc["paths"];
    let binary = serde_json::json!({"type": "string", "format": "binary"});
    let download = &paths["/api/v1/exports/{id}/download"]["get"]["responses"];
    for status in ["200", "206"] {
        for (kind, content) in download[status]["content"].as_object().expect("content") {
            assert_eq!(content["schema"], binary, "download {status} {kind}");
        }
    }
    let content = &paths["/api/v1/documents/{id}/content"]["get"]["responses"]["200"]["content"];
    assert_eq!(content["*/*"]["schema"], binary, "a document is served with its stored type");
    let upload = &paths["/api/v1/imports"]["post"]["requestBody"]["content"];
    assert_eq!(upload["application/zip"]["schema"], binary);

    let schemas = &doc["components"]["schemas"];
    for (name, member) in [("CreateExport", "notify_email"), ("ExportTemplateBody", "name")] {
        let schema = &schemas[name];
        assert!(schema["allOf"].is_null(), "{name} is one closed object: {schema}");
        assert_eq!(schema["additionalProperties"], false, "{name}");
        for property in [member, "apps", "filters", "kind", "table"] {
            assert!(schema["properties"][property].is_object(), "{name}.{property}");
        }
    }
    assert!(schemas["CreateExport"]["required"].as_array().is_none_or(Vec::is_empty));

    let id = &paths["/api/v1/exports/{id}"]["get"]["parameters"][0];
    assert_eq!(id["name"], "id");
    assert!(id["schema"]["pattern"].as_str().is_some_and(|p| p.contains("[0-9a-fA-F]{8}")));
    for (schema, member) in [
        ("CreateFolder", "parent_id"),
        ("CreateExport", "template_id"),
        ("UploadForm", "folder_id"),
    ] {
        let pattern = &schemas[schema]["properties"][member]["pattern"];
        assert_eq!(pattern, &id["schema"]["pattern"], "{schema}.{member}");
    }
    let user = &paths["/api/v1/admin/users/{user_id}/exports"]["get"]["parameters"][0];
    assert_eq!(user["schema"]["pattern"], "^[A-Za-z0-9._@-]{1,128}$");
    assert_eq!(
        schemas["ShareRequest"]["properties"]["user_id"]["pattern"],
        user["schema"]["pattern"]
    );
}
