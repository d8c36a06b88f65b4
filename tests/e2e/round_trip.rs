//! Every archive this service exports imports back. Extreme contents — all-zero files up to the
//! size limit, highly repetitive text, empty files, ten thousand tiny files, the longest names —
//! are exported by the real worker and imported into another account, where every file must
//! come back under its name, byte for byte; zip bombs are still refused. Documents are seeded
//! straight into the database and the store: ten thousand uploads over HTTP would be the test.

use std::collections::BTreeMap;

use futures_util::StreamExt;
use mesdonnees_db::NewDocument;
use mesdonnees_tests::TestApp;
use object_store::ObjectStoreExt;
use object_store::path::Path;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::imports::{analysed, export_zip, launched, refused_with};

/// The largest document, as configured for these tests.
const LIMIT: usize = 2 * 1024 * 1024;
/// Longest name a document may have, in characters.
const LONGEST: usize = mesdonnees_shared::name::NAME_MAX_CHARS;

#[derive(Debug, Clone, Copy)]
enum Fill {
    Zeros,
    /// One line of text again and again.
    Repeated,
    /// Bytes that do not compress.
    Noise,
}

#[derive(Debug, Clone)]
struct File {
    name: String,
    fill: Fill,
    len: usize,
}

impl File {
    fn bytes(&self) -> Vec<u8> {
        match self.fill {
            Fill::Zeros => vec![0; self.len],
            Fill::Repeated => b"La photosynth\xc3\xa8se, encore. "
                .iter()
                .copied()
                .cycle()
                .take(self.len)
                .collect(),
            Fill::Noise => crate::content(self.len, 7),
        }
    }
}

/// A distinct name built from `index`, `long` ones at the length limit with many-byte
/// characters (cut in the archive, whose names are bounded in bytes, and restored on import).
fn name(index: usize, long: bool, filler: char) -> String {
    let base = format!("{index:05} ");
    if !long {
        return format!("{base}fichier.txt");
    }
    let extension = ".odt";
    let room = LONGEST - base.chars().count() - extension.chars().count();
    format!("{base}{}{extension}", filler.to_string().repeat(room))
}

fn spawn() -> impl Future<Output = TestApp> {
    TestApp::spawn_with(|config| {
        config.documents.max_upload_bytes = LIMIT as u64;
        config.limits.user_quota_bytes = 256 * 1024 * 1024;
        config.limits.creations_per_minute = 1000;
        config.imports.max_upload_bytes = 256 * 1024 * 1024;
        config.imports.max_total_uncompressed_bytes = 128 * 1024 * 1024;
    })
}

/// Puts `files` at the root of `owner`'s documents, rows and objects.
async fn seed(app: &TestApp, owner: &str, files: &[File]) {
    let at = chrono::Utc::now().naive_utc();
    let rows: Vec<NewDocument> = futures_util::stream::iter(files)
        .map(|file| async move {
            let id = uuid::Uuid::new_v4().to_string();
            let key = format!("documents/{id}");
            let bytes = file.bytes();
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let size = i64::try_from(bytes.len()).expect("small");
            app.ctx.storage.store.put(&Path::from(key.as_str()), bytes.into()).await.expect("put");
            NewDocument {
                id,
                owner_id: owner.to_owned(),
                parent_id: None,
                kind: "file".to_owned(),
                name: file.name.clone(),
                object_key: Some(key),
                content_type: Some("application/octet-stream".to_owned()),
                size,
                sha256: Some(sha256),
                created_at: at,
                updated_at: at,
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    app.ctx
        .db
        .transaction(move |conn| {
            for row in &rows {
                mesdonnees_db::documents::insert(conn, row)?;
            }
            Ok(())
        })
        .await
        .expect("rows");
}

/// The files of `owner` by path, with their size and SHA-256, from the database.
async fn files_of(app: &TestApp, owner: &str) -> BTreeMap<String, (i64, String)> {
    use diesel::prelude::*;
    use mesdonnees_db::schema::documents::dsl;
    let owner = owner.to_owned();
    let rows: Vec<Row> = app
        .ctx
        .db
        .run(move |conn| {
            Ok(dsl::documents
                .filter(dsl::owner_id.eq(owner))
                .select((dsl::id, dsl::parent_id, dsl::kind, dsl::name, dsl::size, dsl::sha256))
                .load(conn)?)
        })
        .await
        .expect("documents");
    let by_id: BTreeMap<&str, &Row> = rows.iter().map(|r| (r.0.as_str(), r)).collect();
    rows.iter()
        .filter(|r| r.2 == "file")
        .map(|r| (path_of(&by_id, r), (r.4, r.5.clone().unwrap_or_default())))
        .collect()
}

/// A document's row: id, parent, kind, name, size, SHA-256.
type Row = (String, Option<String>, String, String, i64, Option<String>);

/// The path of a document, by the names of its folders.
fn path_of<'a>(by_id: &BTreeMap<&str, &'a Row>, mut row: &'a Row) -> String {
    let mut segments = vec![row.3.clone()];
    while let Some(parent) = row.1.as_deref() {
        row = by_id[parent];
        segments.push(row.3.clone());
    }
    segments.reverse();
    segments.join("/")
}

/// Exports `files` of a fresh user, imports the archive into another; answers the archive's
/// size once every file came back.
async fn round_trip(app: &TestApp, case: usize, files: &[File]) -> usize {
    let (from, to) = (format!("from{case}"), format!("to{case}"));
    seed(app, &from, files).await;
    let archive = export_zip(app, &from).await;
    let size = archive.len();
    let import = analysed(app, &to, archive).await;
    assert_eq!(import["status"], "analysed", "{import}");
    let id = import["id"].as_str().expect("id").to_owned();
    let done = launched(app, &to, &id, &["workspace"]).await;
    assert_eq!(done["status"], "done", "{done}");
    let report = &done["report"]["apps"]["workspace"];
    assert_eq!((&report["failed"], &report["renamed"]), (&json!(0), &json!(0)), "{report}");
    let folder = report["folder"].as_str().expect("folder");
    let expected: BTreeMap<String, (i64, String)> =
        files_of(app, &from).await.into_iter().map(|(p, f)| (format!("{folder}/{p}"), f)).collect();
    let got: BTreeMap<String, (i64, String)> = files_of(app, &to)
        .await
        .into_iter()
        .map(|(path, f)| (path.replacen("/Mes documents/", "/", 1), f))
        .collect();
    assert_eq!(got.len(), files.len());
    assert!(
        got == expected,
        "{} files differ",
        got.iter().filter(|f| !expected.contains_key(f.0)).count()
    );
    size
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_of_zeros_and_repeated_text_at_the_size_limit_come_back() {
    let app = spawn().await;
    // All-zero files at the limit (each deflating about 1000:1) and repetitive text, 40 MiB.
    let file = |i, fill| File { name: name(i, false, 'x'), fill, len: LIMIT };
    let mut largest: Vec<File> = (0..16).map(|i| file(i, Fill::Zeros)).collect();
    largest.extend((16..20).map(|i| file(i, Fill::Repeated)));
    let size = round_trip(&app, 0, &largest).await;
    let total: usize = largest.iter().map(|f| f.len).sum();
    println!("largest round trip: {total} bytes of content in an archive of {size} bytes");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_tiny_files_come_back() {
    let app = spawn().await;
    let tiny: Vec<File> = (0..10_000)
        .map(|i| File { name: name(i, false, 'x'), fill: Fill::Noise, len: i % 3 })
        .collect();
    round_trip(&app, 0, &tiny).await;
    app.stop().await;
}

#[tokio::test]
async fn the_longest_names_come_back() {
    let app = spawn().await;
    // In characters of one to four bytes: cut in the archive, restored from its metadata.
    let long: Vec<File> = ['a', 'é', '語', '📚']
        .into_iter()
        .enumerate()
        .flat_map(|(c, filler)| {
            (0..3).map(move |i| File {
                name: name(c * 3 + i, true, filler),
                fill: Fill::Noise,
                len: 10,
            })
        })
        .collect();
    assert!(long.iter().all(|f| f.name.chars().count() == LONGEST));
    round_trip(&app, 0, &long).await;
    app.stop().await;
}

/// Mixes of every kind of content, in sizes up to the limit, with long names or not.
fn mixes() -> impl Strategy<Value = Vec<File>> {
    let fill = prop_oneof![Just(Fill::Zeros), Just(Fill::Repeated), Just(Fill::Noise)];
    let len = prop_oneof![Just(0), Just(LIMIT), 0..=LIMIT];
    let filler = prop_oneof![Just('a'), Just('é'), Just('🙂')];
    proptest::collection::vec((fill, len, any::<bool>(), filler), 1..10).prop_map(|files| {
        files
            .into_iter()
            .enumerate()
            .map(|(i, (fill, len, long, filler))| {
                // Noise does not compress: kept small, so the archive stays under its limit.
                let len = if matches!(fill, Fill::Noise) { len % 65_536 } else { len };
                File { name: name(i, long, filler), fill, len }
            })
            .collect()
    })
}

#[test]
fn any_mix_of_extreme_contents_comes_back() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let app = runtime.block_on(spawn());
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 8,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let case = std::sync::atomic::AtomicUsize::new(0);
    let outcome = runner.run(&mixes(), |files| {
        let n = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        runtime.block_on(round_trip(&app, n, &files));
        Ok(())
    });
    runtime.block_on(app.stop());
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

/// Sets the declared uncompressed size of the only entry of `zip`, in its local header and in
/// its central-directory record.
fn declaring(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    zip[22..26].copy_from_slice(&size.to_le_bytes());
    let central = zip.windows(4).position(|w| w == b"PK\x01\x02").expect("central directory");
    zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
    zip
}

#[tokio::test]
async fn zip_bombs_are_still_refused() {
    let app = TestApp::spawn_with(|config| {
        config.imports.max_total_uncompressed_bytes = 2 * 1024 * 1024;
    })
    .await;
    let path = "Documents/Mes documents/bombe.bin";
    let zeros = vec![0; 4 * 1024 * 1024];
    // Saying its size: past the total the configuration allows.
    let honest = crate::imports::deflated_zip(path, &zeros);
    refused_with(&app, honest, "total_size_exceeded").await;
    // Lying about it: stopped as it inflates past the size it declares, nothing kept.
    let declared = 1000;
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&crate::imports::manifest(&[(path, &zeros[..1000])])).expect("json");
    manifest["files"][0]["size"] = json!(declared);
    let manifest = serde_json::to_vec(&manifest).expect("manifest");
    let liar = {
        use std::io::Write;
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(path, deflated).expect("entry");
        zip.write_all(&zeros).expect("write");
        zip.start_file("manifest.json", deflated).expect("entry");
        zip.write_all(&manifest).expect("write");
        zip.finish().expect("finish");
        declaring(out.into_inner(), declared)
    };
    let import = analysed(&app, "bob", liar).await;
    assert_eq!(import["status"], "analysed", "{import}");
    let id = import["id"].as_str().expect("id").to_owned();
    let done = launched(&app, "bob", &id, &["workspace"]).await;
    let report = &done["report"]["apps"]["workspace"];
    assert_eq!(report["failed"], 1, "{report}");
    assert_eq!(report["errors"][0]["code"], "entry_corrupt", "{report}");
    assert!(files_of(&app, "bob").await.is_empty());
    app.stop().await;
}
