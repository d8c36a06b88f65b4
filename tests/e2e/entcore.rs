//! Archives of entcore ENTs (ONE, NEO, Edifice), written here as entcore's "Archive" app writes
//! them: analysed, imported into the workspace file by file, other modules handed to the app
//! that declares them or reported unknown, and broken or hostile ones refused.

use std::collections::BTreeMap;

use mesdonnees_tests::TestApp;
use mesdonnees_tests::cahier::WithCahier;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::connectors::{cahier_view, count_under, import_as};
use crate::content;
use crate::imports::{analysed, launched, refused_with, root_folder, tree, wait_import, zip_of};

const TOP: &str = "1700000000000_f0a1b2c3-user";
const WORKSPACE: &str = "Espace documentaire";
const UUID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

/// A file of the fixture: its path below the top folder, its bytes, and where the import
/// must put it in the importer's folder (`None`: not a workspace document, or left out).
struct File {
    path: String,
    bytes: Vec<u8>,
    expected: Option<&'static str>,
}

fn file(path: &str, bytes: Vec<u8>, expected: Option<&'static str>) -> File {
    File { path: path.to_owned(), bytes, expected }
}

/// One record of the workspace index, as entcore writes it.
fn record(id: &str, name: &str, kind: &str, local: &str, content_type: &str, size: usize) -> Value {
    json!({
        "_id": id, "name": name, "eType": kind, "eParent": null,
        "metadata": {"content-type": content_type, "size": size},
        "owner": "f0a1b2c3-user", "ownerName": "Élise Durand",
        "created": "2023-09-04 08:15.02.120", "modified": "2023-10-01 17:42.10.007",
        "localArchivePath": local,
    })
}

/// The workspace part of the first fixture: accented names in the index, `_1` duplicates (one
/// listed, one not), a shared document, a document added in an app with its uuid, an empty
/// file, a name that only looks like a duplicate, and the trash.
fn workspace_files() -> Vec<File> {
    let w = |rest: &str| format!("{WORKSPACE}/{rest}");
    vec![
        file(
            &w("Documents personnels/Cours d'ete/resume.txt"),
            content(3000, 1),
            Some("Documents personnels/Cours d'été/résumé.txt"),
        ),
        file(
            &w("Documents personnels/Cours d'ete/resume_1.txt"),
            content(1200, 2),
            Some("Documents personnels/Cours d'été/résumé (2).txt"),
        ),
        file(
            &w("Documents personnels/rapport.pdf"),
            content(70_000, 3),
            Some("Documents personnels/rapport.pdf"),
        ),
        file(
            &w("Documents personnels/rapport_1.pdf"),
            content(500, 4),
            Some("Documents personnels/rapport (2).pdf"),
        ),
        file(
            &w("Documents personnels/notes_2024.txt"),
            b"notes".to_vec(),
            Some("Documents personnels/notes_2024.txt"),
        ),
        file(
            &w("Documents personnels/vide.txt"),
            Vec::new(),
            Some("Documents personnels/vide.txt"),
        ),
        file(
            &w("Documents partages/partage.odt"),
            content(20_000, 5),
            Some("Documents partages/partagé.odt"),
        ),
        file(
            &w(&format!("Documents ajoutes dans les applis/photo_{UUID}.jpg")),
            content(40_000, 6),
            Some("Documents ajoutes dans les applis/photo.jpg"),
        ),
        file(&w("Corbeille/supprime.txt"), b"jete".to_vec(), None),
    ]
}

fn index() -> Vec<u8> {
    let records = vec![
        record("f1", "Cours d'été", "folder", "Documents personnels/Cours d'ete", "", 0),
        record(
            "d1",
            "résumé.txt",
            "file",
            "Documents personnels/Cours d'ete/resume.txt",
            "text/plain",
            3000,
        ),
        record(
            "d2",
            "résumé.txt",
            "file",
            "Documents personnels/Cours d'ete/resume_1.txt",
            "text/plain",
            1200,
        ),
        record(
            "d3",
            "rapport.pdf",
            "file",
            "Documents personnels/rapport.pdf",
            "application/pdf",
            70_000,
        ),
        record("d4", "vide.txt", "file", "Documents personnels/vide.txt", "text/plain", 0),
        record(
            "d5",
            "partagé.odt",
            "file",
            "Documents partages/partage.odt",
            "application/vnd.oasis.opendocument.text",
            20_000,
        ),
        record("d6", "supprimé.txt", "file", "Corbeille/supprime.txt", "text/plain", 4),
    ];
    serde_json::to_vec(&records).expect("index")
}

/// Other modules: a blog (JSON resources, an attached document) and a SQL app's table file.
fn other_files() -> Vec<File> {
    let blog =
        json!({"_id": "b1", "title": "Sortie à Lyon", "author": {"userId": "f0a1b2c3-user"}});
    let post = json!({"_id": "p1", "blog": "b1", "content": format!("<img src=\"/workspace/document/{UUID}\">")});
    let homeworks = json!({
        "fields": ["id", "title", "due_date", "description"],
        "results": [
            [1, "Fractions", "2023-10-02T00:00:00.000", "<p>Exercices 1 à 4</p>"],
            [2, "Rédaction", "2023-10-05", null],
        ],
    });
    vec![
        file("Blog/blog_b1", serde_json::to_vec(&blog).expect("blog"), None),
        file("Blog/post_p1", serde_json::to_vec(&post).expect("post"), None),
        file(&format!("Blog/Documents/image_{UUID}.png"), content(900, 7), None),
        file(
            "Cahier de textes/homeworks.homeworks",
            serde_json::to_vec(&homeworks).expect("sql"),
            None,
        ),
        file(&format!("Cahier de textes/Documents/fiche_{UUID}.pdf"), content(800, 8), None),
    ]
}

fn manifest() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "org.entcore.workspace": {"version": "6.14-SNAPSHOT", "folder": WORKSPACE},
        "org.entcore.blog": {"version": "5.4-SNAPSHOT", "folder": "Blog"},
        "org.entcore.homeworks": {"version": "1.8-SNAPSHOT", "folder": "Cahier de textes"},
    }))
    .expect("manifest")
}

/// The zip of `files` under the top folder, with its manifest, signature and index.
fn archive(top: &str, manifest: &[u8], index: Option<Vec<u8>>, files: &[File]) -> Vec<u8> {
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        (format!("{top}/Manifest.json"), manifest.to_vec()),
        (format!("{top}/archive.signature"), b"c2lnbmF0dXJlIGRlIGwnRU5U".to_vec()),
    ];
    if let Some(index) = index {
        entries.push((format!("{top}/{WORKSPACE}/{WORKSPACE}"), index));
    }
    entries.extend(files.iter().map(|f| (format!("{top}/{}", f.path), f.bytes.clone())));
    let entries: Vec<(&str, &[u8])> =
        entries.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    zip_of(&entries)
}

fn first_fixture() -> (Vec<u8>, Vec<File>) {
    let mut files = workspace_files();
    files.extend(other_files());
    (archive(TOP, &manifest(), Some(index()), &files), files)
}

/// What the importer must hold: every workspace document by its path, with its SHA-256.
fn expected(files: &[File]) -> BTreeMap<String, String> {
    files
        .iter()
        .filter_map(|f| f.expected.map(|at| (at.to_owned(), hex::encode(Sha256::digest(&f.bytes)))))
        .collect()
}

/// The document called `name` in a folder of bob's.
async fn child(app: &TestApp, folder: &Value, name: &str) -> Value {
    let page = crate::list_folder(app, "bob", folder.as_str().expect("a folder id")).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|d| d["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no {name} in {page}"))
}

fn by_id(analysis: &Value) -> BTreeMap<String, Value> {
    analysis["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| (a["module"]["name"].as_str().expect("module").to_owned(), a.clone()))
        .collect()
}

#[tokio::test]
async fn an_entcore_archive_is_analysed_and_its_documents_imported_byte_for_byte() {
    let app = TestApp::spawn().await;
    let (zip, files) = first_fixture();
    let import = analysed(&app, "bob", zip).await;
    assert_eq!(import["status"], "analysed", "{import}");
    let analysis = &import["analysis"];
    assert_eq!(analysis["format"], "entcore");
    assert_eq!(analysis["archive_id"], TOP);
    assert_eq!(analysis["created_at"], "2023-11-14T22:13:20Z");
    assert_eq!(analysis["owner"]["id"], "f0a1b2c3-user");
    assert_eq!(analysis["signature"]["status"], "unverified");
    assert_eq!(analysis["source"]["instance"], "entcore");
    assert_eq!(analysis["warnings"][0]["code"], "unverified_origin", "{analysis}");
    assert_eq!(analysis["warnings"].as_array().map(Vec::len), Some(1), "{analysis}");
    let apps = by_id(analysis);
    let workspace = &apps["org.entcore.workspace"];
    assert_eq!(workspace["id"], "workspace");
    assert_eq!(workspace["verdict"], "importable", "{workspace}");
    assert_eq!(workspace["module"]["version"], "6.14-SNAPSHOT");
    assert_eq!(workspace["folder"], WORKSPACE);
    assert_eq!(workspace["archive_version"], Value::Null);
    // The documents to import: not the index, not the trash.
    let documents: Vec<&File> = files.iter().filter(|f| f.expected.is_some()).collect();
    assert_eq!(workspace["entries"], documents.len(), "{workspace}");
    assert_eq!(workspace["bytes"], documents.iter().map(|f| f.bytes.len()).sum::<usize>());
    for module in ["org.entcore.blog", "org.entcore.homeworks"] {
        assert_eq!(apps[module]["id"], module);
        assert_eq!(apps[module]["reason"], "unknown_app", "{analysis}");
    }
    assert_eq!(apps["org.entcore.blog"]["entries"], 3);

    let id = import["id"].as_str().expect("id").to_owned();
    for unknown in ["org.entcore.blog", "blog"] {
        let launch = app
            .post(&format!("/api/v1/imports/{id}/launch"), "bob")
            .json(&json!({"apps": [unknown]}))
            .send()
            .await
            .expect("launch");
        crate::assert_problem(launch, 422, "not_importable").await;
    }
    let done = launched(&app, "bob", &id, &["workspace"]).await;
    assert_eq!(done["status"], "done", "{done}");
    let report = &done["report"]["apps"]["workspace"];
    // 6 documents and 4 folders under their own names, 2 renamed, the trash skipped.
    assert_eq!(
        (&report["imported"], &report["renamed"], &report["skipped"], &report["failed"]),
        (&json!(10), &json!(2), &json!(1), &json!(0)),
        "{report}"
    );
    assert_eq!(report["bytes"], documents.iter().map(|f| f.bytes.len()).sum::<usize>());
    let folder = report["folder"].as_str().expect("folder").to_owned();
    assert!(folder.starts_with("Import du "), "{folder}");
    let root = root_folder(&app, "bob", &folder).await;
    assert_eq!(tree(&app, "bob", &root).await, expected(&files));
    let root = json!(root);
    // The index's content type is kept, and the SHA-256 computed while copying recorded.
    let shared =
        child(&app, &child(&app, &root, "Documents partages").await["id"], "partagé.odt").await;
    assert_eq!(shared["content_type"], "application/vnd.oasis.opendocument.text");
    assert_eq!(shared["sha256"], hex::encode(Sha256::digest(content(20_000, 5))));
    app.stop().await;
}

#[tokio::test]
async fn an_older_entcore_archive_with_bare_versions_is_read_by_its_folders_names() {
    let app = TestApp::spawn().await;
    let top = "1600000000000_u2";
    let w = |rest: &str| format!("{WORKSPACE}/{rest}");
    let files = vec![
        file(
            &w("Documents personnels/devoir.odt"),
            content(5000, 11),
            Some("Documents personnels/devoir.odt"),
        ),
        file(
            &w("Documents personnels/devoir_1.odt"),
            content(6000, 12),
            Some("Documents personnels/devoir (2).odt"),
        ),
        file(
            &w(&format!("Documents personnels/Photos/plage_{UUID}.jpg")),
            content(9000, 13),
            Some("Documents personnels/Photos/plage.jpg"),
        ),
        file(&w("Corbeille/vieux.txt"), b"vieux".to_vec(), None),
        file("Blog/blog_b9", br#"{"_id": "b9"}"#.to_vec(), None),
        file("LISEZMOI.txt", b"hors module".to_vec(), None),
    ];
    let manifest = br#"{"org.entcore.workspace": "3.2", "org.entcore.blog": "2.1-SNAPSHOT"}"#;
    let import = analysed(&app, "bob", archive(top, manifest, None, &files)).await;
    assert_eq!(import["status"], "analysed", "{import}");
    let analysis = &import["analysis"];
    assert_eq!(analysis["created_at"], "2020-09-13T12:26:40Z");
    let codes: Vec<&str> = analysis["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["code"].as_str())
        .collect();
    assert_eq!(codes, ["unverified_origin", "unlisted_files"], "{analysis}");
    let apps = by_id(analysis);
    let workspace = &apps["org.entcore.workspace"];
    assert_eq!(
        (&workspace["folder"], &workspace["verdict"]),
        (&json!(WORKSPACE), &json!("importable"))
    );
    assert_eq!(workspace["module"]["version"], "3.2");
    assert_eq!(workspace["entries"], 3, "{workspace}");
    assert_eq!(
        (&apps["org.entcore.blog"]["folder"], &apps["org.entcore.blog"]["entries"]),
        (&json!("Blog"), &json!(1))
    );

    let id = import["id"].as_str().expect("id").to_owned();
    let done = launched(&app, "bob", &id, &["workspace"]).await;
    let report = &done["report"]["apps"]["workspace"];
    // 2 documents and 2 folders, 1 renamed, the trash skipped.
    assert_eq!(
        (&report["imported"], &report["renamed"], &report["skipped"], &report["failed"]),
        (&json!(4), &json!(1), &json!(1), &json!(0)),
        "{report}"
    );
    let root = root_folder(&app, "bob", report["folder"].as_str().expect("folder")).await;
    assert_eq!(tree(&app, "bob", &root).await, expected(&files));
    app.stop().await;
}

#[tokio::test]
async fn broken_or_hostile_entcore_archives_are_refused() {
    let app = TestApp::spawn_with(|config| {
        config.limits.creations_per_minute = 100;
        config.imports.max_entries = 20;
    })
    .await;
    let good = manifest();
    let many: Vec<(String, Vec<u8>)> =
        (0..25).map(|i| (format!("{TOP}/Blog/post_{i}"), b"{}".to_vec())).collect();
    let mut many: Vec<(&str, &[u8])> =
        many.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let manifest_path = format!("{TOP}/Manifest.json");
    many.push((&manifest_path, &good));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("invalid_manifest", zip_of(&[(&manifest_path, b"[\"org.entcore.workspace\"]")])),
        (
            "invalid_manifest",
            zip_of(&[(
                &manifest_path,
                br#"{"org.entcore.blog": {"version": "1.0", "folder": "../Blog"}}"#,
            )]),
        ),
        ("unsupported_format", zip_of(&[(&manifest_path, &good), ("2_u/Manifest.json", &good)])),
        ("unsafe_path", zip_of(&[(&manifest_path, &good), ("../Blog/post", b"{}")])),
        ("too_many_entries", zip_of(&many)),
    ];
    for (code, bytes) in cases {
        refused_with(&app, bytes, code).await;
    }
    // An index that does not parse is found at the import, which then fails whole.
    let broken = archive(TOP, &manifest(), Some(b"{pas du json".to_vec()), &workspace_files());
    let import = analysed(&app, "bob", broken).await;
    assert_eq!(import["status"], "analysed", "{import}");
    let id = import["id"].as_str().expect("id").to_owned();
    let launch = app
        .post(&format!("/api/v1/imports/{id}/launch"), "bob")
        .json(&json!({"apps": ["workspace"]}))
        .send()
        .await
        .expect("launch");
    assert_eq!(launch.status(), 202);
    let failed = wait_import(&app, "bob", &id, &["queued", "running"]).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["error"]["code"], "invalid_metadata", "{failed}");
    let docs =
        crate::json_ok(app.get("/api/v1/documents", "bob").send().await.expect("list"), 200).await;
    assert_eq!(docs["total"], 0, "{docs}");
    app.stop().await;

    // Where only signed archives are taken, an entcore one never is.
    let strict = TestApp::spawn_with(|config| {
        config.imports.signature_policy = mesdonnees_shared::imports::SignaturePolicy::Require;
    })
    .await;
    refused_with(&strict, first_fixture().0, "unverified_origin").await;
    strict.stop().await;
}

#[tokio::test]
async fn an_app_declaring_an_entcore_module_receives_its_files_and_the_others_stay_unknown() {
    let with = WithCahier::spawn(|config| {
        config.apps[0].legacy_modules = vec!["org.entcore.homeworks".to_owned()];
    })
    .await;
    let (zip, files) = first_fixture();
    let done = import_as(&with, "bob", zip, &["workspace", "cahier"]).await;
    let apps = by_id(&done["analysis"]);
    assert_eq!(apps["org.entcore.homeworks"]["id"], "cahier");
    assert_eq!(apps["org.entcore.blog"]["reason"], "unknown_app");
    let report = &done["report"]["apps"];
    // The table's two rows became two entries; its attached document is declined.
    let cahier = &report["cahier"];
    assert_eq!((&cahier["imported"], &cahier["failed"]), (&json!(2), &json!(1)), "{done}");
    assert_eq!(cahier["errors"][0]["code"], "unreadable_origin", "{done}");
    assert_eq!(
        cahier["errors"][0]["path"],
        format!("{TOP}/Cahier de textes/Documents/fiche_{UUID}.pdf")
    );
    assert_eq!(cahier["bytes"], 800, "the document was staged for the app");
    let view = cahier_view(&with, "bob").await;
    let titles: Vec<&String> = view.keys().collect();
    assert_eq!(titles, ["Fractions", "Rédaction"]);
    assert_eq!(view["Fractions"].0, "<p>Exercices 1 à 4</p>");
    assert_eq!(count_under(&with.app, "imports/").await, 0, "nothing staged is left");
    let workspace = &report["workspace"];
    let root = root_folder(&with.app, "bob", workspace["folder"].as_str().expect("folder")).await;
    assert_eq!(tree(&with.app, "bob", &root).await, expected(&files));
    with.stop().await;
}
