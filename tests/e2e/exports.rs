//! Exports end to end: from "Télécharger mes données" to the zip opened by an independent
//! reader, checked file by file against what was uploaded and against the signed manifest.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::time::Duration;

use mesdonnees_shared::archive::{FileKind, Manifest};
use mesdonnees_tests::{TestApp, eventually};
use object_store::ObjectStoreExt;
use object_store::path::Path;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{assert_problem, content, folder, json_ok, share, upload};

pub(crate) async fn file(
    app: &TestApp,
    user: &str,
    name: &str,
    bytes: &[u8],
    parent: Option<&str>,
) -> String {
    let body = json_ok(upload(app, user, name, bytes.to_vec(), parent).await, 201).await;
    body["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn start_export(app: &TestApp, user: &str, body: Value) -> Value {
    json_ok(app.post("/api/v1/exports", user).json(&body).send().await.expect("export"), 202).await
}

/// Polls the export until it is no longer queued or running; checks progress never goes back.
pub(crate) async fn wait_export(app: &TestApp, user: &str, id: &str) -> Value {
    let last_bytes = std::cell::Cell::new(0);
    eventually(Duration::from_secs(300), "export finished", || async {
        let export = json_ok(
            app.get(&format!("/api/v1/exports/{id}"), user).send().await.expect("get"),
            200,
        )
        .await;
        let bytes = export["progress"]["bytes_done"].as_i64().unwrap_or(0);
        assert!(bytes >= last_bytes.get() || export["status"] != "running", "progress went back");
        last_bytes.set(bytes);
        (!matches!(export["status"].as_str(), Some("queued" | "running"))).then_some(export)
    })
    .await
}

pub(crate) async fn download(app: &TestApp, user: &str, id: &str) -> Vec<u8> {
    let response =
        app.get(&format!("/api/v1/exports/{id}/download"), user).send().await.expect("download");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("bytes").to_vec()
}

pub(crate) fn read_zip(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a valid zip");
    let mut out = HashMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("entry data (CRC checked by the reader)");
        out.insert(entry.name().expect("a UTF-8 entry name").into_owned(), data);
    }
    out
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one walkthrough, read top to bottom")]
async fn an_export_holds_every_document_byte_for_byte_and_is_signed() {
    // Large enough for a file past the whole-entry limit, which is then streamed.
    let app =
        TestApp::spawn_with(|config| config.documents.max_upload_bytes = 8 * 1024 * 1024).await;
    let cours = folder(&app, "alice", "Cours", None).await;
    let francais = folder(&app, "alice", "Français", Some(&cours)).await;
    let poemes = folder(&app, "alice", "Poèmes: été?", Some(&francais)).await;
    let _empty = folder(&app, "alice", "Vide", None).await;
    let big = content(2 * 1024 * 1024 + 17, 5);
    let text = "Le corbeau et le renard\n".repeat(4000).into_bytes();
    let mut expected: Vec<(&str, Vec<u8>)> = vec![
        // Same names, compared ignoring case: sorted by name, then by age.
        ("Documents/Mes documents/Cours/Français/Poèmes_ été_/FABLE.txt", b"encore".to_vec()),
        ("Documents/Mes documents/Cours/Français/Poèmes_ été_/fable (2).txt", text.clone()),
        ("Documents/Mes documents/Cours/Français/Poèmes_ été_/fable (3).txt", b"autre".to_vec()),
        ("Documents/Mes documents/Cours/vidéo.bin", big.clone()),
        ("Documents/Mes documents/vide.txt", Vec::new()),
        ("Documents/Mes documents/exposé.pdf", content(300_000, 1)),
    ];
    file(&app, "alice", "fable.txt", &text, Some(&poemes)).await;
    file(&app, "alice", "fable.txt", b"autre", Some(&poemes)).await;
    file(&app, "alice", "FABLE.txt", b"encore", Some(&poemes)).await;
    file(&app, "alice", "vidéo.bin", &big, Some(&cours)).await;
    file(&app, "alice", "vide.txt", b"", None).await;
    file(&app, "alice", "exposé.pdf", &content(300_000, 1), None).await;
    let shared = file(&app, "bob", "partage.txt", b"de la part de bob", None).await;
    share(&app, "bob", &shared, "alice").await;
    expected.push(("Documents/Partagés avec moi/partage.txt", b"de la part de bob".to_vec()));

    let apps = json_ok(app.get("/api/v1/apps", "alice").send().await.expect("apps"), 200).await;
    assert_eq!(apps[0]["id"], "workspace");
    assert_eq!(apps[0]["version"], "1.0");
    let estimate = json_ok(
        app.get("/api/v1/exports/estimate?apps=workspace", "alice").send().await.expect("estimate"),
        200,
    )
    .await;
    let total_bytes: usize = expected.iter().map(|(_, b)| b.len()).sum();
    assert_eq!(estimate["files"], expected.len() + 1, "files and the metadata file");
    assert_eq!(estimate["bytes"], total_bytes);
    assert_eq!(estimate["fits_quota"], true);
    assert_eq!(estimate["unestimated_apps"], json!([]));
    assert_eq!(
        estimate["by_app"],
        json!({"workspace": {"files": expected.len() + 1, "bytes": total_bytes}})
    );

    let created = start_export(&app, "alice", json!({"name": "Mon année 2026 — 5e B"})).await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(matches!(created["status"].as_str(), Some("queued" | "running" | "ready")));
    let export = wait_export(&app, "alice", &id).await;
    assert_eq!(export["status"], "ready", "{export}");
    assert_eq!(export["outcomes"]["workspace"]["status"], "ok");
    assert_eq!(export["progress"]["files_done"], export["progress"]["files_total"]);
    assert!(export["expires_at"].is_string());

    let bytes = download(&app, "alice", &id).await;
    assert_eq!(export["size"], bytes.len());
    assert_eq!(export["sha256"], hex::encode(Sha256::digest(&bytes)));
    // Kept for .ci/run, which checks it with unzip and Python's zipfile too.
    let sample = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("export-sample.zip");
    std::fs::write(&sample, &bytes).expect("sample archive written");
    let entries = read_zip(&bytes);
    for (path, data) in &expected {
        let got = entries
            .get(*path)
            .unwrap_or_else(|| panic!("{path} missing; archive has {:?}", entries.keys()));
        assert_eq!(got, data, "{path} differs");
    }
    for dir in ["Documents/Mes documents/Cours/", "Documents/Mes documents/Vide/"] {
        assert!(entries.contains_key(dir), "folder entry {dir}");
    }
    assert!(entries.contains_key("LISEZMOI.txt"));
    assert!(entries.contains_key("Documents/workspace.json"));

    // The manifest lists every file with its checksum, and its signature verifies.
    let manifest: Manifest = serde_json::from_slice(&entries["manifest.json"]).expect("manifest");
    assert_eq!(manifest.format, "mesdonnees-archive");
    assert_eq!(manifest.format_version, 1);
    assert_eq!(manifest.archive_id, id);
    assert_eq!(manifest.owner.id, "alice");
    assert_eq!(manifest.apps["workspace"].entries, expected.len() as u64 + 1);
    for file in &manifest.files {
        let data = &entries[&file.path];
        assert_eq!(file.size, data.len() as u64, "{}", file.path);
        assert_eq!(file.sha256, hex::encode(Sha256::digest(data)), "{}", file.path);
    }
    let (viewer, files): (Vec<_>, Vec<_>) =
        manifest.files.iter().partition(|f| f.kind == Some(FileKind::Viewer));
    assert_eq!(files.len(), expected.len() + 2, "the files, workspace.json, SHA256SUMS");
    // Its pages for people: the stylesheet, one page per folder (the root, Documents, its two
    // sections and four folders), the home page.
    assert_eq!(viewer.len(), 10, "{viewer:?}");
    assert!(viewer.iter().all(|f| f.app.is_empty()));
    let sums = manifest.files.last().expect("SHA256SUMS, the last file listed");
    assert_eq!((sums.path.as_str(), sums.app.as_str()), ("SHA256SUMS", ""));
    assert_eq!(sums.kind, Some(FileKind::Checksums));
    let signature = String::from_utf8(entries["manifest.sig"].clone()).expect("utf-8");
    let signer = app.ctx.signer().await.expect("signer");
    let claims = signer.verify_manifest(&signature).expect("signature verifies");
    assert_eq!(claims.manifest_sha256, hex::encode(Sha256::digest(&entries["manifest.json"])));
    assert_eq!(claims.archive_id, id);

    // The listing, for a preview.
    let listing = json_ok(
        app.get(&format!("/api/v1/exports/{id}/entries?per_page=200"), "alice")
            .send()
            .await
            .expect("entries"),
        200,
    )
    .await;
    assert_eq!(listing["total"], manifest.files.len() - 1, "all but SHA256SUMS");

    // A range from the middle of the archive, then a signed link without a bearer header.
    let middle = bytes.len() / 2;
    let part = app
        .get(&format!("/api/v1/exports/{id}/download"), "alice")
        .header("range", format!("bytes={}-{}", middle, middle + 999))
        .send()
        .await
        .expect("range");
    assert_eq!(part.status(), 206);
    assert_eq!(part.bytes().await.expect("bytes").as_ref(), &bytes[middle..middle + 1000]);
    let disposition =
        app.get(&format!("/api/v1/exports/{id}/download"), "alice").send().await.expect("get");
    let disposition =
        disposition.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''Mon%20ann%C3%A9e%202026%20%E2%80%94%205e%20B.zip"),
        "{disposition}"
    );
    let link = json_ok(
        app.post(&format!("/api/v1/exports/{id}/link"), "alice").send().await.expect("link"),
        200,
    )
    .await;
    let url = link["url"].as_str().expect("url");
    if app.on_s3() {
        check_presigned_link(&app, url, &format!("documents/{shared}"), &bytes).await;
    } else {
        check_api_link(&app, url, &bytes).await;
    }

    // The timeline says it is ready.
    let timeline = json_ok(
        app.get("/api/v1/notifications", "alice").send().await.expect("notifications"),
        200,
    )
    .await;
    assert_eq!(timeline["unread"], 1);
    assert_eq!(timeline["items"][0]["kind"], "export_ready");
    assert_eq!(timeline["items"][0]["details"]["export_id"], id.as_str());
    assert_eq!(timeline["items"][0]["details"]["name"], "Mon année 2026 — 5e B");
    let note_id = timeline["items"][0]["id"].as_str().expect("id");
    let read = json_ok(
        app.post(&format!("/api/v1/notifications/{note_id}/read"), "alice")
            .send()
            .await
            .expect("read"),
        200,
    )
    .await;
    assert!(read["read_at"].is_string());
    let foreign_read = app
        .post(&format!("/api/v1/notifications/{note_id}/read"), "bob")
        .send()
        .await
        .expect("read");
    assert_problem(foreign_read, 404, "not_found").await;

    // Another user sees nothing of it.
    for path in [
        format!("/api/v1/exports/{id}"),
        format!("/api/v1/exports/{id}/download"),
        format!("/api/v1/exports/{id}/entries"),
    ] {
        assert_problem(app.get(&path, "bob").send().await.expect("get"), 404, "not_found").await;
    }

    // Deleting it removes the row and, through a job, the archive.
    let deleted =
        app.delete(&format!("/api/v1/exports/{id}"), "alice").send().await.expect("delete");
    assert_eq!(deleted.status(), 204);
    assert_problem(
        app.get(&format!("/api/v1/exports/{id}"), "alice").send().await.expect("get"),
        404,
        "not_found",
    )
    .await;
    let key = Path::from(format!("exports/{id}.zip"));
    eventually(Duration::from_secs(20), "archive purged", || async {
        app.ctx.storage.store.head(&key).await.is_err().then_some(())
    })
    .await;
    app.stop().await;
}

/// The service's own link: its token opens this export's download route, and no other.
async fn check_api_link(app: &TestApp, url: &str, bytes: &[u8]) {
    // Absolute, so that a page of another origin does not resolve it against its own.
    assert!(url.starts_with(&app.url("/api/v1/exports/")), "{url}");
    let via_link = app.client.get(url).send().await.expect("link download");
    assert_eq!(via_link.status(), 200);
    assert_eq!(via_link.bytes().await.expect("bytes").as_ref(), bytes);
    let tampered = app.client.get(format!("{url}x")).send().await.expect("tampered");
    assert_problem(tampered, 403, "invalid_link").await;
    let other_id = "00000000-0000-7000-8000-000000000000";
    let token = url.split("token=").nth(1).expect("token");
    let elsewhere = app
        .client
        .get(app.url(&format!("/api/v1/exports/{other_id}/download?token={token}")))
        .send()
        .await
        .expect("elsewhere");
    assert_problem(elsewhere, 403, "invalid_link").await;
}

/// On S3 the link is a presigned URL of the store: the store serves the archive to anyone
/// holding it, and refuses it once altered or expired.
async fn check_presigned_link(app: &TestApp, url: &str, other_key: &str, bytes: &[u8]) {
    let endpoint = app.ctx.config.storage.s3_endpoint.as_deref().expect("an S3 endpoint");
    assert!(url.starts_with(endpoint), "{url} is not on the store at {endpoint}");
    let parsed = url::Url::parse(url).expect("an absolute URL");
    let query: HashMap<String, String> = parsed.query_pairs().into_owned().collect();
    assert_eq!(query["X-Amz-Expires"], app.ctx.config.exports.link_ttl_secs.to_string());
    assert!(
        query["response-content-disposition"]
            .ends_with("filename*=UTF-8''Mon%20ann%C3%A9e%202026%20%E2%80%94%205e%20B.zip"),
        "{query:?}"
    );
    let direct = app.client.get(url).send().await.expect("presigned download");
    assert_eq!(direct.status(), 200);
    assert_eq!(direct.bytes().await.expect("bytes").as_ref(), bytes, "not the same archive");

    let archive_path = parsed.path().to_owned();
    // Another object that exists: only the signature ties the link to its own.
    let mut other = parsed.clone();
    other.set_path(&format!("{}/{other_key}", bucket_path(&archive_path)));
    // Rebuilt unchanged, the link still works: what is refused below is the change alone.
    let rebuilt = with_query(&parsed, "X-Amz-Expires", &query["X-Amz-Expires"]);
    let response = app.client.get(rebuilt.clone()).send().await.expect("rebuilt link");
    assert_eq!(response.status(), 200, "the store refused {rebuilt}");
    let renamed = with_query(&parsed, "response-content-disposition", "attachment; filename=x.zip");
    let forged = with_query(&parsed, "X-Amz-Signature", &"0".repeat(64));
    for altered in [other, renamed, forged] {
        let response = app.client.get(altered.clone()).send().await.expect("altered link");
        assert_eq!(response.status(), 403, "the store accepted {altered}");
    }

    let presigner = app.ctx.storage.presigner.as_ref().expect("presigned links on S3");
    let bucket = bucket_path(&archive_path);
    let key = archive_path.strip_prefix(&format!("{bucket}/")).expect("a path-style URL");
    // Two seconds: the signing time is written to the second, so a one-second link could
    // already look expired on arrival.
    let short =
        presigner.get_url(key, Duration::from_secs(2), &[]).await.expect("a two-second link");
    let fresh = app.client.get(short.clone()).send().await.expect("fresh link");
    assert_eq!(fresh.status(), 200, "the store refused a fresh link {short}");
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let expired = app.client.get(short.clone()).send().await.expect("expired link");
    assert_eq!(expired.status(), 403, "the store accepted an expired link {short}");
}

/// `/bucket` of a path-style object path `/bucket/key…`.
fn bucket_path(path: &str) -> String {
    let bucket = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    format!("/{bucket}")
}

/// `url` with the value of one query parameter replaced.
fn with_query(url: &url::Url, name: &str, value: &str) -> url::Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            if k == name {
                (k.into_owned(), value.to_owned())
            } else {
                (k.into_owned(), v.into_owned())
            }
        })
        .collect();
    let mut changed = url.clone();
    changed.query_pairs_mut().clear().extend_pairs(pairs);
    changed
}

#[tokio::test]
async fn one_export_at_a_time_and_clear_refusals() {
    let app = TestApp::spawn_api_only().await;
    let first = start_export(&app, "alice", json!({})).await;
    assert_eq!(first["status"], "queued");
    let first_id = first["id"].as_str().expect("id");
    // The same request again is the same export; another one waits for it.
    let same = app.post("/api/v1/exports", "alice").json(&json!({})).send().await.expect("same");
    assert_eq!(json_ok(same, 200).await["id"], first["id"]);
    // The facts of a refusal (here the export to wait for) are given to English answers.
    let second = app
        .post("/api/v1/exports", "alice")
        .header("accept-language", "en")
        .json(&json!({"filters": {"formats": ["pdf"]}}))
        .send()
        .await
        .expect("second");
    let body = assert_problem(second, 409, "export_in_progress").await;
    assert!(body["detail"].as_str().unwrap_or_default().contains(first_id));
    // Another user is not blocked by alice's export.
    start_export(&app, "bob", json!({})).await;

    for (body, code) in [
        (json!({"apps": ["blog"]}), "unknown_app"),
        (json!({"apps": []}), "unknown_app"),
        (json!({"filters": {"formats": ["pictures"]}}), "invalid_filter"),
        (json!({"filters": {"since": "2999-01-01T00:00:00Z"}}), "invalid_filter"),
        (json!({"name": ""}), "invalid_name"),
        (json!({"notify_email": "not-an-address"}), "invalid_request"),
        (json!({"colour": "red"}), "invalid_request"),
    ] {
        let response = app.post("/api/v1/exports", "carol").json(&body).send().await.expect("post");
        assert_problem(response, 422, code).await;
    }
    let estimate =
        app.get("/api/v1/exports/estimate?apps=blog", "carol").send().await.expect("estimate");
    assert_problem(estimate, 422, "unknown_app").await;

    let not_ready = app
        .get(&format!("/api/v1/exports/{first_id}/download"), "alice")
        .send()
        .await
        .expect("download");
    assert_problem(not_ready, 409, "not_ready").await;
    let no_link =
        app.post(&format!("/api/v1/exports/{first_id}/link"), "alice").send().await.expect("link");
    assert_problem(no_link, 409, "not_ready").await;

    // Cancelling frees the slot; the cancelled export stays listed.
    let cancelled =
        app.delete(&format!("/api/v1/exports/{first_id}"), "alice").send().await.expect("cancel");
    assert_eq!(cancelled.status(), 204);
    let listed =
        json_ok(app.get("/api/v1/exports", "alice").send().await.expect("list"), 200).await;
    assert_eq!(listed["items"][0]["status"], "cancelled");
    start_export(&app, "alice", json!({"apps": ["workspace"]})).await;
    let listed =
        json_ok(app.get("/api/v1/exports", "alice").send().await.expect("list"), 200).await;
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["items"][0]["status"], "queued", "newest first");
    app.stop().await;
}

#[tokio::test]
async fn a_missing_file_makes_its_app_incomplete_not_the_export_failed() {
    let app = TestApp::spawn().await;
    file(&app, "alice", "garde.txt", b"kept", None).await;
    let lost = file(&app, "alice", "perdu.txt", b"lost", None).await;
    app.ctx
        .storage
        .store
        .delete(&Path::from(format!("documents/{lost}")))
        .await
        .expect("remove object");
    let created = start_export(&app, "alice", json!({})).await;
    let export = wait_export(&app, "alice", created["id"].as_str().expect("id")).await;
    assert_eq!(export["status"], "ready");
    assert_eq!(export["outcomes"]["workspace"]["status"], "failed");
    assert_eq!(export["outcomes"]["workspace"]["code"], "object_missing");
    let entries = read_zip(&download(&app, "alice", export["id"].as_str().expect("id")).await);
    assert_eq!(entries["Documents/Mes documents/garde.txt"], b"kept");
    assert!(!entries.contains_key("Documents/Mes documents/perdu.txt"));
    let timeline =
        json_ok(app.get("/api/v1/notifications", "alice").send().await.expect("list"), 200).await;
    assert_eq!(timeline["items"][0]["details"]["failed_apps"][0]["app"], "workspace");
    app.stop().await;
}

#[tokio::test]
async fn filters_choose_the_files() {
    let app = TestApp::spawn().await;
    file(&app, "alice", "notes.txt", b"texte", None).await;
    file(&app, "alice", "photo.jpg", &content(1000, 2), None).await;
    file(&app, "alice", "cours.odt", &content(1000, 3), None).await;
    let created =
        start_export(&app, "alice", json!({"filters": {"formats": ["image", ".odt"]}})).await;
    let export = wait_export(&app, "alice", created["id"].as_str().expect("id")).await;
    let entries = read_zip(&download(&app, "alice", export["id"].as_str().expect("id")).await);
    assert!(entries.contains_key("Documents/Mes documents/photo.jpg"));
    assert!(entries.contains_key("Documents/Mes documents/cours.odt"));
    assert!(!entries.contains_key("Documents/Mes documents/notes.txt"));
    app.stop().await;
}

#[tokio::test]
async fn expired_archives_are_removed_and_gone() {
    let app = TestApp::spawn().await;
    file(&app, "alice", "a.txt", b"a", None).await;
    let created = start_export(&app, "alice", json!({})).await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_export(&app, "alice", &id).await["status"], "ready");
    // As if the expiry date had passed.
    let row = id.clone();
    app.ctx
        .db
        .run(move |conn| {
            use diesel::prelude::*;
            use mesdonnees_db::schema::exports;
            let past = (chrono::Utc::now() - chrono::Duration::hours(1)).naive_utc();
            diesel::update(exports::table.find(&row))
                .set(exports::expires_at.eq(Some(past)))
                .execute(conn)
                .map_err(mesdonnees_db::DbError::from)
        })
        .await
        .expect("expire");
    let export = eventually(Duration::from_secs(20), "export expired", || async {
        let export = json_ok(
            app.get(&format!("/api/v1/exports/{id}"), "alice").send().await.expect("get"),
            200,
        )
        .await;
        (export["status"] == "expired").then_some(export)
    })
    .await;
    assert_eq!(export["status"], "expired");
    let gone =
        app.get(&format!("/api/v1/exports/{id}/download"), "alice").send().await.expect("download");
    assert_problem(gone, 410, "export_expired").await;
    assert!(app.ctx.storage.store.head(&Path::from(format!("exports/{id}.zip"))).await.is_err());
    app.stop().await;
}

#[tokio::test]
async fn a_document_shared_twice_is_exported_once_in_its_folder() {
    let app = TestApp::spawn().await;
    let classe = folder(&app, "bob", "Classe", None).await;
    let sheet = file(&app, "bob", "fiche.txt", b"fiche", Some(&classe)).await;
    for id in [&classe, &sheet] {
        share(&app, "bob", id, "alice").await;
    }
    let created = start_export(&app, "alice", json!({})).await;
    let export = wait_export(&app, "alice", created["id"].as_str().expect("id")).await;
    let entries = read_zip(&download(&app, "alice", export["id"].as_str().expect("id")).await);
    assert_eq!(entries["Documents/Partagés avec moi/Classe/fiche.txt"], b"fiche");
    assert!(!entries.contains_key("Documents/Partagés avec moi/fiche.txt"), "listed once");
    app.stop().await;
}

#[tokio::test]
async fn the_archive_quota_counts_ready_archives_and_sizes_a_table_as_a_table() {
    let app = TestApp::spawn_with(|config| {
        config.exports.user_archive_quota_bytes = 30_000;
        config.exports.reuse_window_secs = 0;
    })
    .await;
    file(&app, "alice", "cours.bin", &content(20_000, 1), None).await;
    let first = start_export(&app, "alice", json!({})).await;
    let first_id = first["id"].as_str().expect("id").to_owned();
    let ready = wait_export(&app, "alice", &first_id).await;
    assert_eq!(ready["status"], "ready", "{ready}");

    // Another archive of the same would pass the quota next to the first.
    let estimate =
        json_ok(app.get("/api/v1/exports/estimate", "alice").send().await.expect("estimate"), 200)
            .await;
    assert_eq!(estimate["fits_quota"], false, "{estimate}");
    let refused = app.post("/api/v1/exports", "alice").header("accept-language", "en");
    let refused = refused.json(&json!({})).send().await.expect("post");
    let body = assert_problem(refused, 422, "archive_quota_exceeded").await;
    assert!(body["detail"].as_str().unwrap_or_default().contains("30000-byte"), "{body}");

    // A table of the same files lists them: it is estimated and sized as a table, and fits.
    let as_table = app.get("/api/v1/exports/estimate?kind=table", "alice").send().await;
    let as_table = json_ok(as_table.expect("estimate"), 200).await;
    assert_eq!(as_table["fits_quota"], true, "{as_table}");
    assert!(as_table["bytes"].as_u64() < estimate["bytes"].as_u64(), "{as_table} {estimate}");
    assert_eq!(as_table["by_app"]["workspace"]["bytes"], as_table["bytes"], "{as_table}");
    let table =
        start_export(&app, "alice", json!({"kind": "table", "table": {"format": "csv"}})).await;
    let table = wait_export(&app, "alice", table["id"].as_str().expect("id")).await;
    assert_eq!(table["status"], "ready", "{table}");
    assert!(table["size"].as_u64().expect("size") < 1_000, "{table}");

    // Deleting the first archive gives its room back.
    let deleted =
        app.delete(&format!("/api/v1/exports/{first_id}"), "alice").send().await.expect("delete");
    assert_eq!(deleted.status(), 204);
    start_export(&app, "alice", json!({})).await;
    app.stop().await;
}
