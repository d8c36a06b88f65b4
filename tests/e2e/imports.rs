//! Imports end to end: one user's export brought into another account, byte for byte; the
//! analysis of what an archive holds; and archives refused, each with its code, leaving nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use mesdonnees_shared::{Lang, Zone};
use mesdonnees_tests::reqwest::multipart::{Form, Part};
use mesdonnees_tests::reqwest::{RequestBuilder, Response};
use mesdonnees_tests::{TestApp, eventually};
use object_store::ObjectStoreExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{assert_problem, content, folder, json_ok, share, upload};

const CREATE: &[&str] = &["workspace.create"];

fn post(app: &TestApp, path: &str, user: &str) -> RequestBuilder {
    app.client.post(app.url(path)).bearer_auth(app.token_with_rights(user, CREATE))
}

pub(crate) async fn upload_archive(app: &TestApp, user: &str, bytes: Vec<u8>) -> Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("mes-données.zip"));
    post(app, "/api/v1/imports", user).multipart(form).send().await.expect("upload")
}

/// Polls the import until it leaves the given transient states. The bound is generous: ten
/// thousand files through an S3 server on a loaded machine take minutes.
pub(crate) async fn wait_import(app: &TestApp, user: &str, id: &str, transient: &[&str]) -> Value {
    eventually(Duration::from_secs(300), "import settled", || async {
        let import = json_ok(
            app.get(&format!("/api/v1/imports/{id}"), user).send().await.expect("get"),
            200,
        )
        .await;
        let status = import["status"].as_str().unwrap_or_default().to_owned();
        (!transient.contains(&status.as_str())).then_some(import)
    })
    .await
}

pub(crate) async fn analysed(app: &TestApp, user: &str, bytes: Vec<u8>) -> Value {
    let created = json_ok(upload_archive(app, user, bytes).await, 202).await;
    assert_eq!(created["status"], "analysing");
    let id = created["id"].as_str().expect("id").to_owned();
    wait_import(app, user, &id, &["uploaded", "analysing"]).await
}

pub(crate) async fn launched(app: &TestApp, user: &str, id: &str, apps: &[&str]) -> Value {
    let response = post(app, &format!("/api/v1/imports/{id}/launch"), user)
        .json(&json!({ "apps": apps }))
        .send()
        .await
        .expect("launch");
    let body = json_ok(response, 202).await;
    assert_eq!(body["status"], "queued");
    wait_import(app, user, id, &["queued", "running"]).await
}

pub(crate) async fn export_zip(app: &TestApp, user: &str) -> Vec<u8> {
    let export = json_ok(
        app.post("/api/v1/exports", user).json(&json!({})).send().await.expect("export"),
        202,
    )
    .await;
    let id = export["id"].as_str().expect("id").to_owned();
    eventually(Duration::from_secs(60), "export ready", || async {
        let export = json_ok(
            app.get(&format!("/api/v1/exports/{id}"), user).send().await.expect("get"),
            200,
        )
        .await;
        (export["status"] == "ready").then_some(())
    })
    .await;
    let response =
        app.get(&format!("/api/v1/exports/{id}/download"), user).send().await.expect("download");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("bytes").to_vec()
}

/// Every file below a folder of `user`, by path relative to it, with its SHA-256.
pub(crate) async fn tree(app: &TestApp, user: &str, folder: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut pending = vec![(String::new(), folder.to_owned())];
    while let Some((prefix, id)) = pending.pop() {
        let page = crate::list_folder(app, user, &id).await;
        for item in page["items"].as_array().expect("items") {
            let name = item["name"].as_str().expect("name");
            let path = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}/{name}") };
            let child = item["id"].as_str().expect("id").to_owned();
            if item["kind"] == "folder" {
                pending.push((path, child));
            } else {
                let content = app.get(&format!("/api/v1/documents/{child}/content"), user);
                out.insert(path, crate::sha256_of(content).await);
            }
        }
    }
    out
}

pub(crate) async fn root_folder(app: &TestApp, user: &str, name: &str) -> String {
    let page = json_ok(app.get("/api/v1/documents", user).send().await.expect("list"), 200).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["name"] == name)
        .and_then(|i| i["id"].as_str())
        .unwrap_or_else(|| panic!("no folder {name} in {page}"))
        .to_owned()
}

/// The minute an import was created in, as its `created_at` writes it.
async fn created_minute(app: &TestApp, user: &str, id: &str) -> String {
    let import =
        json_ok(app.get(&format!("/api/v1/imports/{id}"), user).send().await.expect("get"), 200)
            .await;
    import["created_at"].as_str().expect("created_at").get(..16).expect("a time").to_owned()
}

#[tokio::test]
async fn an_export_imported_into_another_account_comes_back_byte_for_byte() {
    let app = TestApp::spawn().await;
    // Alice's documents: nested folders, accents, an empty file, a file shared by Carol.
    let cours = folder(&app, "alice", "Cours d'été", None).await;
    let maths = folder(&app, "alice", "Mathématiques", Some(&cours)).await;
    for (name, bytes, parent) in [
        ("résumé.txt", content(3000, 1), None),
        ("vide.txt", Vec::new(), None),
        ("chapitre 1.pdf", content(70_000, 2), Some(maths.as_str())),
        ("notes.json", br#"{"note": 17}"#.to_vec(), Some(cours.as_str())),
    ] {
        json_ok(upload(&app, "alice", name, bytes, parent).await, 201).await;
    }
    let shared =
        json_ok(upload(&app, "carol", "partagé.txt", content(500, 3), None).await, 201).await;
    let shared_id = shared["id"].as_str().expect("id");
    share(&app, "carol", shared_id, "alice").await;
    let archive = export_zip(&app, "alice").await;

    let import = analysed(&app, "bob", archive.clone()).await;
    assert_eq!(import["status"], "analysed", "{import}");
    let analysis = &import["analysis"];
    assert_eq!(analysis["format"], "mesdonnees-archive");
    assert_eq!(analysis["signature"]["status"], "valid", "signed by this very instance");
    assert_eq!(analysis["warnings"], json!([]));
    assert_eq!(analysis["owner"]["id"], "alice");
    let apps = analysis["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["id"], "workspace");
    assert_eq!(apps[0]["verdict"], "importable", "{import}");
    assert_eq!(apps[0]["right_held"], true);
    // 5 documents and workspace.json.
    assert_eq!(apps[0]["entries"], 6);
    let id = import["id"].as_str().expect("id").to_owned();

    let done = launched(&app, "bob", &id, &["workspace"]).await;
    assert_eq!(done["status"], "done", "{done}");
    let report = &done["report"]["apps"]["workspace"];
    // 5 files and 4 folders (Mes documents, Cours d'été, Mathématiques, Partagés avec moi).
    assert_eq!(report["imported"], 9, "{report}");
    // Counted apart, the files agree with the analysis (less workspace.json, which is read,
    // not imported).
    assert_eq!((&report["files_imported"], &report["folders_created"]), (&json!(5), &json!(4)));
    assert_eq!(report["renamed"], 0);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["errors"], json!([]));
    assert_eq!(report["bytes"], 3000 + 70_000 + 12 + 500);
    let folder_name = report["folder"].as_str().expect("folder").to_owned();
    // Named as people write a date, on the ENT's clock (Paris by default): « Import du
    // 7 décembre 2026 à 01 h 06 ».
    let created = chrono::DateTime::parse_from_rfc3339(done["created_at"].as_str().expect("date"))
        .expect("RFC 3339");
    let expected = Lang::Fr.date_time(Zone::PARIS.local(created.with_timezone(&chrono::Utc)));
    assert_eq!(folder_name, format!("Import du {expected}"), "{folder_name}");

    // Bob's copy, file by file, against Alice's originals.
    let root = root_folder(&app, "bob", &folder_name).await;
    let got = tree(&app, "bob", &root).await;
    let sha = |bytes: &[u8]| hex::encode(Sha256::digest(bytes));
    let expected: BTreeMap<String, String> = [
        ("Mes documents/résumé.txt", sha(&content(3000, 1))),
        ("Mes documents/vide.txt", sha(b"")),
        ("Mes documents/Cours d'été/Mathématiques/chapitre 1.pdf", sha(&content(70_000, 2))),
        ("Mes documents/Cours d'été/notes.json", sha(br#"{"note": 17}"#)),
        ("Partagés avec moi/partagé.txt", sha(&content(500, 3))),
    ]
    .into_iter()
    .map(|(p, s)| (p.to_owned(), s))
    .collect();
    assert_eq!(got, expected);
    // The upload is gone once the import ended; the timeline says it is done.
    upload_removed(&app, &id, "a finished import").await;
    let timeline =
        json_ok(app.get("/api/v1/notifications", "bob").send().await.expect("timeline"), 200).await;
    assert!(
        timeline["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|n| n["kind"] == "import_done" && n["details"]["file_name"].is_string()),
        "{timeline}"
    );

    // The same archive again: a second folder, nothing overwritten.
    let again = analysed(&app, "bob", archive).await;
    let again_id = again["id"].as_str().expect("id").to_owned();
    let done = launched(&app, "bob", &again_id, &["workspace"]).await;
    let second = done["report"]["apps"]["workspace"]["folder"].as_str().expect("folder");
    // Named after the import's minute: within the same minute the name is taken and gets a
    // suffix; past a minute boundary it is a new name of its own.
    let same_minute =
        created_minute(&app, "bob", &again_id).await == created_minute(&app, "bob", &id).await;
    if same_minute {
        assert_eq!(second, format!("{folder_name} (2)"));
    } else {
        assert!(second.starts_with("Import du ") && second != folder_name, "{second}");
    }
    assert_eq!(tree(&app, "bob", &root_folder(&app, "bob", second).await).await, expected);
    assert_eq!(tree(&app, "bob", &root).await, expected, "the first copy is untouched");

    // Imports are listed newest first, and belong to their owner only.
    let list = json_ok(app.get("/api/v1/imports", "bob").send().await.expect("list"), 200).await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["id"], again_id.as_str());
    let foreign = app.get(&format!("/api/v1/imports/{id}"), "alice").send().await.expect("get");
    assert_problem(foreign, 404, "not_found").await;
    app.stop().await;
}

#[tokio::test]
async fn uploads_are_checked_before_anything_is_analysed() {
    let app = TestApp::spawn_api_only().await;
    let not_zip = upload_archive(&app, "bob", b"%PDF-1.7 not a zip".to_vec()).await;
    assert_problem(not_zip, 415, "not_a_zip").await;
    let raw = post(&app, "/api/v1/imports", "bob")
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("post");
    assert_problem(raw, 415, "unsupported_media_type").await;
    let too_big = {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.resize(5 * 1024 * 1024, 0);
        upload_archive(&app, "bob", bytes).await
    };
    assert_problem(too_big, 413, "payload_too_large").await;
    // Nothing of the refused uploads is left in the store.
    let listed: Vec<_> = futures_util::StreamExt::collect::<Vec<_>>(
        app.ctx.storage.store.list(Some(&object_store::path::Path::from("imports"))),
    )
    .await;
    assert!(listed.is_empty(), "{listed:?}");

    // A raw application/zip body is taken too; a second upload meanwhile is refused.
    let empty_zip = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
    let first = post(&app, "/api/v1/imports", "bob")
        .header("content-type", "application/zip")
        .header("content-disposition", "attachment; filename=\"vide.zip\"")
        .body(empty_zip.clone())
        .send()
        .await
        .expect("post");
    let first = json_ok(first, 202).await;
    assert_eq!(first["file_name"], "vide.zip");
    assert_eq!(first["size"], 22);
    let second = upload_archive(&app, "bob", empty_zip).await;
    assert_problem(second, 409, "import_in_progress").await;
    // Not analysed yet: it cannot be launched.
    let id = first["id"].as_str().expect("id");
    let launch = post(&app, &format!("/api/v1/imports/{id}/launch"), "bob")
        .json(&json!({"apps": ["workspace"]}))
        .send()
        .await
        .expect("launch");
    assert_problem(launch, 409, "not_analysed").await;
    // Deleting it frees the slot.
    let deleted = app.delete(&format!("/api/v1/imports/{id}"), "bob").send().await.expect("delete");
    assert_eq!(deleted.status(), 204);
    let gone = app.get(&format!("/api/v1/imports/{id}"), "bob").send().await.expect("get");
    assert_problem(gone, 404, "not_found").await;
    app.stop().await;
}

#[tokio::test]
async fn only_what_the_analysis_allows_is_launched() {
    let app = TestApp::spawn().await;
    json_ok(upload(&app, "alice", "a.txt", content(100, 1), None).await, 201).await;
    let archive = export_zip(&app, "alice").await;
    // Without the create right, the workspace is not importable.
    let form = Form::new().part("file", Part::bytes(archive.clone()).file_name("a.zip"));
    let created = json_ok(
        app.post("/api/v1/imports", "dave").multipart(form).send().await.expect("upload"),
        202,
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let import = wait_import(&app, "dave", &id, &["analysing"]).await;
    assert_eq!(import["analysis"]["apps"][0]["verdict"], "not_importable", "{import}");
    assert_eq!(import["analysis"]["apps"][0]["reason"], "missing_right");
    let launch = app
        .post(&format!("/api/v1/imports/{id}/launch"), "dave")
        .header("accept-language", "en")
        .json(&json!({"apps": ["workspace"]}))
        .send()
        .await
        .expect("launch");
    let problem = assert_problem(launch, 422, "not_importable").await;
    assert!(problem["detail"].as_str().unwrap_or_default().contains("workspace"), "{problem}");
    let launch = app
        .post(&format!("/api/v1/imports/{id}/launch"), "dave")
        .json(&json!({"apps": []}))
        .send()
        .await
        .expect("launch");
    assert_problem(launch, 422, "not_importable").await;
    app.stop().await;
}

/// A zip built entry by entry, with a manifest listing what the test says.
pub(crate) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, bytes) in entries {
            zip.start_file(*name, options).expect("entry");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("finish");
    }
    out.into_inner()
}

/// A zip with one deflated entry, for archives refused by their sizes.
pub(crate) fn deflated_zip(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(name, options).expect("entry");
        zip.write_all(bytes).expect("write");
        zip.finish().expect("finish");
    }
    out.into_inner()
}

/// Sets general-purpose flag bits on the first entry, in its local header and in its
/// central-directory record (an encrypted-looking entry).
fn with_flags(mut zip: Vec<u8>, bits: u16) -> Vec<u8> {
    zip[6] |= bits.to_le_bytes()[0];
    let central = zip.windows(4).position(|w| w == b"PK\x01\x02").expect("central directory");
    zip[central + 8] |= bits.to_le_bytes()[0];
    zip
}

/// Changes one byte of the first entry's name in its local header only.
fn with_local_name_changed(mut zip: Vec<u8>) -> Vec<u8> {
    zip[30] ^= 0x20;
    zip
}

pub(crate) fn manifest(files: &[(&str, &[u8])]) -> Vec<u8> {
    let files: Vec<Value> = files
        .iter()
        .map(|(path, bytes)| {
            json!({"path": path, "app": "workspace", "size": bytes.len(),
                   "sha256": hex::encode(Sha256::digest(bytes))})
        })
        .collect();
    serde_json::to_vec(&json!({
        "format": "mesdonnees-archive", "format_version": 1, "archive_id": "hand-made",
        "created_at": "2026-11-01T10:00:00Z",
        "source": {"instance": "ailleurs", "service_version": "0.1.0", "key_id": "none"},
        "owner": {"id": "someone", "name": null},
        "files": files,
        "apps": {"workspace": {"version": "1.0", "folder": "Documents", "entries": files.len(),
                 "bytes": 0, "outcome": {"status": "ok"}}}
    }))
    .expect("manifest")
}

/// Uploads an archive for bob and expects its analysis to refuse it with `code`, leaving no
/// upload behind.
pub(crate) async fn refused_with(app: &TestApp, bytes: Vec<u8>, code: &str) {
    let created = json_ok(upload_archive(app, "bob", bytes).await, 202).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let import = wait_import(app, "bob", &id, &["analysing"]).await;
    assert_eq!(import["status"], "failed", "{code}: {import}");
    assert_eq!(import["error"]["code"], code, "{import}");
    // The failure is recorded before the upload is removed, so that a crash between the two
    // loses no reason: the removal follows the status, it does not come with it.
    upload_removed(app, &id, code).await;
}

/// Waits until the upload of import `id` is gone from the store.
async fn upload_removed(app: &TestApp, id: &str, what: &str) {
    let key = object_store::path::Path::from(format!("imports/{id}.zip"));
    eventually(Duration::from_secs(20), &format!("{what}: upload removed"), || async {
        app.ctx.storage.store.head(&key).await.is_err().then_some(())
    })
    .await;
}

#[tokio::test]
async fn hostile_or_foreign_archives_are_refused_with_their_code_and_leave_nothing() {
    // One import a case, far faster than a person uploads.
    let app = TestApp::spawn_with(|config| config.limits.creations_per_minute = 100).await;
    let doc: &[u8] = b"contenu";
    let good_manifest = manifest(&[("Documents/Mes documents/a.txt", doc)]);
    // A folder that is not the one its files are in: the analysis would count what the import
    // never finds.
    let mut lying: Value = serde_json::from_slice(&good_manifest).expect("json");
    lying["apps"]["workspace"]["folder"] = json!("..");
    let lying = serde_json::to_vec(&lying).expect("manifest");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "invalid_manifest",
            zip_of(&[("Documents/Mes documents/a.txt", doc), ("manifest.json", &lying)]),
        ),
        ("unsafe_path", zip_of(&[("../evil.txt", doc), ("manifest.json", &good_manifest)])),
        ("not_an_archive_of_ours", zip_of(&[("a.txt", doc)])),
        (
            "unsupported_format",
            zip_of(&[("123_u/Manifest.json", b"{}"), ("4_v/Manifest.json", b"{}")]),
        ),
        ("invalid_manifest", zip_of(&[("manifest.json", b"{not json")])),
        ("manifest_file_missing", zip_of(&[("manifest.json", &good_manifest)])),
        (
            "file_not_in_manifest",
            zip_of(&[
                ("Documents/Mes documents/a.txt", doc),
                ("Documents/Mes documents/b.txt", doc),
                ("manifest.json", &good_manifest),
            ]),
        ),
        (
            "manifest_size_mismatch",
            zip_of(&[
                ("Documents/Mes documents/a.txt", b"longer content"),
                ("manifest.json", &good_manifest),
            ]),
        ),
        ("unsafe_path", zip_of(&[("/etc/passwd", doc), ("manifest.json", &good_manifest)])),
        ("unsafe_path", zip_of(&[("C:/x.txt", doc), ("manifest.json", &good_manifest)])),
        ("unsafe_path", zip_of(&[("a\\b.txt", doc), ("manifest.json", &good_manifest)])),
        ("encrypted_entry", with_flags(zip_of(&[("secret.txt", doc)]), 1)),
        ("header_mismatch", with_local_name_changed(zip_of(&[("abc.txt", doc)]))),
        ("symlink_entry", {
            let mut out = std::io::Cursor::new(Vec::new());
            let mut zip = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default();
            zip.add_symlink("lien", "/etc/passwd", options).expect("symlink");
            zip.finish().expect("finish");
            out.into_inner()
        }),
        (
            "duplicate_entry",
            zip_of(&[
                ("Documents/Mes documents/a.txt", doc),
                ("Documents/Mes documents/a.txt/b", doc),
                ("manifest.json", &good_manifest),
            ]),
        ),
    ];
    for (code, bytes) in cases {
        refused_with(&app, bytes, code).await;
    }
    // Nothing was written to the user's documents.
    let docs = json_ok(app.get("/api/v1/documents", "bob").send().await.expect("list"), 200).await;
    assert_eq!(docs["total"], 0, "{docs}");

    // A hand-made archive that is sound but unsigned is analysed with a warning, and a file
    // whose content differs from its manifest checksum is reported, not imported.
    let tampered = manifest(&[("Documents/Mes documents/a.txt", b"contenX")]);
    let archive = zip_of(&[("Documents/Mes documents/a.txt", doc), ("manifest.json", &tampered)]);
    let import = analysed(&app, "bob", archive).await;
    assert_eq!(import["analysis"]["signature"]["status"], "unsigned");
    assert_eq!(import["analysis"]["warnings"][0]["code"], "unsigned_archive");
    let id = import["id"].as_str().expect("id").to_owned();
    let done = launched(&app, "bob", &id, &["workspace"]).await;
    let report = &done["report"]["apps"]["workspace"];
    assert_eq!(report["failed"], 1, "{report}");
    assert_eq!(report["errors"][0]["code"], "checksum_mismatch");
    assert_eq!(report["errors"][0]["path"], "Documents/Mes documents/a.txt");
    app.stop().await;
}

#[tokio::test]
async fn a_signature_can_be_required() {
    let app = TestApp::spawn_with(|config| {
        config.imports.signature_policy = mesdonnees_shared::imports::SignaturePolicy::Require;
    })
    .await;
    let doc: &[u8] = b"contenu";
    let archive = zip_of(&[
        ("Documents/Mes documents/a.txt", doc),
        ("manifest.json", &manifest(&[("Documents/Mes documents/a.txt", doc)])),
    ]);
    let created = json_ok(upload_archive(&app, "bob", archive).await, 202).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let import = wait_import(&app, "bob", &id, &["analysing"]).await;
    assert_eq!(import["status"], "failed", "{import}");
    assert_eq!(import["error"]["code"], "unsigned_archive");
    // This instance's own archives still pass.
    json_ok(upload(&app, "alice", "a.txt", content(10, 1), None).await, 201).await;
    let import = analysed(&app, "bob", export_zip(&app, "alice").await).await;
    assert_eq!(import["status"], "analysed", "{import}");
    assert_eq!(import["analysis"]["signature"]["status"], "valid");
    app.stop().await;
}

#[tokio::test]
async fn uploads_left_waiting_are_removed_by_the_cleanup() {
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    json_ok(upload(&app, "alice", "a.txt", content(10, 1), None).await, 201).await;
    let import = analysed(&app, "bob", export_zip(&app, "alice").await).await;
    let id = import["id"].as_str().expect("id").to_owned();
    let key = object_store::path::Path::from(format!("imports/{id}.zip"));
    assert!(app.ctx.storage.store.head(&key).await.is_ok());
    // Three days without a launch.
    let row = id.clone();
    app.ctx
        .db
        .run(move |conn| {
            use mesdonnees_db::schema::imports::dsl::{id, imports, updated_at};
            let old = (chrono::Utc::now() - chrono::Duration::days(3)).naive_utc();
            diesel::update(imports.filter(id.eq(row))).set(updated_at.eq(old)).execute(conn)?;
            Ok(())
        })
        .await
        .expect("backdated");
    let (removed, _) = mesdonnees_worker::import::cleanup_once(&app.ctx).await.expect("cleanup");
    assert_eq!(removed, 1);
    let import =
        json_ok(app.get(&format!("/api/v1/imports/{id}"), "bob").send().await.expect("get"), 200)
            .await;
    assert_eq!(import["status"], "failed");
    assert_eq!(import["error"]["code"], "upload_expired");
    assert!(app.ctx.storage.store.head(&key).await.is_err(), "upload removed");
    app.stop().await;
}

/// The upload's key on the import's row.
async fn object_key(app: &TestApp, id: &str) -> Option<String> {
    let id = id.to_owned();
    let row = app.ctx.db.run(move |conn| mesdonnees_db::imports::find(conn, &id)).await;
    row.expect("row read").expect("the import").object_key
}

/// Waits until the import's row no longer names an upload.
async fn key_dropped(app: &TestApp, id: &str, what: &str) {
    eventually(Duration::from_secs(30), what, || async {
        object_key(app, id).await.is_none().then_some(())
    })
    .await;
}

#[tokio::test]
async fn an_ended_import_whose_upload_is_removed_no_longer_names_it() {
    let app = TestApp::spawn().await;
    // Refused by its analysis.
    let created = json_ok(upload_archive(&app, "bob", zip_of(&[("a.txt", b"x")])).await, 202).await;
    let refused = created["id"].as_str().expect("id").to_owned();
    let import = wait_import(&app, "bob", &refused, &["analysing"]).await;
    assert_eq!(import["status"], "failed", "{import}");
    key_dropped(&app, &refused, "a refused import's key").await;
    // Imported to its end.
    json_ok(upload(&app, "alice", "a.txt", content(10, 1), None).await, 201).await;
    let import = analysed(&app, "bob", export_zip(&app, "alice").await).await;
    let id = import["id"].as_str().expect("id").to_owned();
    assert_eq!(object_key(&app, &id).await.as_deref(), Some(format!("imports/{id}.zip").as_str()));
    let done = launched(&app, "bob", &id, &["workspace"]).await;
    assert_eq!(done["status"], "done", "{done}");
    // The import is told done before its upload is removed, then its key forgotten.
    key_dropped(&app, &id, "a finished import's key").await;
    let key = object_store::path::Path::from(format!("imports/{id}.zip"));
    assert!(app.ctx.storage.store.head(&key).await.is_err(), "upload removed");
    app.stop().await;
}

#[tokio::test]
async fn archives_past_the_limits_are_refused() {
    let app = TestApp::spawn_with(|config| {
        config.imports.max_entries = 20;
        config.imports.max_total_uncompressed_bytes = 2 * 1024 * 1024;
    })
    .await;
    let many: Vec<(String, Vec<u8>)> =
        (0..25).map(|i| (format!("f{i}.txt"), b"x".to_vec())).collect();
    let many: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let cases = [
        ("too_many_entries", zip_of(&many)),
        ("total_size_exceeded", zip_of(&[("big.bin", &content(3 * 1024 * 1024, 7))])),
    ];
    for (code, bytes) in cases {
        refused_with(&app, bytes, code).await;
    }
    let docs = json_ok(app.get("/api/v1/documents", "bob").send().await.expect("list"), 200).await;
    assert_eq!(docs["total"], 0, "{docs}");
    app.stop().await;
}

/// Imports for bob a hand-made archive of `listed` files and their manifest; answers the
/// workspace's report.
async fn imported_by_bob(app: &TestApp, listed: &[(&str, &[u8])]) -> Value {
    let manifest = manifest(listed);
    let mut all = listed.to_vec();
    all.push(("manifest.json", &manifest));
    let import = analysed(app, "bob", zip_of(&all)).await;
    let id = import["id"].as_str().expect("id").to_owned();
    let done = launched(app, "bob", &id, &["workspace"]).await;
    done["report"]["apps"]["workspace"].clone()
}

#[tokio::test]
async fn content_types_of_an_archive_are_checked_before_they_reach_a_header() {
    let app = TestApp::spawn().await;
    let long = format!("text/{}", "a".repeat(70_000));
    let types = ["text/html\r\nX-Evil: 1", "text/pl\0ain", long.as_str(), "application/pdf"];
    let doc: &[u8] = b"contenu";
    let paths: Vec<String> = (0..types.len()).map(|i| format!("f{i}.bin")).collect();
    let documents: Vec<Value> = paths
        .iter()
        .zip(types)
        .map(|(name, kind)| {
            json!({"path": format!("Mes documents/{name}"), "name": name, "content_type": kind})
        })
        .collect();
    let metadata = serde_json::to_vec(&json!({ "documents": documents })).expect("metadata");
    let mut entries: Vec<(String, &[u8])> =
        paths.iter().map(|name| (format!("Documents/Mes documents/{name}"), doc)).collect();
    entries.push(("Documents/workspace.json".to_owned(), &metadata));
    let listed: Vec<(&str, &[u8])> = entries.iter().map(|(p, b)| (p.as_str(), *b)).collect();
    let report = &imported_by_bob(&app, &listed).await;
    assert_eq!(report["failed"], 0, "{report}");
    let root = root_folder(&app, "bob", report["folder"].as_str().expect("folder")).await;
    let own = crate::list_folder(&app, "bob", &root).await;
    let own = own["items"][0]["id"].as_str().expect("Mes documents").to_owned();
    let listed = crate::list_folder(&app, "bob", &own).await;
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), types.len());
    for item in items {
        let id = item["id"].as_str().expect("id");
        let response = app
            .get(&format!("/api/v1/documents/{id}/content"), "bob")
            .send()
            .await
            .expect("content");
        assert_eq!(response.status(), 200, "{item}");
        assert!(response.headers().get("x-evil").is_none());
        let served = response.headers()["content-type"].to_str().expect("ASCII").to_owned();
        let expected =
            if item["name"] == "f3.bin" { "application/pdf" } else { "application/octet-stream" };
        assert_eq!(served, expected, "{item}");
        assert_eq!(response.bytes().await.expect("body").as_ref(), doc);
    }
    app.stop().await;
}

#[tokio::test]
async fn names_that_would_collide_or_deceive_are_told_apart_on_import() {
    let app = TestApp::spawn().await;
    let doc: &[u8] = b"contenu";
    let names = [
        "\u{e9}.txt",
        "e\u{301}.txt",
        "\u{3a3}.txt",
        "\u{3c2}.txt",
        "\u{202e}fdp.exe",
        "COM\u{b9}",
    ];
    let paths: Vec<String> = names.iter().map(|n| format!("Documents/Mes documents/{n}")).collect();
    let listed: Vec<(&str, &[u8])> = paths.iter().map(|p| (p.as_str(), doc)).collect();
    let report = &imported_by_bob(&app, &listed).await;
    assert_eq!((&report["failed"], &report["renamed"]), (&json!(0), &json!(2)), "{report}");
    let root = root_folder(&app, "bob", report["folder"].as_str().expect("folder")).await;
    let got: Vec<String> = tree(&app, "bob", &root).await.into_keys().collect();
    let expected = [
        "Mes documents/COM\u{b9}",
        "Mes documents/fdp.exe",
        "Mes documents/\u{3a3}.txt",
        "Mes documents/\u{3c2} (2).txt",
        "Mes documents/\u{e9} (2).txt",
        "Mes documents/\u{e9}.txt",
    ];
    let mut expected: Vec<String> = expected.iter().map(|&p| p.to_owned()).collect();
    expected.sort();
    assert_eq!(got, expected);
    app.stop().await;
}
