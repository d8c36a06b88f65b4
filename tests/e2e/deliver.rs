//! The documents space as an export's destination and an import's source: an archive delivered
//! into « Mes exports », counted in the owner's quota, then imported from there by a user it is
//! shared with, never sent again; and what is refused, before anything starts.

use std::collections::BTreeMap;
use std::time::Duration;

use mesdonnees_tests::reqwest::RequestBuilder;
use mesdonnees_tests::{TestApp, eventually};
use object_store::ObjectStoreExt;
use object_store::path::Path;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::exports::{download, file, start_export, wait_export};
use crate::imports::{launched, root_folder, tree, wait_import};
use crate::storage::noise;
use crate::{assert_problem, content, folder, json_ok, list_folder, share, upload};

const QUOTA: u64 = 1_000_000;

fn import_from(app: &TestApp, user: &str, document_id: &str) -> RequestBuilder {
    app.client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(app.token_with_rights(user, &["workspace.create"]))
        .json(&json!({ "document_id": document_id }))
}

/// A ready export of all of `user`'s data delivered into their documents; its delivered
/// document's id.
async fn delivered(app: &TestApp, user: &str) -> (Value, String) {
    let created = start_export(app, user, json!({"deliver_to": "documents"})).await;
    assert_eq!(
        created["delivery"],
        json!({"to": "documents", "document_id": null, "error_code": null})
    );
    let id = created["id"].as_str().expect("id").to_owned();
    let export = wait_export(app, user, &id).await;
    assert_eq!(export["status"], "ready", "{export}");
    assert_eq!(export["delivery"]["error_code"], Value::Null, "{export}");
    let document = export["delivery"]["document_id"].as_str().expect("delivered").to_owned();
    (export, document)
}

async fn bytes_of(request: RequestBuilder) -> Vec<u8> {
    let response = request.send().await.expect("content");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("bytes").to_vec()
}

async fn document(app: &TestApp, user: &str, id: &str) -> Value {
    json_ok(app.get(&format!("/api/v1/documents/{id}"), user).send().await.expect("get"), 200).await
}

/// Waits until no job is queued or running: a purge the deletion may have queued has run.
async fn jobs_idle(app: &TestApp) {
    use mesdonnees_db::jobs::count_with_status;
    eventually(Duration::from_secs(30), "jobs done", || async {
        let pending = app
            .ctx
            .db
            .run(
                |conn| Ok(count_with_status(conn, "queued")? + count_with_status(conn, "running")?),
            )
            .await
            .expect("jobs counted");
        (pending == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn an_export_delivered_into_the_documents_is_imported_from_there_without_an_upload() {
    let app = TestApp::spawn_with(|config| {
        config.exports.reuse_window_secs = 0;
        config.limits.user_quota_bytes = QUOTA;
    })
    .await;
    let cours = folder(&app, "alice", "Cours", None).await;
    file(&app, "alice", "résumé.txt", &content(3000, 1), None).await;
    file(&app, "alice", "chapitre 1.pdf", &content(40_000, 2), Some(&cours)).await;

    let (export, doc_id) = delivered(&app, "alice").await;
    let archive = download(&app, "alice", export["id"].as_str().expect("id")).await;
    let content_path = format!("/api/v1/documents/{doc_id}/content");
    let copy = bytes_of(app.get(&content_path, "alice")).await;
    assert!(copy == archive, "the delivered document is the archive, byte for byte");
    let doc = document(&app, "alice", &doc_id).await;
    let mes_exports = root_folder(&app, "alice", "Mes exports").await;
    assert_eq!(doc["folder_id"], mes_exports.as_str(), "{doc}");
    assert_eq!(doc["size"], archive.len());

    // Counted in the quota: what is left is exactly what the delivered copy did not take.
    let held = 3000 + 40_000 + archive.len();
    let left = usize::try_from(QUOTA).expect("small") - held;
    let over = upload(&app, "alice", "trop.bin", content(left + 1, 4), None).await;
    assert_problem(over, 422, "quota_exceeded").await;

    // The next export finds the same folder; once deleted, the folder is made again.
    let (_, second) = delivered(&app, "alice").await;
    assert_eq!(document(&app, "alice", &second).await["folder_id"], mes_exports.as_str());
    let listed = list_folder(&app, "alice", &mes_exports).await;
    assert_eq!(listed["total"], 2, "{listed}");
    let gone = app.delete(&format!("/api/v1/documents/{second}"), "alice").send().await;
    assert_eq!(gone.expect("delete").status(), 204);

    // Bob, with whom the archive is shared, imports it from there: no upload, the same files.
    share(&app, "alice", &doc_id, "bob").await;
    let created =
        json_ok(import_from(&app, "bob", &doc_id).send().await.expect("import"), 202).await;
    let import_id = created["id"].as_str().expect("id").to_owned();
    let import = wait_import(&app, "bob", &import_id, &["uploaded", "analysing"]).await;
    assert_eq!(import["status"], "analysed", "{import}");
    assert_eq!(import["analysis"]["owner"]["id"], "alice");
    let upload_key = Path::from(format!("imports/{import_id}.zip"));
    assert!(app.ctx.storage.store.head(&upload_key).await.is_err(), "nothing was uploaded");
    let done = launched(&app, "bob", &import_id, &["workspace"]).await;
    assert_eq!(done["status"], "done", "{done}");
    let folder_name = done["report"]["apps"]["workspace"]["folder"].as_str().expect("folder");
    let got = tree(&app, "bob", &root_folder(&app, "bob", folder_name).await).await;
    let sha = |bytes: &[u8]| hex::encode(Sha256::digest(bytes));
    let expected: BTreeMap<String, String> = [
        ("Mes documents/résumé.txt", sha(&content(3000, 1))),
        ("Mes documents/Cours/chapitre 1.pdf", sha(&content(40_000, 2))),
    ]
    .into_iter()
    .map(|(p, s)| (p.to_owned(), s))
    .collect();
    assert_eq!(got, expected);

    // An import ended, or deleted before it was launched: the document it was read from stays.
    let again = json_ok(import_from(&app, "bob", &doc_id).send().await.expect("import"), 202).await;
    let again = again["id"].as_str().expect("id").to_owned();
    let analysed = wait_import(&app, "bob", &again, &["uploaded", "analysing"]).await;
    assert_eq!(analysed["status"], "analysed", "{analysed}");
    for id in [&import_id, &again] {
        let deleted = app.delete(&format!("/api/v1/imports/{id}"), "bob").send().await;
        assert_eq!(deleted.expect("delete").status(), 204);
    }
    // The export deleted, its delivered document stays: a document's row names the copy.
    let export_path = format!("/api/v1/exports/{}", export["id"].as_str().expect("id"));
    let deleted = app.delete(&export_path, "alice").send().await;
    assert_eq!(deleted.expect("delete").status(), 204);
    jobs_idle(&app).await;
    assert!(bytes_of(app.get(&content_path, "alice")).await == archive, "the document is intact");

    // Someone it is not shared with cannot name it.
    assert_problem(
        import_from(&app, "carol", &doc_id).send().await.expect("import"),
        404,
        "not_found",
    )
    .await;

    // The folder deleted, the next delivery makes it again.
    let removed = app.delete(&format!("/api/v1/documents/{mes_exports}"), "alice").send().await;
    assert_eq!(removed.expect("delete").status(), 204);
    let (_, third) = delivered(&app, "alice").await;
    let again = root_folder(&app, "alice", "Mes exports").await;
    assert_eq!(document(&app, "alice", &third).await["folder_id"], again.as_str());
    app.stop().await;
}

#[tokio::test]
async fn what_does_not_fit_or_is_not_an_archive_is_refused_before_it_starts() {
    let app = TestApp::spawn_with(|config| {
        config.limits.user_quota_bytes = 100_000;
        config.imports.max_upload_bytes = 20_000;
    })
    .await;
    file(&app, "alice", "gros.bin", &content(60_000, 1), None).await;
    let refused = app
        .post("/api/v1/exports", "alice")
        .json(&json!({"deliver_to": "documents"}))
        .send()
        .await
        .expect("export");
    let problem = assert_problem(refused, 422, "documents_quota_exceeded").await;
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.contains("espace documentaire")),
        "{problem}"
    );
    let listed =
        json_ok(app.get("/api/v1/exports", "alice").send().await.expect("list"), 200).await;
    assert_eq!(listed["total"], 0, "nothing was started: {listed}");
    let english = app
        .post("/api/v1/exports", "alice")
        .header("accept-language", "en")
        .json(&json!({"deliver_to": "documents"}))
        .send()
        .await
        .expect("export");
    let problem = assert_problem(english, 422, "documents_quota_exceeded").await;
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.starts_with("Your documents")),
        "{problem}"
    );

    let text = file(&app, "bob", "notes.txt", b"PK? not really", None).await;
    assert_problem(import_from(&app, "bob", &text).send().await.expect("import"), 415, "not_a_zip")
        .await;
    let big = [b"PK\x03\x04".as_slice(), &content(30_000, 2)].concat();
    let big = file(&app, "bob", "gros.zip", &big, None).await;
    let too_large = import_from(&app, "bob", &big).send().await.expect("import");
    assert_problem(too_large, 413, "payload_too_large").await;
    let dossier = folder(&app, "bob", "Dossier", None).await;
    assert_problem(
        import_from(&app, "bob", &dossier).send().await.expect("import"),
        422,
        "not_a_file",
    )
    .await;
    assert_problem(
        import_from(&app, "bob", "pas-un-id").send().await.expect("import"),
        422,
        "invalid_id",
    )
    .await;
    let unknown = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(app.token("bob"))
        .json(&json!({"document_id": big, "other": 1}))
        .send()
        .await
        .expect("import");
    assert_problem(unknown, 422, "invalid_request").await;
    let imports = json_ok(app.get("/api/v1/imports", "bob").send().await.expect("list"), 200).await;
    assert_eq!(imports["total"], 0, "no import was made: {imports}");
    app.stop().await;
}

#[tokio::test]
async fn an_archive_over_the_stores_single_copy_limit_is_delivered_whole() {
    const MIB: usize = 1024 * 1024;
    // On S3 the archive, over 8 MiB, takes a streamed copy of two parts (S3 wants ≥ 5 MiB
    // each); the store refuses a single copy above the limit, as S3 does above 5 GiB.
    let app = TestApp::spawn_with_copy_limit(|config| {
        config.documents.max_upload_bytes = 4 * MIB as u64;
        config.limits.user_quota_bytes = 64 * MIB as u64;
        config.storage.s3_single_copy_max_bytes = MIB as u64;
    })
    .await;
    for (name, seed) in [("a.bin", 1), ("b.bin", 2), ("c.bin", 3)] {
        file(&app, "alice", name, &noise(4 * MIB, seed), None).await;
    }
    let (export, doc_id) = delivered(&app, "alice").await;
    let archive = download(&app, "alice", export["id"].as_str().expect("id")).await;
    assert!(archive.len() > 8 * MIB, "more than one part: {} bytes", archive.len());
    let copy = bytes_of(app.get(&format!("/api/v1/documents/{doc_id}/content"), "alice")).await;
    assert!(copy == archive, "the delivered document is the archive, byte for byte");
    assert_eq!(document(&app, "alice", &doc_id).await["size"], archive.len());
    assert_eq!(app.pending_uploads(), Vec::<String>::new(), "no upload is left open");

    // A single copy of it is refused, as S3 refuses one above its limit: the delivery above
    // did not take that way.
    if app.on_s3() {
        let refused = app
            .ctx
            .storage
            .store
            .copy(
                &Path::from(format!("exports/{}.zip", export["id"].as_str().expect("id"))),
                &Path::from("documents/single-copy"),
            )
            .await;
        assert!(refused.is_err(), "a single copy above the limit is refused");
    }
    app.stop().await;
}
