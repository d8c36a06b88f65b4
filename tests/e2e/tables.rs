//! Tabular exports (csv, xlsx, ods), the index of an archive, saved templates and the reuse of
//! an identical export, read back with independent readers.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader};
use mesdonnees_tests::TestApp;
use mesdonnees_tests::cahier::WithCahier;
use mesdonnees_tests::reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::exports::{download, file, read_zip, start_export, wait_export};
use crate::{assert_problem, content, folder, json_ok, share};

const FIELDS: [&str; 9] =
    ["name", "path", "app", "type", "size", "sha256", "owner", "shared_by", "cahier.subject"];

/// A table as rows of text, whatever its format, header first.
pub(crate) fn rows_of(format: &str, bytes: &[u8]) -> Vec<Vec<String>> {
    let text = |c: &Data| match c {
        Data::Empty => String::new(),
        Data::Float(f) => format!("{f}"),
        other => other.to_string(),
    };
    match format {
        "csv" => {
            let body =
                bytes.strip_prefix("\u{feff}".as_bytes()).expect("a CSV starting with a BOM");
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(body);
            reader
                .records()
                .map(|r| r.expect("a record").iter().map(str::to_owned).collect())
                .collect()
        }
        "xlsx" => {
            let mut book = calamine::Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx");
            let range = book.worksheet_range("Mes données").expect("its sheet");
            range.rows().map(|r| r.iter().map(text).collect()).collect()
        }
        "ods" => {
            let mut book = calamine::Ods::new(Cursor::new(bytes.to_vec())).expect("an ods");
            let range = book.worksheet_range("Mes données").expect("its sheet");
            range.rows().map(|r| r.iter().map(text).collect()).collect()
        }
        other => panic!("no reader for {other}"),
    }
}

async fn cahier_entry(with: &WithCahier, user: &str, title: &str, subject: &str) -> String {
    let body = json!({"title": title, "subject": subject, "due_date": "2026-12-14", "content_html": "<p>…</p>"});
    let created = json_ok(
        with.cahier_post("/api/entries", user).json(&body).send().await.expect("entry"),
        201,
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one walkthrough over three formats")]
async fn a_table_lists_documents_and_app_resources_in_each_format() {
    let with = WithCahier::spawn(|config| config.exports.reuse_window_secs = 0).await;
    let app = &with.app;
    let classe = folder(app, "alice", "Classe de 6e", None).await;
    file(app, "alice", "Élève, \"portrait\".jpg", &content(40_000, 1), Some(&classe)).await;
    file(app, "alice", "=cmd.txt", b"pas une formule", None).await;
    let shared = file(app, "bob", "planning été.ods", &content(5_000, 2), None).await;
    share(app, "bob", &shared, "alice").await;
    let entry = cahier_entry(&with, "alice", "Fractions", "Mathématiques").await;
    let form = Form::new().part(
        "file",
        Part::bytes(b"%PDF-1.4 exercices".to_vec())
            .file_name("exercices.pdf")
            .mime_str("application/pdf")
            .expect("a media type"),
    );
    json_ok(
        with.cahier_post(&format!("/api/entries/{entry}/attachments"), "alice")
            .multipart(form)
            .send()
            .await
            .expect("attach"),
        201,
    )
    .await;

    let mut sizes = BTreeMap::new();
    for format in ["csv", "xlsx", "ods"] {
        let body = json!({"kind": "table", "apps": ["workspace", "cahier"], "table": {"format": format, "fields": FIELDS}});
        let export = start_export(app, "alice", body).await;
        assert_eq!(
            (export["kind"].as_str(), export["table"]["format"].as_str()),
            (Some("table"), Some(format))
        );
        let id = export["id"].as_str().expect("id").to_owned();
        let ready = wait_export(app, "alice", &id).await;
        assert_eq!(ready["status"], "ready", "{ready}");
        assert_eq!(ready["outcomes"]["cahier"]["status"], "ok", "{ready}");
        let response = app
            .get(&format!("/api/v1/exports/{id}/download"), "alice")
            .send()
            .await
            .expect("download");
        assert_eq!(response.status(), 200);
        let disposition =
            response.headers()["content-disposition"].to_str().unwrap_or_default().to_owned();
        assert!(disposition.contains(&format!(".{format}")), "{disposition}");
        let bytes = response.bytes().await.expect("bytes").to_vec();
        assert_eq!(ready["size"].as_u64(), Some(bytes.len() as u64));
        let rows = rows_of(format, &bytes);
        assert_eq!(
            rows[0],
            [
                "Nom",
                "Chemin",
                "Application",
                "Type",
                "Taille (octets)",
                "SHA-256",
                "Propriétaire",
                "Partagé par",
                "Matière"
            ],
            "{format}: the header"
        );
        // Three documents, the entry and its attachment.
        assert_eq!(rows.len(), 1 + 5, "{format}: {rows:?}");
        let by_name: BTreeMap<&str, &Vec<String>> =
            rows[1..].iter().map(|r| (r[0].as_str(), r)).collect();
        let portrait = by_name["Élève, \"portrait\".jpg"];
        assert_eq!(
            portrait[1], "Documents/Mes documents/Classe de 6e/Élève, _portrait_.jpg",
            "{format}"
        );
        assert_eq!(
            (portrait[2].as_str(), portrait[4].as_str(), portrait[6].as_str()),
            ("workspace", "40000", "alice")
        );
        assert_eq!(portrait[5].len(), 64, "a SHA-256");
        let planning = by_name["planning été.ods"];
        assert_eq!(
            (planning[6].as_str(), planning[7].as_str()),
            ("bob", "bob"),
            "{format}: shared by its owner"
        );
        let formula = if format == "csv" { "'=cmd.txt" } else { "=cmd.txt" };
        assert!(
            by_name.contains_key(formula),
            "{format}: a cell that looks like a formula stays text: {rows:?}"
        );
        let resource = rows[1..].iter().find(|r| r[3] == "resource").expect("the cahier entry");
        assert_eq!(
            (resource[2].as_str(), resource[8].as_str()),
            ("cahier", "Mathématiques"),
            "{format}"
        );
        assert!(resource[1].starts_with("Cahier de textes/entrees/"), "{format}: {resource:?}");
        let attachment = by_name["exercices.pdf"];
        assert_eq!(
            (attachment[3].as_str(), attachment[8].as_str()),
            ("application/pdf", ""),
            "{format}"
        );
        sizes.insert(format, bytes.len());
        if format == "csv" {
            keep_sample(&bytes, &rows);
        }
    }
    assert!(sizes.values().all(|s| *s > 0));
    with.stop().await;
}

/// Leaves the CSV and what it must read as, for `.ci/run` to check with Python's csv module.
fn keep_sample(bytes: &[u8], rows: &[Vec<String>]) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(dir.join("table-sample.csv"), bytes).expect("sample written");
    std::fs::write(dir.join("table-sample.json"), serde_json::to_vec(rows).expect("rows"))
        .expect("expected rows written");
}

#[tokio::test]
async fn a_table_export_is_checked_before_it_is_queued() {
    let app = TestApp::spawn().await;
    for (body, code) in [
        (json!({"kind": "table"}), "invalid_table"),
        (json!({"kind": "table", "table": {"format": "pdf"}}), "invalid_request"),
        (json!({"kind": "table", "table": {"format": "csv", "fields": []}}), "invalid_table"),
        (
            json!({"kind": "table", "table": {"format": "csv", "fields": ["name", "name"]}}),
            "invalid_table",
        ),
        (
            json!({"kind": "table", "table": {"format": "csv", "fields": ["blog.title"]}}),
            "invalid_table",
        ),
        (
            json!({"kind": "table", "table": {"format": "csv", "fields": ["nom"]}}),
            "invalid_request",
        ),
    ] {
        let response = app.post("/api/v1/exports", "alice").json(&body).send().await.expect("post");
        assert_problem(response, 422, code).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn an_archive_carries_its_index_and_still_imports() {
    let app = TestApp::spawn_with(|config| config.exports.reuse_window_secs = 0).await;
    file(&app, "alice", "cours.odt", &content(30_000, 4), None).await;
    file(&app, "alice", "photo.jpg", &content(90_000, 5), None).await;
    let export = start_export(
        &app,
        "alice",
        json!({"table": {"format": "ods", "fields": ["path", "size"]}}),
    )
    .await;
    let id = export["id"].as_str().expect("id").to_owned();
    let ready = wait_export(&app, "alice", &id).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    let zip = download(&app, "alice", &id).await;
    let entries = read_zip(&zip);
    let rows = rows_of("ods", &entries["index.ods"]);
    assert_eq!(rows.len(), 1 + 2, "{rows:?}");
    for row in &rows[1..] {
        let bytes = &entries[row[0].as_str()];
        assert_eq!(row[1], bytes.len().to_string(), "{row:?}");
    }
    let manifest: Value = serde_json::from_slice(&entries["manifest.json"]).expect("manifest");
    let listed = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "index.ods")
        .expect("the index is listed");
    assert_eq!(listed["app"], "");
    // The archive still verifies and imports.
    let analysed = crate::imports::analysed(&app, "bob", zip).await;
    assert_eq!(analysed["status"], "analysed", "{analysed}");
    assert_eq!(analysed["analysis"]["signature"]["status"], "valid", "{analysed}");
    app.stop().await;
}

#[tokio::test]
async fn templates_are_saved_used_and_kept_to_their_owner() {
    let app = TestApp::spawn_with(|config| config.exports.reuse_window_secs = 0).await;
    file(&app, "alice", "cours.odt", &content(3_000, 4), None).await;
    let body = json!({"name": "Liste pour le CDI", "kind": "table", "table": {"format": "csv", "fields": ["name", "size"]}});
    let created = json_ok(
        app.post("/api/v1/export-templates", "alice").json(&body).send().await.expect("create"),
        201,
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(
        (created["kind"].as_str(), created["apps"][0].as_str()),
        (Some("table"), Some("workspace"))
    );
    let again =
        app.post("/api/v1/export-templates", "alice").json(&body).send().await.expect("again");
    assert_problem(again, 409, "template_name_taken").await;
    let path = format!("/api/v1/export-templates/{id}");
    for response in [
        app.get(&path, "bob").send().await.expect("get"),
        app.delete(&path, "bob").send().await.expect("delete"),
        app.client
            .put(app.url(&path))
            .bearer_auth(app.token("bob"))
            .json(&body)
            .send()
            .await
            .expect("put"),
    ] {
        assert_problem(response, 404, "not_found").await;
    }
    let listed =
        json_ok(app.get("/api/v1/export-templates", "alice").send().await.expect("list"), 200)
            .await;
    assert_eq!(listed["total"], 1);
    assert_eq!(
        json_ok(app.get("/api/v1/export-templates", "bob").send().await.expect("list"), 200).await
            ["total"],
        0
    );
    let renamed = json!({"name": "Liste du CDI", "kind": "table", "table": {"format": "xlsx", "fields": ["name"]}});
    let updated = json_ok(
        app.client
            .put(app.url(&path))
            .bearer_auth(app.token("alice"))
            .json(&renamed)
            .send()
            .await
            .expect("put"),
        200,
    )
    .await;
    assert_eq!(
        (updated["name"].as_str(), updated["table"]["format"].as_str()),
        (Some("Liste du CDI"), Some("xlsx"))
    );

    let export = start_export(&app, "alice", json!({"template_id": id})).await;
    assert_eq!(
        (export["name"].as_str(), export["kind"].as_str()),
        (Some("Liste du CDI"), Some("table"))
    );
    let ready = wait_export(&app, "alice", export["id"].as_str().expect("id")).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    let bytes = download(&app, "alice", export["id"].as_str().expect("id")).await;
    assert_eq!(rows_of("xlsx", &bytes), [vec!["Nom".to_owned()], vec!["cours.odt".to_owned()]]);
    let foreign = app
        .post("/api/v1/exports", "bob")
        .json(&json!({"template_id": id}))
        .send()
        .await
        .expect("post");
    assert_problem(foreign, 404, "not_found").await;

    let deleted = app.delete(&path, "alice").send().await.expect("delete");
    assert_eq!(deleted.status(), 204);
    assert_problem(app.get(&path, "alice").send().await.expect("get"), 404, "not_found").await;
    app.stop().await;
}

#[tokio::test]
async fn an_identical_export_asked_again_is_the_same_one() {
    let app = TestApp::spawn_api_only().await;
    file(&app, "alice", "cours.odt", b"cours", None).await;
    let body = json!({"apps": ["workspace"], "filters": {"formats": [".odt"]}});
    let first = start_export(&app, "alice", body.clone()).await;
    let again = app.post("/api/v1/exports", "alice").json(&body).send().await.expect("again");
    let again = json_ok(again, 200).await;
    assert_eq!(again["id"], first["id"], "the export in progress is reused");
    let other = app
        .post("/api/v1/exports", "alice")
        .json(&json!({"apps": ["workspace"]}))
        .send()
        .await
        .expect("other");
    assert_problem(other, 409, "export_in_progress").await;
    let bob = start_export(&app, "bob", body).await;
    assert_ne!(bob["id"], first["id"], "another user's export is never reused");
    app.stop().await;
}

#[tokio::test]
async fn a_ready_export_is_reused_within_the_window_only() {
    let app = TestApp::spawn().await;
    file(&app, "alice", "cours.odt", b"cours", None).await;
    let first = start_export(&app, "alice", json!({})).await;
    let id = first["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_export(&app, "alice", &id).await["status"], "ready");
    let again = json_ok(
        app.post("/api/v1/exports", "alice").json(&json!({})).send().await.expect("again"),
        200,
    )
    .await;
    assert_eq!(again["id"], first["id"], "ready a moment ago: the same archive");
    app.stop().await;

    let never = TestApp::spawn_with(|config| config.exports.reuse_window_secs = 0).await;
    file(&never, "alice", "cours.odt", b"cours", None).await;
    let first = start_export(&never, "alice", json!({})).await;
    let id = first["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_export(&never, "alice", &id).await["status"], "ready");
    let second = start_export(&never, "alice", json!({})).await;
    assert_ne!(second["id"], first["id"], "with no window, a new export");
    never.stop().await;
}

#[tokio::test]
async fn a_user_keeps_at_most_a_hundred_templates_even_when_asking_at_once() {
    use futures_util::StreamExt;
    let app = TestApp::spawn().await;
    let statuses: Vec<u16> = futures_util::stream::iter(0..120)
        .map(|i| {
            let body = json!({"name": format!("Modèle {i}"), "apps": ["workspace"]});
            let request = app.post("/api/v1/export-templates", "alice").json(&body);
            async move { request.send().await.expect("create").status().as_u16() }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let created = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses.iter().filter(|s| **s == 422).count();
    assert_eq!((created, refused), (100, 20), "{statuses:?}");
    let listed =
        json_ok(app.get("/api/v1/export-templates", "alice").send().await.expect("list"), 200)
            .await;
    assert_eq!(listed["total"], 100);
    app.stop().await;
}
