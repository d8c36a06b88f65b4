//! Exports in parts: an export of about 40 MB asked in 10 MB parts gives complete zips, each
//! read by `unzip -t`, Python's `zipfile` and `sha256sum -c` on its own, each carrying the
//! manifest of the whole export; the documents come back byte for byte from the parts, a file
//! larger than a part from its pieces put back together.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use mesdonnees_shared::archive::Manifest;
use mesdonnees_tests::TestApp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::exports::{file, read_zip, start_export, wait_export};
use crate::{assert_problem, json_ok};

const USER: &str = "noemie";
const MB: u64 = 1_000_000;

/// Bytes nothing compresses, so that the parts' sizes are the files'.
fn noise(seed: u8, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut block = Sha256::digest([seed]);
    while out.len() < len {
        out.extend_from_slice(&block);
        block = Sha256::digest(block);
    }
    out.truncate(len);
    out
}

async fn spawn() -> TestApp {
    TestApp::spawn_with(|config| {
        config.documents.max_upload_bytes = 16 * 1024 * 1024;
        config.limits.user_quota_bytes = 128 * 1024 * 1024;
        config.exports.min_part_size_bytes = 1024 * 1024;
    })
    .await
}

fn run(command: &mut Command) -> String {
    let out = command.output().expect("the tool runs");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{command:?} failed: {text}");
    text
}

/// One part checked by every reader of the suite, on its own.
fn check_alone(dir: &std::path::Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write the part");
    run(Command::new("unzip").arg("-tq").arg(&path));
    let python = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nbad = z.testzip()\nassert bad is None, bad\n";
    run(Command::new("python3").args(["-c", python]).arg(&path));
    let unzipped = dir.join(format!("{name}.d"));
    run(Command::new("unzip").arg("-q").arg(&path).arg("-d").arg(&unzipped));
    let checked = run(Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(&unzipped));
    assert!(checked.contains(": OK"), "{checked}");
}

#[tokio::test]
async fn an_export_in_parts_is_complete_zips_that_give_back_every_document() {
    let app = spawn().await;
    let mut uploaded = BTreeMap::new();
    for n in 0..10_u8 {
        let bytes = noise(n, usize::try_from(3 * MB).expect("size"));
        let name = format!("cours-{n}.bin");
        file(&app, USER, &name, &bytes, None).await;
        uploaded.insert(name, bytes);
    }
    // Larger than a part: cut in pieces.
    let large = noise(99, usize::try_from(12 * MB).expect("size"));
    file(&app, USER, "grand-film.bin", &large, None).await;
    uploaded.insert("grand-film.bin".to_owned(), large);

    let refused = app
        .post("/api/v1/exports", USER)
        .json(&json!({"part_size_bytes": 1000}))
        .send()
        .await
        .expect("export");
    assert_problem(refused, 422, "part_size_out_of_range").await;

    let created = start_export(&app, USER, json!({"part_size_bytes": 10 * MB})).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let export = wait_export(&app, USER, &id).await;
    assert_eq!(export["status"], "ready", "{export}");

    let parts: Value = json_ok(
        app.get(&format!("/api/v1/exports/{id}/parts"), USER).send().await.expect("parts"),
        200,
    )
    .await;
    let total = parts["parts_total"].as_u64().expect("parts_total");
    assert!(total >= 4, "about 42 MB in 10 MB parts: {parts}");
    let items = parts["items"].as_array().expect("items");
    assert_eq!(items.len() as u64, total, "{parts}");

    let dir = tempfile::tempdir().expect("temp dir");
    let mut found: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut pieces: BTreeMap<String, BTreeMap<u32, (u32, Vec<u8>)>> = BTreeMap::new();
    let mut sets = BTreeSet::new();
    for (n, item) in (1..).zip(items) {
        let name = format!("mes-donnees-partie-{n}-sur-{total}.zip");
        assert_eq!(item["file_name"], name.as_str());
        let url = item["download_url"].as_str().expect("url");
        let response = app.get(url, USER).send().await.expect("download a part");
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.expect("bytes").to_vec();
        assert_eq!(item["sha256"], hex::encode(Sha256::digest(&bytes)), "part {n}");
        assert!(bytes.len() as u64 <= 11 * MB, "part {n} is about a part's size: {}", bytes.len());
        check_alone(dir.path(), &name, &bytes);

        let entries = read_zip(&bytes);
        let manifest: Manifest =
            serde_json::from_slice(&entries["manifest.json"]).expect("the manifest");
        let of = manifest.parts.clone().expect("the manifest says which part");
        assert_eq!((of.part, u64::from(of.count)), (n, total));
        sets.insert(of.set);
        for listed in &manifest.files {
            let Some(name) = listed.path.strip_prefix("Documents/Mes documents/") else {
                continue;
            };
            let in_part = listed.part.expect("each file says its part");
            if in_part != n {
                assert!(
                    !entries.contains_key(&listed.path),
                    "{} is in part {in_part}",
                    listed.path
                );
                continue;
            }
            let content = entries[&listed.path].clone();
            assert_eq!(listed.sha256, hex::encode(Sha256::digest(&content)), "{}", listed.path);
            match &listed.piece {
                Some(piece) => {
                    let whole = piece.of.trim_start_matches("Documents/Mes documents/").to_owned();
                    pieces.entry(whole).or_default().insert(piece.index, (n, content));
                }
                None => {
                    found.insert(name.to_owned(), content);
                }
            }
        }
    }
    assert_eq!(sets.len(), 1, "every part of one writing: {sets:?}");
    for (name, by_index) in pieces {
        let parts_holding: BTreeSet<u32> = by_index.values().map(|(part, _)| *part).collect();
        assert!(parts_holding.len() >= 2, "{name} is cut across parts");
        let whole: Vec<u8> = by_index.into_values().flat_map(|(_, bytes)| bytes).collect();
        found.insert(name, whole);
    }
    assert_eq!(found.keys().collect::<Vec<_>>(), uploaded.keys().collect::<Vec<_>>());
    for (name, bytes) in &uploaded {
        assert!(found[name] == *bytes, "{name} comes back byte for byte");
    }

    assert_eq!(export["part_size_bytes"], 10 * MB, "{export}");
    part_links(&app, &id, items).await;

    // Deleting the export removes every part.
    let deleted = app.delete(&format!("/api/v1/exports/{id}"), USER).send().await.expect("delete");
    assert_eq!(deleted.status(), 204);
    let gone = app
        .get(&format!("/api/v1/exports/{id}/parts/1/download"), USER)
        .send()
        .await
        .expect("download");
    assert_eq!(gone.status(), 404);
    app.stop().await;
}

/// Each part has a signed link of its own, for a browser: it opens without a bearer token and
/// gives the part's bytes; a part that is not there has none, and another user's export is no
/// export at all.
async fn part_links(app: &TestApp, id: &str, items: &[Value]) {
    for (n, item) in (1..).zip(items) {
        let path = format!("/api/v1/exports/{id}/parts/{n}/link");
        let link = json_ok(app.post(&path, USER).send().await.expect("link"), 200).await;
        let url = link["url"].as_str().expect("url");
        let response = app.client.get(url).send().await.expect("the link");
        assert_eq!(response.status(), 200, "{url}");
        let bytes = response.bytes().await.expect("bytes");
        assert_eq!(item["sha256"], hex::encode(Sha256::digest(&bytes)), "part {n}");
    }
    let beyond = format!("/api/v1/exports/{id}/parts/{}/link", items.len() + 1);
    assert_problem(app.post(&beyond, USER).send().await.expect("link"), 409, "not_ready").await;
    let theirs = format!("/api/v1/exports/{id}/parts/1/link");
    assert_problem(app.post(&theirs, "intrus").send().await.expect("link"), 404, "not_found").await;
}
