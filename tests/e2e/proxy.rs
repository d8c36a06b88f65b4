//! Behind a reverse proxy (`http.trusted_proxies`): the address a client reached the service at
//! is the proxy's to tell, and the links the service writes follow it; from any other peer the
//! forwarded headers are ignored.

use mesdonnees_tests::TestApp;
use serde_json::json;

use crate::exports::{start_export, wait_export};
use crate::json_ok;

/// The link to alice's ready export, asked for with `headers`.
async fn link_with(app: &TestApp, id: &str, headers: &[(&str, &str)]) -> String {
    let mut request = app.post(&format!("/api/v1/exports/{id}/link"), "alice");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let link = json_ok(request.send().await.expect("link"), 200).await;
    link["url"].as_str().expect("url").to_owned()
}

async fn ready_export(app: &TestApp) -> String {
    let export = start_export(app, "alice", json!({"apps": ["workspace"]})).await;
    let id = export["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_export(app, "alice", &id).await["status"], "ready");
    id
}

const X_FORWARDED: &[(&str, &str)] =
    &[("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "ent.example")];
const FORWARDED: &[(&str, &str)] =
    &[("Forwarded", "for=192.0.2.7;proto=https;host=\"mesdonnees.ent.example:8443\"")];

#[tokio::test]
async fn links_follow_what_a_trusted_proxy_tells() {
    let app = TestApp::spawn_with(|config| {
        config.http.trusted_proxies = vec!["10.0.0.0/8".to_owned(), "127.0.0.1".to_owned()];
    })
    .await;
    if app.on_s3() {
        // Presigned links are the store's address, not the service's.
        app.stop().await;
        return;
    }
    let id = ready_export(&app).await;
    let url = link_with(&app, &id, X_FORWARDED).await;
    assert!(
        url.starts_with(&format!("https://ent.example/api/v1/exports/{id}/download?")),
        "{url}"
    );
    let url = link_with(&app, &id, FORWARDED).await;
    let at = format!("https://mesdonnees.ent.example:8443/api/v1/exports/{id}/download?");
    assert!(url.starts_with(&at), "{url}");

    // What the proxy tells names the link only: the token in it downloads from here too.
    let token = url.split_once("?token=").expect("a token").1;
    let here = app.url(&format!("/api/v1/exports/{id}/download?token={token}"));
    let response = app.client.get(here).send().await.expect("download");
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.expect("bytes").starts_with(b"PK"));
    app.stop().await;
}

#[tokio::test]
async fn forwarded_headers_from_another_peer_are_ignored() {
    for trusted in [vec![], vec!["10.0.0.0/8".to_owned(), "::1".to_owned()]] {
        let app = TestApp::spawn_with(|config| config.http.trusted_proxies = trusted).await;
        if app.on_s3() {
            app.stop().await;
            return;
        }
        let id = ready_export(&app).await;
        let own = app.url(&format!("/api/v1/exports/{id}/download?"));
        for spoofed in [X_FORWARDED, FORWARDED] {
            let url = link_with(&app, &id, spoofed).await;
            assert!(url.starts_with(&own), "{url} from {spoofed:?}");
        }
        app.stop().await;
    }
}

#[test]
fn trusted_proxies_are_addresses_or_networks() {
    let read = |proxies: &[&str]| {
        let mut config = mesdonnees_infra::Config::default();
        config.http.trusted_proxies = proxies.iter().map(|p| (*p).to_owned()).collect();
        let figment = figment::Figment::from(figment::providers::Serialized::defaults(config));
        mesdonnees_infra::Config::from_figment(&figment)
    };
    assert!(read(&["10.0.0.5", "10.0.0.0/24", "fd00::/8", "::1"]).is_ok());
    for bad in ["10.0.0.0/33", "proxy.internal", "10.0.0.*", ""] {
        let err = read(&[bad]).expect_err(bad).to_string();
        assert!(err.contains("trusted_proxies"), "{err}");
    }
}
