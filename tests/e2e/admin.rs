//! The admin API: refused to any token without the admin right; an export made for a user is
//! the one the user would make; every action is in the audit log.

use std::collections::BTreeMap;

use mesdonnees_tests::TestApp;
use object_store::ObjectStoreExt;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::Digest;

use crate::exports::{download, file, read_zip, start_export, wait_export};
use crate::imports::{manifest, root_folder, tree, upload_archive, wait_import, zip_of};
use crate::{assert_problem, content, json_ok};

const ADMIN: &[&str] = &["mesdonnees.admin"];

fn as_admin(app: &TestApp, method: Method, path: &str, rights: &[&str]) -> reqwest::RequestBuilder {
    app.client.request(method, app.url(path)).bearer_auth(app.token_with_rights("root", rights))
}

/// Files of an archive with their SHA-256, the manifest's own, the signature and SHA256SUMS
/// left out (they name the export and the time, SHA256SUMS through the read-me's checksum).
fn listing(zip: &[u8]) -> BTreeMap<String, String> {
    let entries = read_zip(zip);
    let manifest: Value = serde_json::from_slice(&entries["manifest.json"]).expect("manifest");
    manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["kind"] != "checksums")
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
        (Method::GET, "/api/v1/admin/users/alice/exports/01a23322-e8f6-776f-aeaa-5b338593ba65"),
        (
            Method::POST,
            "/api/v1/admin/users/alice/exports/01a23322-e8f6-776f-aeaa-5b338593ba65/link",
        ),
        (Method::GET, "/api/v1/admin/users/alice/imports"),
        (Method::POST, "/api/v1/admin/users/alice/imports?apps=all"),
        (
            Method::POST,
            "/api/v1/admin/users/alice/imports/01a23322-e8f6-776f-aeaa-5b338593ba65/cancel",
        ),
        (Method::GET, "/api/v1/admin/audit"),
        (Method::GET, "/api/v1/admin/leavers"),
        (Method::PUT, "/api/v1/admin/leavers/alice"),
        (Method::GET, "/api/v1/admin/leavers/alice"),
        (Method::DELETE, "/api/v1/admin/leavers/alice/link"),
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

/// Uploads `bytes` as an admin into `user`'s account, to import `apps`.
async fn admin_import(app: &TestApp, user: &str, apps: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("reprise.zip"));
    as_admin(app, Method::POST, &format!("/api/v1/admin/users/{user}/imports?apps={apps}"), ADMIN)
        .multipart(form)
        .send()
        .await
        .expect("admin import")
}

/// A hand-made archive of `count` small documents, unsigned.
fn many_documents(count: usize) -> Vec<u8> {
    let files: Vec<(String, Vec<u8>)> = (0..count)
        .map(|i| {
            (
                format!("Documents/Mes documents/doc {i:04}.txt"),
                format!("document {i}").into_bytes(),
            )
        })
        .collect();
    let listed: Vec<(&str, &[u8])> =
        files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let manifest = manifest(&listed);
    let mut entries = listed;
    entries.push(("manifest.json", &manifest));
    zip_of(&entries)
}

#[tokio::test]
async fn an_admin_imports_an_archive_into_a_user_in_one_call() {
    let app = TestApp::spawn().await;
    file(&app, "alice", "cours.odt", &content(30_000, 1), None).await;
    file(&app, "alice", "photo.jpg", &content(70_000, 2), None).await;
    let export = start_export(&app, "alice", json!({})).await;
    let export_id = export["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_export(&app, "alice", &export_id).await["status"], "ready");
    let archive = download(&app, "alice", &export_id).await;

    // Bob holds no right at all: the administrator's import brings everything in anyway.
    let made = json_ok(admin_import(&app, "bob", "all", archive.clone()).await, 202).await;
    let id = made["id"].as_str().expect("id").to_owned();
    let done = wait_import(&app, "bob", &id, &["analysing", "queued", "running"]).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["selected_apps"], json!(["workspace"]));
    assert_eq!(done["analysis"]["signature"]["status"], "valid");
    let report = &done["report"]["apps"]["workspace"];
    assert_eq!(report["failed"], 0, "{report}");
    let folder = report["folder"].as_str().expect("folder");
    let theirs = tree(&app, "bob", &root_folder(&app, "bob", folder).await).await;
    let sha = |b: &[u8]| hex::encode(sha2::Sha256::digest(b));
    let expected: BTreeMap<String, String> = [
        ("Mes documents/cours.odt".to_owned(), sha(&content(30_000, 1))),
        ("Mes documents/photo.jpg".to_owned(), sha(&content(70_000, 2))),
    ]
    .into();
    assert_eq!(theirs, expected);

    // Apps the archive does not hold: nothing imported, said so.
    let none = json_ok(admin_import(&app, "carol", "cahier", archive.clone()).await, 202).await;
    let none_id = none["id"].as_str().expect("id").to_owned();
    let failed = wait_import(&app, "carol", &none_id, &["analysing", "queued", "running"]).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["error"]["code"], "nothing_importable");
    assert_eq!(failed["analysis"]["apps"][0]["id"], "workspace", "the analysis is kept");
    for bad in ["", "Pas%20une%20app"] {
        assert_problem(
            admin_import(&app, "carol", bad, archive.clone()).await,
            422,
            "invalid_request",
        )
        .await;
    }
    let raw =
        as_admin(&app, Method::POST, "/api/v1/admin/users/dave/imports?apps=workspace", ADMIN)
            .header("content-type", "application/zip")
            .body(archive)
            .send()
            .await
            .expect("raw upload");
    let raw = json_ok(raw, 202).await;
    let raw_id = raw["id"].as_str().expect("id").to_owned();
    assert_eq!(
        wait_import(&app, "dave", &raw_id, &["analysing", "queued", "running"]).await["status"],
        "done"
    );

    let audit = json_ok(
        as_admin(&app, Method::GET, "/api/v1/admin/audit?user_id=bob", ADMIN)
            .send()
            .await
            .expect("audit"),
        200,
    )
    .await;
    assert_eq!(audit["items"][0]["action"], "import.create");
    assert_eq!(audit["items"][0]["resource_id"], id.as_str());
    app.stop().await;
}

#[tokio::test]
async fn an_admin_cancels_an_import_waiting_or_running() {
    let app = TestApp::spawn_with(|config| {
        config.exports.progress_interval_ms = 20;
        config.limits.user_quota_bytes = 64 * 1024 * 1024;
    })
    .await;
    // Waiting: analysed, never launched. It ends at once and its upload goes.
    let waiting = json_ok(upload_archive(&app, "bob", many_documents(3)).await, 202).await;
    let waiting_id = waiting["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_import(&app, "bob", &waiting_id, &["analysing"]).await["status"], "analysed");
    let cancel = |user: &str, id: &str| {
        as_admin(
            &app,
            Method::POST,
            &format!("/api/v1/admin/users/{user}/imports/{id}/cancel"),
            ADMIN,
        )
    };
    let cancelled = json_ok(cancel("bob", &waiting_id).send().await.expect("cancel"), 202).await;
    assert_eq!(cancelled["status"], "failed");
    assert_eq!(cancelled["error"]["code"], "import_cancelled");
    let key = object_store::path::Path::from(format!("imports/{waiting_id}.zip"));
    mesdonnees_tests::eventually(std::time::Duration::from_secs(20), "upload purged", || async {
        app.ctx.storage.store.head(&key).await.is_err().then_some(())
    })
    .await;
    assert_problem(cancel("alice", &waiting_id).send().await.expect("cancel"), 404, "not_found")
        .await;

    // Running: it stops between two entries and reports what it made, every document of it.
    let total = 1500;
    let made = json_ok(admin_import(&app, "carol", "all", many_documents(total)).await, 202).await;
    let id = made["id"].as_str().expect("id").to_owned();
    wait_import(&app, "carol", &id, &["analysing", "queued"]).await;
    let asked = json_ok(cancel("carol", &id).send().await.expect("cancel"), 202).await;
    assert_eq!(asked["status"], "running", "asked while it runs: {asked}");
    let ended = wait_import(&app, "carol", &id, &["running"]).await;
    assert_eq!(ended["status"], "failed", "{ended}");
    assert_eq!(ended["error"]["code"], "import_cancelled");
    let report = &ended["report"]["apps"]["workspace"];
    let imported = report["imported"].as_u64().expect("imported");
    // The import's folder and "Mes documents" are counted with the files. A stop asked after
    // the last entry still ends it cancelled, with everything imported.
    assert!(imported > 2 && imported <= total as u64 + 1, "stopped at an entry: {report}");
    let folder = report["folder"].as_str().expect("folder");
    let root = crate::list_folder(&app, "carol", &root_folder(&app, "carol", folder).await).await;
    let mine = root["items"][0]["id"].as_str().expect("Mes documents");
    let listed = json_ok(
        app.get(&format!("/api/v1/documents?folder_id={mine}&per_page=1"), "carol")
            .send()
            .await
            .expect("list"),
        200,
    )
    .await;
    assert_eq!(
        listed["total"].as_u64(),
        Some(imported - 1),
        "the report counts what is there: {report}"
    );
    let again = json_ok(cancel("carol", &id).send().await.expect("cancel"), 202).await;
    assert_eq!(again["status"], "failed", "an ended import is answered as it is");

    let audit = json_ok(
        as_admin(&app, Method::GET, "/api/v1/admin/audit?user_id=carol", ADMIN)
            .send()
            .await
            .expect("audit"),
        200,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["import.cancel", "import.cancel", "import.create"]);
    app.stop().await;
}
