//! Exports of chosen folders (`filters.folders`): exactly the documents under them, at any
//! depth and at their usual paths; the estimate, the reuse of an identical export, templates
//! and tables follow; a folder that is not one of the user's is refused with its code. And
//! the listings a page needs: the user's folders, and the zip archives they may import from.

use std::collections::BTreeSet;

use mesdonnees_tests::TestApp;
use serde_json::{Value, json};

use crate::exports::{download, file, read_zip, start_export, wait_export};
use crate::tables::rows_of;
use crate::{assert_problem, content, folder, json_ok, share};

async fn get(app: &TestApp, user: &str, path: &str) -> Value {
    json_ok(app.get(path, user).send().await.expect("get"), 200).await
}

/// The documents an archive holds (files and folders), without the app's metadata file.
fn documents_in(entries: impl IntoIterator<Item = String>) -> BTreeSet<String> {
    entries
        .into_iter()
        .filter(|name| name.starts_with("Documents/") && name != "Documents/workspace.json")
        .collect()
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one walkthrough, read top to bottom")]
async fn an_export_of_chosen_folders_keeps_exactly_what_lies_under_them() {
    let app = TestApp::spawn().await;
    file(&app, "alice", "racine.txt", b"a la racine", None).await;
    let cours = folder(&app, "alice", "Cours", None).await;
    file(&app, "alice", "maths.pdf", &content(7_000, 1), Some(&cours)).await;
    let chapitre = folder(&app, "alice", "Chapitre 1", Some(&cours)).await;
    file(&app, "alice", "exo.txt", b"exercice", Some(&chapitre)).await;
    folder(&app, "alice", "Vide", Some(&cours)).await;
    let perso = folder(&app, "alice", "Perso", None).await;
    let photo = file(&app, "alice", "photo.jpg", &content(3_000, 2), Some(&perso)).await;
    let archives = folder(&app, "alice", "Archives", None).await;
    file(&app, "alice", "2023.txt", b"pas choisi", Some(&archives)).await;
    let annee = folder(&app, "alice", "2024", Some(&archives)).await;
    file(&app, "alice", "bilan.odt", &content(2_000, 3), Some(&annee)).await;
    let shared = file(&app, "bob", "partage.txt", b"de bob", None).await;
    share(&app, "bob", &shared, "alice").await;
    let bobs = folder(&app, "bob", "Classe", None).await;

    // The folders a page draws as a tree: each with its parent, a page at a time.
    let listed = get(&app, "alice", "/api/v1/folders?per_page=200").await;
    assert_eq!(listed["total"], 6, "{listed}");
    let parent_of = |name: &str| {
        let items = listed["items"].as_array().expect("items");
        let found = items.iter().find(|f| f["name"] == name).expect("listed");
        found["parent_id"].clone()
    };
    assert_eq!(parent_of("Chapitre 1"), json!(cours));
    assert_eq!(parent_of("2024"), json!(archives));
    assert_eq!(parent_of("Cours"), Value::Null);
    let first = get(&app, "alice", "/api/v1/folders?per_page=4").await;
    let second = get(&app, "alice", "/api/v1/folders?per_page=4&page=2").await;
    assert_eq!(
        (first["items"].as_array().map(Vec::len), second["items"].as_array().map(Vec::len)),
        (Some(4), Some(2))
    );
    assert_eq!(get(&app, "bob", "/api/v1/folders").await["total"], 1, "each their own");

    // The estimate of two folders, one nested in a folder left out.
    let chosen = format!("{cours},{annee}");
    let estimate =
        get(&app, "alice", &format!("/api/v1/exports/estimate?apps=workspace&folders={chosen}"))
            .await;
    let bytes = 7_000 + b"exercice".len() + 2_000;
    assert_eq!(estimate["files"], 3 + 1, "three files and the metadata file: {estimate}");
    assert_eq!(estimate["bytes"], bytes, "{estimate}");
    let table = get(
        &app,
        "alice",
        &format!("/api/v1/exports/estimate?apps=workspace&kind=table&folders={chosen}"),
    )
    .await;
    assert_eq!(table["files"], 3, "a row per file: {table}");

    // The archive: exactly those files, the chosen folders' empty sub-folders too, at the
    // paths a whole export gives them; nothing of the folders left out, nothing shared.
    let body = json!({"apps": ["workspace"], "filters": {"folders": [annee, cours]}});
    let created = start_export(&app, "alice", body).await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created["filters"]["folders"], json!(sorted(&[&annee, &cours])), "{created}");
    let export = wait_export(&app, "alice", &id).await;
    assert_eq!(export["status"], "ready", "{export}");
    assert_eq!(export["outcomes"]["workspace"]["entries"], estimate["files"], "{export}");
    let entries = read_zip(&download(&app, "alice", &id).await);
    let got = documents_in(entries.keys().cloned());
    let want: BTreeSet<String> = [
        "Documents/Mes documents/Archives/2024/",
        "Documents/Mes documents/Archives/2024/bilan.odt",
        "Documents/Mes documents/Cours/",
        "Documents/Mes documents/Cours/Chapitre 1/",
        "Documents/Mes documents/Cours/Chapitre 1/exo.txt",
        "Documents/Mes documents/Cours/Vide/",
        "Documents/Mes documents/Cours/maths.pdf",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(got, want);
    assert_eq!(entries["Documents/Mes documents/Cours/Chapitre 1/exo.txt"], b"exercice");

    // The same folders asked again, in another order and twice over, are the same export.
    let again = app
        .post("/api/v1/exports", "alice")
        .json(&json!({"apps": ["workspace"], "filters": {"folders": [cours, annee, cours]}}))
        .send()
        .await
        .expect("again");
    assert_eq!(json_ok(again, 200).await["id"], id.as_str());

    // A template keeps the folders; a table made from it lists the same files.
    let template = json_ok(
        app.post("/api/v1/export-templates", "alice")
            .json(&json!({"name": "Cours", "apps": ["workspace"], "filters": {"folders": [cours]}}))
            .send()
            .await
            .expect("template"),
        201,
    )
    .await;
    assert_eq!(template["filters"]["folders"], json!([cours]));
    let made = start_export(
        &app,
        "alice",
        json!({"template_id": template["id"], "kind": "table", "table": {"format": "csv", "fields": ["path"]}}),
    )
    .await;
    let made_id = made["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_export(&app, "alice", &made_id).await["status"], "ready");
    let rows = rows_of("csv", &download(&app, "alice", &made_id).await);
    let paths: BTreeSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert!(paths.iter().any(|p| p.ends_with("Cours/maths.pdf")), "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("Cours/Chapitre 1/exo.txt")), "{paths:?}");
    assert!(!paths.iter().any(|p| p.contains("bilan") || p.contains("racine")), "{paths:?}");

    // Another user's folder, a file, a malformed id, too many: each refused with its code,
    // on the export, its estimate, a template and a schedule alike.
    let many: Vec<String> = (0..101).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    for (folders, code) in [
        (json!([bobs]), "folder_not_found"),
        (json!([uuid::Uuid::now_v7().to_string()]), "folder_not_found"),
        (json!([photo]), "not_a_folder"),
        (json!(many), "invalid_filter"),
    ] {
        let filters = json!({"folders": folders});
        let export = app
            .post("/api/v1/exports", "alice")
            .json(&json!({"filters": filters}))
            .send()
            .await
            .expect("export");
        assert_problem(export, 422, code).await;
        let named = json!({"name": "Refusé", "filters": filters});
        let template = app.post("/api/v1/export-templates", "alice").json(&named).send().await;
        assert_problem(template.expect("template"), 422, code).await;
        let until = (chrono::Utc::now() + chrono::Duration::days(60)).to_rfc3339();
        let every = json!({"every_months": 1, "until": until, "filters": filters});
        let schedule = app.post("/api/v1/schedules", "alice").json(&every).send().await;
        assert_problem(schedule.expect("schedule"), 422, code).await;
    }
    for (query, code) in [
        (format!("folders={bobs}"), "folder_not_found"),
        (format!("folders={photo}"), "not_a_folder"),
        ("folders=pas-un-id".to_owned(), "invalid_id"),
    ] {
        let path = format!("/api/v1/exports/estimate?apps=workspace&{query}");
        assert_problem(app.get(&path, "alice").send().await.expect("estimate"), 422, code).await;
    }
    let malformed = json!({"filters": {"folders": ["pas-un-id"]}});
    let refused = app.post("/api/v1/exports", "alice").json(&malformed).send().await;
    assert_eq!(refused.expect("export").status(), 422);
    app.stop().await;
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn the_zip_archives_to_import_from_are_listed_wherever_they_lie() {
    let app = TestApp::spawn_api_only().await;
    let classe = folder(&app, "alice", "Classe", None).await;
    let deep = folder(&app, "alice", "Anciennes", Some(&classe)).await;
    let mine = file(&app, "alice", "Mon année.zip", &content(500, 1), Some(&deep)).await;
    file(&app, "alice", "notes.txt", b"pas une archive", None).await;
    let theirs = file(&app, "bob", "Partagée.zip", &content(400, 2), None).await;
    file(&app, "bob", "Gardée.zip", &content(300, 3), None).await;
    share(&app, "bob", &theirs, "alice").await;

    let listed = get(&app, "alice", "/api/v1/documents?scope=zips").await;
    let ids: BTreeSet<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|d| d["id"].as_str())
        .collect();
    assert_eq!(ids, BTreeSet::from([mine.as_str(), theirs.as_str()]), "{listed}");
    assert_eq!(listed["total"], 2);
    let bobs = get(&app, "bob", "/api/v1/documents?scope=zips").await;
    assert_eq!(bobs["total"], 2, "his own two: {bobs}");
    let with_folder = app
        .get(&format!("/api/v1/documents?scope=zips&folder_id={classe}"), "alice")
        .send()
        .await
        .expect("list");
    assert_problem(with_folder, 422, "invalid_request").await;
    app.stop().await;
}
