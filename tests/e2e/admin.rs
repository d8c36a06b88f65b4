//! The admin API: refused to any token without the admin right; an export made for a user is
//! the one the user would make; every action is in the audit log.

use std::collections::BTreeMap;

use mesdonnees_tests::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::exports::{download, file, read_zip, start_export, wait_export};
use crate::{assert_problem, content, json_ok};

const ADMIN: &[&str] = &["mesdonnees.admin"];

fn as_admin(app: &TestApp, method: Method, path: &str, rights: &[&str]) -> reqwest::RequestBuilder {
    app.client.request(method, app.url(path)).bearer_auth(app.token_with_rights("root", rights))
}

/// Files of an archive with their SHA-256, the manifest's own and the signature left out
/// (they name the export and the time).
fn listing(zip: &[u8]) -> BTreeMap<String, String> {
    let entries = read_zip(zip);
    let manifest: Value = serde_json::from_slice(&entries["manifest.json"]).expect("manifest");
    manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_owned(),
                f["sha256"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_admin_route_refuses_a_token_without_the_admin_right() {
    let app = TestApp::spawn().await;
    let routes = [
        (Method::POST, "/api/v1/admin/users/alice/exports"),
        (Method::GET, "/api/v1/admin/users/alice/exports"),
        (Method::DELETE, "/api/v1/admin/users/alice/exports/01a23322-e8f6-776f-aeaa-5b338593ba65"),
        (Method::GET, "/api/v1/admin/users/alice/imports"),
        (Method::GET, "/api/v1/admin/audit"),
    ];
    for (method, path) in &routes {
        for rights in [&[][..], &["workspace.create"][..]] {
            let response = as_admin(&app, method.clone(), path, rights)
                .json(&json!({}))
                .send()
                .await
                .expect("call");
            assert_problem(response, 403, "forbidden").await;
        }
        let anonymous =
            app.client.request(method.clone(), app.url(path)).send().await.expect("call");
        assert_problem(anonymous, 401, "unauthenticated").await;
    }
    let audit = json_ok(
        as_admin(&app, Method::GET, "/api/v1/admin/audit", ADMIN).send().await.expect("audit"),
        200,
    )
    .await;
    assert_eq!(audit["total"], 0, "refused calls did nothing");
    app.stop().await;
}

#[tokio::test]
async fn an_admin_exports_for_a_user_what_the_user_would_get_and_it_is_audited() {
    let app = TestApp::spawn_with(|config| config.exports.reuse_window_secs = 0).await;
    file(&app, "alice", "cours.odt", &content(30_000, 1), None).await;
    file(&app, "alice", "photo.jpg", &content(70_000, 2), None).await;
    let own = start_export(&app, "alice", json!({})).await;
    let own_id = own["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_export(&app, "alice", &own_id).await["status"], "ready");

    let made = as_admin(&app, Method::POST, "/api/v1/admin/users/alice/exports", ADMIN)
        .json(&json!({}))
        .send()
        .await
        .expect("admin export");
    let made = json_ok(made, 202).await;
    let id = made["id"].as_str().expect("id").to_owned();
    // The archive is Alice's: she follows it and downloads it herself.
    assert_eq!(wait_export(&app, "alice", &id).await["status"], "ready");
    let theirs = download(&app, "alice", &id).await;
    let hers = download(&app, "alice", &own_id).await;
    assert_eq!(listing(&theirs), listing(&hers), "the same files, byte for byte");

    let page = json_ok(
        as_admin(&app, Method::GET, "/api/v1/admin/users/alice/exports", ADMIN)
            .send()
            .await
            .expect("list"),
        200,
    )
    .await;
    assert_eq!(page["total"], 2);
    let imports = json_ok(
        as_admin(&app, Method::GET, "/api/v1/admin/users/alice/imports", ADMIN)
            .send()
            .await
            .expect("list"),
        200,
    )
    .await;
    assert_eq!(imports["total"], 0);
    let deleted =
        as_admin(&app, Method::DELETE, &format!("/api/v1/admin/users/alice/exports/{id}"), ADMIN)
            .send()
            .await
            .expect("delete");
    assert_eq!(deleted.status(), 204);
    let gone = app.get(&format!("/api/v1/exports/{id}"), "alice").send().await.expect("get");
    assert_problem(gone, 404, "not_found").await;
    // Another user's id in the path: not found, whatever the admin asks.
    let wrong =
        as_admin(&app, Method::DELETE, &format!("/api/v1/admin/users/bob/exports/{own_id}"), ADMIN)
            .send()
            .await
            .expect("delete");
    assert_problem(wrong, 404, "not_found").await;

    let audit = json_ok(
        as_admin(&app, Method::GET, "/api/v1/admin/audit?user_id=alice", ADMIN)
            .send()
            .await
            .expect("audit"),
        200,
    )
    .await;
    let actions: Vec<(&str, &str, Option<&str>)> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["actor_id"].as_str().unwrap_or_default(),
                e["resource_id"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("export.delete", "root", Some(id.as_str())),
            ("imports.list", "root", None),
            ("exports.list", "root", None),
            ("export.create", "root", Some(id.as_str())),
        ],
        "newest first"
    );
    app.stop().await;
}
