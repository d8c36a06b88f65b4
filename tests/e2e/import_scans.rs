//! An archive is scanned once per import: the analysis keeps its scan with the import, the
//! import job takes it (counted by `mesdonnees_import_scans_total`, by source), and a kept scan
//! that is missing, describes other bytes or is damaged is not trusted: the import scans the
//! archive again and still brings every document back byte for byte.

use std::collections::BTreeMap;

use mesdonnees_db::imports::scans;
use mesdonnees_tests::TestApp;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::imports::{analysed, export_zip, launched, root_folder, tree};
use crate::{content, folder, json_ok, upload};

/// How many times this process read an uploaded archive's structure from `source`: `archive`
/// (scanned) or `kept` (the import's kept scan).
pub(crate) fn scans_from(app: &TestApp, source: &str) -> u64 {
    let text = app.ctx.metrics.encode().expect("metrics");
    let prefix = format!("mesdonnees_import_scans_total{{source=\"{source}\"}} ");
    text.lines().find_map(|l| l.strip_prefix(&prefix)).map_or(0, |n| n.parse().expect("a count"))
}

/// The scans the import keeps, one per archive it reads.
pub(crate) async fn kept_scans(app: &TestApp, import_id: &str) -> i64 {
    let id = import_id.to_owned();
    app.ctx
        .db
        .run(move |conn| {
            use diesel::prelude::*;
            use mesdonnees_db::schema::import_scans::dsl::{import_id, import_scans};
            Ok(import_scans.filter(import_id.eq(id)).count().get_result(conn)?)
        })
        .await
        .expect("kept scans counted")
}

/// Alice's documents: many small files and a few larger ones, in two folders; their SHA-256 by
/// path as an import of her export shows them.
async fn documents(app: &TestApp) -> BTreeMap<String, String> {
    let cours = folder(app, "alice", "Cours", None).await;
    let mut expected = BTreeMap::new();
    for n in 0..40_u8 {
        let (name, bytes) = (format!("note-{n:02}.txt"), content(200 + usize::from(n) * 37, n));
        json_ok(upload(app, "alice", &name, bytes.clone(), Some(&cours)).await, 201).await;
        expected.insert(format!("Mes documents/Cours/{name}"), hex::encode(Sha256::digest(&bytes)));
    }
    for n in 0..3_u8 {
        let (name, bytes) = (format!("film-{n}.bin"), content(700_000 + usize::from(n), 100 + n));
        json_ok(upload(app, "alice", &name, bytes.clone(), None).await, 201).await;
        expected.insert(format!("Mes documents/{name}"), hex::encode(Sha256::digest(&bytes)));
    }
    expected
}

/// The tree of the folder an import went into.
async fn imported(app: &TestApp, done: &Value) -> BTreeMap<String, String> {
    assert_eq!(done["status"], "done", "{done}");
    let report = &done["report"]["apps"]["workspace"];
    assert_eq!(report["failed"], 0, "{report}");
    let root = root_folder(app, "bob", report["folder"].as_str().expect("folder")).await;
    tree(app, "bob", &root).await
}

#[tokio::test]
async fn the_import_takes_the_scan_its_analysis_kept() {
    let app = TestApp::spawn().await;
    let expected = documents(&app).await;
    let archive = export_zip(&app, "alice").await;

    let import = analysed(&app, "bob", archive).await;
    assert_eq!(import["status"], "analysed", "{import}");
    let id = import["id"].as_str().expect("id").to_owned();
    // Scanned once while the parts were looked for; the analysis proper took that scan.
    assert_eq!((scans_from(&app, "archive"), scans_from(&app, "kept")), (1, 1));
    assert_eq!(kept_scans(&app, &id).await, 1);

    let done = launched(&app, "bob", &id, &["workspace"]).await;
    assert_eq!(imported(&app, &done).await, expected);
    assert_eq!(
        (scans_from(&app, "archive"), scans_from(&app, "kept")),
        (1, 2),
        "not scanned again"
    );
    assert_eq!(kept_scans(&app, &id).await, 0, "forgotten with the upload");
    app.stop().await;
}

/// What is done to the kept scan between the analysis and the launch.
#[derive(Debug, Clone, Copy)]
enum Tamper {
    Removed,
    OfOtherBytes,
    Damaged,
}

#[tokio::test]
async fn a_kept_scan_missing_stale_or_damaged_is_not_trusted() {
    let app = TestApp::spawn_with(|config| {
        // A budget smaller than any file: each is copied alone.
        config.imports.copy_bytes_in_flight = 1;
        // Room for three copies.
        config.limits.user_quota_bytes = 16 * 1024 * 1024;
    })
    .await;
    let expected = documents(&app).await;
    let archive = export_zip(&app, "alice").await;
    for tamper in [Tamper::Removed, Tamper::OfOtherBytes, Tamper::Damaged] {
        let import = analysed(&app, "bob", archive.clone()).await;
        assert_eq!(import["status"], "analysed", "{import}");
        let id = import["id"].as_str().expect("id").to_owned();
        let scanned = scans_from(&app, "archive");
        let row = id.clone();
        app.ctx
            .db
            .run(move |conn| {
                if let Tamper::Removed = tamper {
                    scans::forget(conn, &row)?;
                    return Ok(());
                }
                let key = format!("imports/{row}.zip");
                let mut kept = scans::find(conn, &row, &key)?.expect("a kept scan");
                if let Tamper::OfOtherBytes = tamper {
                    kept.etag = format!("\"autre-{}\"", kept.etag);
                } else {
                    let middle = kept.scan.len() / 2;
                    kept.scan[middle] ^= 0x20;
                }
                scans::keep(conn, &kept)
            })
            .await
            .expect("kept scan changed");
        let done = launched(&app, "bob", &id, &["workspace"]).await;
        assert_eq!(imported(&app, &done).await, expected, "{tamper:?}");
        assert_eq!(scans_from(&app, "archive"), scanned + 1, "{tamper:?}: scanned again");
    }
    app.stop().await;
}
