//! Imports of an archive in parts: the parts of an export of about 30 MB in 10 MB parts are
//! sent into one import in a shuffled order; the analysis waits for the last, a part of another
//! export and a part sent twice are refused with their codes, and the import brings every
//! document back byte for byte, a file larger than a part put back together from its pieces.
//! A part imported alone says which parts are missing.

use std::collections::BTreeMap;
use std::time::Duration;

use mesdonnees_tests::TestApp;
use mesdonnees_tests::reqwest::Response;
use mesdonnees_tests::reqwest::multipart::{Form, Part};
use object_store::ObjectStoreExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::exports::{file, start_export, wait_export};
use crate::import_scans::{kept_scans, scans_from};
use crate::imports::{launched, root_folder, tree, upload_archive, wait_import};
use crate::json_ok;

const MB: u64 = 1_000_000;
const CREATE: &[&str] = &["workspace.create"];

fn noise(seed: u8, len: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut block = Sha256::digest([seed, 7]);
    while (out.len() as u64) < len {
        out.extend_from_slice(&block);
        block = Sha256::digest(block);
    }
    out.truncate(usize::try_from(len).expect("len"));
    out
}

async fn spawn() -> TestApp {
    TestApp::spawn_with(|config| {
        config.documents.max_upload_bytes = 16 * 1024 * 1024;
        config.imports.max_upload_bytes = 16 * 1024 * 1024;
        config.limits.user_quota_bytes = 128 * 1024 * 1024;
        config.exports.min_part_size_bytes = 1024 * 1024;
    })
    .await
}

/// The parts of `user`'s export in parts of `part_size`, downloaded, in order; and their sizes'
/// sum.
async fn export_parts(app: &TestApp, user: &str, part_size: u64) -> (Vec<Vec<u8>>, u64) {
    let created = start_export(app, user, json!({"part_size_bytes": part_size})).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let export = wait_export(app, user, &id).await;
    assert_eq!(export["status"], "ready", "{export}");
    let listed: Value = json_ok(
        app.get(&format!("/api/v1/exports/{id}/parts"), user).send().await.expect("parts"),
        200,
    )
    .await;
    let mut parts = Vec::new();
    let mut total = 0;
    for item in listed["items"].as_array().expect("items") {
        let url = item["download_url"].as_str().expect("url");
        let response = app.get(url, user).send().await.expect("download a part");
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.expect("bytes").to_vec();
        total += bytes.len() as u64;
        parts.push(bytes);
    }
    (parts, total)
}

async fn add_part(app: &TestApp, user: &str, id: &str, bytes: Vec<u8>) -> Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("partie.zip"));
    app.client
        .post(app.url(&format!("/api/v1/imports/{id}/parts")))
        .bearer_auth(app.token_with_rights(user, CREATE))
        .multipart(form)
        .send()
        .await
        .expect("add a part")
}

async fn import_view(app: &TestApp, user: &str, id: &str) -> Value {
    json_ok(app.get(&format!("/api/v1/imports/{id}"), user).send().await.expect("get"), 200).await
}

/// Polls until the import's parts say `done`.
async fn parts_until(
    app: &TestApp,
    user: &str,
    id: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    mesdonnees_tests::eventually(Duration::from_secs(120), what, || async {
        let import = import_view(app, user, id).await;
        done(&import["parts"]).then_some(import)
    })
    .await
}

#[tokio::test]
async fn the_parts_of_an_export_sent_in_any_order_import_into_one_import() {
    let app = spawn().await;
    let mut uploaded = BTreeMap::new();
    for n in 0..6_u8 {
        let bytes = noise(n, 3 * MB);
        let name = format!("cours-{n}.bin");
        file(&app, "ines", &name, &bytes, None).await;
        uploaded.insert(name, bytes);
    }
    // Larger than a part: cut into pieces on export, put back together on import.
    let large = noise(42, 13 * MB);
    file(&app, "ines", "film.bin", &large, None).await;
    uploaded.insert("film.bin".to_owned(), large);

    let (parts, parts_bytes) = export_parts(&app, "ines", 10 * MB).await;
    assert!(parts.len() >= 3, "about 31 MB in 10 MB parts: {} parts", parts.len());
    // The archive quota counts every part, not the first one only.
    let estimate = json_ok(
        app.get("/api/v1/exports/estimate?apps=workspace", "ines").send().await.expect("e"),
        200,
    )
    .await;
    assert_eq!(estimate["used_bytes"], parts_bytes, "{estimate}");

    // Another user's export in parts: of another writing.
    file(&app, "odile", "a.bin", &noise(1, 2 * MB), None).await;
    file(&app, "odile", "b.bin", &noise(2, 2 * MB), None).await;
    let (foreign, _) = export_parts(&app, "odile", 1024 * 1024).await;
    assert!(foreign.len() >= 2);

    // Shuffled: the last part first, then the others in a fixed scramble.
    let count = parts.len();
    let mut order: Vec<usize> = (0..count).rev().collect();
    order.swap(1, count - 1);
    let first = order[0];
    let created = json_ok(upload_archive(&app, "jules", parts[first].clone()).await, 202).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let missing_one = |p: &Value| p["missing"].as_array().is_some_and(|m| m.len() == count - 1);
    let waiting = parts_until(&app, "jules", &id, "the import waits for parts", missing_one).await;
    assert_eq!(waiting["status"], "analysing", "{waiting}");
    assert_eq!(waiting["parts"]["received"], json!([first + 1]), "{waiting}");
    assert_eq!(waiting["analysis"], Value::Null);

    let foreign_sent = json_ok(add_part(&app, "jules", &id, foreign[0].clone()).await, 202).await;
    assert_eq!(foreign_sent["status"], "analysing");
    let twice = json_ok(add_part(&app, "jules", &id, parts[first].clone()).await, 202).await;
    assert_eq!(twice["status"], "analysing");
    let refused = parts_until(&app, "jules", &id, "both refused", |p| {
        p["refused"].as_array().is_some_and(|r| r.len() == 2)
    })
    .await;
    assert_eq!(
        refused["parts"]["refused"],
        json!(["part_of_another_export", "duplicate_part"]),
        "{refused}"
    );
    let last = order[count - 1];
    for &n in &order[1..count - 1] {
        json_ok(add_part(&app, "jules", &id, parts[n].clone()).await, 202).await;
    }
    let all_but_last = parts_until(&app, "jules", &id, "all but one received", |p| {
        p["missing"] == json!([last + 1])
    })
    .await;
    assert_eq!(all_but_last["status"], "analysing", "the analysis waits for the last part");
    json_ok(add_part(&app, "jules", &id, parts[last].clone()).await, 202).await;
    let analysed = wait_import(&app, "jules", &id, &["uploaded", "analysing"]).await;
    assert_eq!(analysed["status"], "analysed", "{analysed}");
    assert_eq!(analysed["parts"]["missing"], json!([]));
    assert_eq!(analysed["analysis"]["signature"]["status"], "valid", "{analysed}");
    // Each archive received was scanned once; a scan is kept for each part accepted.
    assert_eq!(scans_from(&app, "archive"), count as u64 + 2);
    assert_eq!(kept_scans(&app, &id).await, i64::try_from(count).expect("a count"));

    // Sending a part once the analysis is over is refused.
    let late = add_part(&app, "jules", &id, parts[0].clone()).await;
    crate::assert_problem(late, 409, "import_takes_no_parts").await;

    let kept_before = scans_from(&app, "kept");
    let done = launched(&app, "jules", &id, &["workspace"]).await;
    assert_eq!(done["status"], "done", "{done}");
    // The import took every part's kept scan and scanned none again.
    assert_eq!(scans_from(&app, "archive"), count as u64 + 2);
    assert_eq!(scans_from(&app, "kept"), kept_before + count as u64);
    let report = &done["report"]["apps"]["workspace"];
    assert_eq!(report["failed"], 0, "{report}");
    let root = root_folder(&app, "jules", report["folder"].as_str().expect("folder")).await;
    let got = tree(&app, "jules", &root).await;
    let expected: BTreeMap<String, String> = uploaded
        .iter()
        .map(|(name, bytes)| (format!("Mes documents/{name}"), hex::encode(Sha256::digest(bytes))))
        .collect();
    assert_eq!(got, expected, "every document byte for byte, the film put back together");
    app.stop().await;
}

#[tokio::test]
async fn a_part_alone_waits_for_the_others_then_fails_saying_parts_are_missing() {
    let app = TestApp::spawn_with(|config| {
        config.exports.min_part_size_bytes = 1024 * 1024;
        config.documents.max_upload_bytes = 16 * 1024 * 1024;
        config.imports.max_upload_bytes = 16 * 1024 * 1024;
        config.imports.keep_uploads_hours = 1;
    })
    .await;
    file(&app, "ines", "a.bin", &noise(1, 2 * MB), None).await;
    file(&app, "ines", "b.bin", &noise(2, 2 * MB), None).await;
    let (parts, _) = export_parts(&app, "ines", 1024 * 1024).await;
    let created = json_ok(upload_archive(&app, "jules", parts[0].clone()).await, 202).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let waiting = parts_until(&app, "jules", &id, "the import waits", |p| {
        p["missing"].as_array().is_some_and(|m| !m.is_empty())
    })
    .await;
    assert_eq!(waiting["status"], "analysing");
    // Past `keep_uploads_hours`, the cleanup ends it with the code saying why.
    let row = id.clone();
    app.ctx
        .db
        .run(move |conn| {
            use diesel::prelude::*;
            use mesdonnees_db::schema::imports::dsl::{id, imports, waiting_since};
            let old = (chrono::Utc::now() - chrono::Duration::days(3)).naive_utc();
            diesel::update(imports.filter(id.eq(row)))
                .set(waiting_since.eq(Some(old)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("backdated");
    mesdonnees_worker::import::cleanup_once(&app.ctx).await.expect("cleanup");
    let failed = import_view(&app, "jules", &id).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["error"]["code"], "parts_missing", "{failed}");
    let key = object_store::path::Path::from(format!("imports/{id}.zip"));
    assert!(app.ctx.storage.store.head(&key).await.is_err(), "the part is removed");
    app.stop().await;
}
