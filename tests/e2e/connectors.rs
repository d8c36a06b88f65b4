//! Remote apps over the connector contract, with the reference app (`crates/cahier`) running
//! for real on a loopback port: its data in the same archive as the documents, handed back to
//! it on import, and an app that fails never taking the others with it.

use std::collections::BTreeMap;
use std::time::Duration;

use mesdonnees_tests::cahier::{CREATE_RIGHTS, WithCahier};
use mesdonnees_tests::reqwest::multipart::{Form, Part};
use mesdonnees_tests::{eventually, free_addr};
use serde_json::{Value, json};

use crate::exports::{download, file, read_zip, start_export, wait_export};
use crate::{content, json_ok};

const FOLDER: &str = "Cahier de textes";

pub(crate) async fn entry(with: &WithCahier, user: &str, title: &str, html: &str) -> String {
    let body = json!({
        "title": title, "subject": "Mathématiques", "due_date": "2026-12-14", "content_html": html,
    });
    let created = json_ok(
        with.cahier_post("/api/entries", user).json(&body).send().await.expect("entry"),
        201,
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn attach(with: &WithCahier, user: &str, entry: &str, name: &str, bytes: Vec<u8>) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    let path = format!("/api/entries/{entry}/attachments");
    json_ok(with.cahier_post(&path, user).multipart(form).send().await.expect("attach"), 201).await;
}

/// What `user` sees in the app: per title, the entry's text and each attachment's SHA-256
/// computed from the bytes the app serves.
pub(crate) async fn cahier_view(
    with: &WithCahier,
    user: &str,
) -> BTreeMap<String, (String, Vec<(String, String)>)> {
    let entries =
        json_ok(with.cahier_get("/api/entries", user).send().await.expect("list"), 200).await;
    let mut view = BTreeMap::new();
    for entry in entries.as_array().expect("an array of entries") {
        let id = entry["id"].as_str().expect("id");
        let mut attachments = Vec::new();
        for attachment in entry["attachments"].as_array().expect("attachments") {
            let path = format!(
                "/api/entries/{id}/attachments/{}/content",
                attachment["id"].as_str().expect("id")
            );
            attachments.push((
                attachment["name"].as_str().expect("name").to_owned(),
                crate::sha256_of(with.cahier_get(&path, user)).await,
            ));
        }
        attachments.sort();
        view.insert(
            entry["title"].as_str().expect("title").to_owned(),
            (entry["content_html"].as_str().expect("html").to_owned(), attachments),
        );
    }
    view
}

pub(crate) async fn import_as(with: &WithCahier, user: &str, zip: Vec<u8>, apps: &[&str]) -> Value {
    let app = &with.app;
    let token = app.token_with_rights(user, CREATE_RIGHTS);
    let form = Form::new().part("file", Part::bytes(zip).file_name("archive.zip"));
    let created = json_ok(
        app.client
            .post(app.url("/api/v1/imports"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .expect("upload"),
        202,
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let settled = |states: &'static [&'static str]| {
        let (token, id) = (token.clone(), id.clone());
        async move {
            eventually(Duration::from_secs(60), "import settled", || async {
                let import = json_ok(
                    app.client
                        .get(app.url(&format!("/api/v1/imports/{id}")))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .expect("get"),
                    200,
                )
                .await;
                (!states.contains(&import["status"].as_str().unwrap_or_default())).then_some(import)
            })
            .await
        }
    };
    let analysed = settled(&["analysing"]).await;
    assert_eq!(analysed["status"], "analysed", "{analysed}");
    let verdicts: BTreeMap<&str, &str> = analysed["analysis"]["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| (a["id"].as_str().unwrap_or_default(), a["verdict"].as_str().unwrap_or_default()))
        .collect();
    for app_id in apps {
        assert_eq!(verdicts.get(app_id), Some(&"importable"), "{analysed}");
    }
    json_ok(
        app.client
            .post(app.url(&format!("/api/v1/imports/{id}/launch")))
            .bearer_auth(&token)
            .json(&json!({ "apps": apps }))
            .send()
            .await
            .expect("launch"),
        202,
    )
    .await;
    let done = settled(&["queued", "running"]).await;
    assert_eq!(done["status"], "done", "{done}");
    done
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one round trip, read top to bottom")]
async fn documents_and_app_data_go_out_in_one_archive_and_come_back_in_another_account() {
    let with = WithCahier::spawn(|_| {}).await;
    let app = &with.app;
    let pdf = content(300_000, 7);
    let photo = content(2_500_000, 9);
    file(app, "alice", "rapport.odt", &content(20_000, 3), None).await;
    let fractions = entry(&with, "alice", "Fractions", "<p>Exercices <b>1 à 4</b></p>").await;
    attach(&with, "alice", &fractions, "exercices.pdf", pdf.clone()).await;
    attach(&with, "alice", &fractions, "tableau: été?.jpg", photo.clone()).await;
    entry(&with, "alice", "Fractions", "<p>Deuxième séance</p>").await;
    let shared = entry(&with, "carol", "Sortie au musée", "<p>Autorisation à signer</p>").await;
    let shared_answer = with
        .cahier_post(&format!("/api/entries/{shared}/shares"), "carol")
        .json(&json!({"user_id": "alice"}))
        .send()
        .await
        .expect("share");
    assert_eq!(shared_answer.status(), 204);

    let apps = json_ok(
        app.client
            .get(app.url("/api/v1/apps"))
            .bearer_auth(app.token_with_rights("alice", CREATE_RIGHTS))
            .send()
            .await
            .expect("apps"),
        200,
    )
    .await;
    let cahier = apps
        .as_array()
        .expect("apps")
        .iter()
        .find(|a| a["id"] == "cahier")
        .expect("cahier is listed");
    assert_eq!(
        (cahier["version"].as_str(), cahier["can_create"].as_bool()),
        (Some("1.0"), Some(true))
    );
    assert_eq!(cahier["display_names"]["en"], "Homework book", "{cahier}");
    assert_eq!(cahier["table_fields"][0]["name"], "cahier.subject", "{cahier}");
    // The estimate says which apps it could not size.
    let estimate = json_ok(
        app.get("/api/v1/exports/estimate?apps=workspace,cahier", "alice").send().await.expect("e"),
        200,
    )
    .await;
    assert_eq!(estimate["unestimated_apps"], json!(["cahier"]), "{estimate}");
    let sized: Vec<&String> = estimate["by_app"].as_object().expect("by_app").keys().collect();
    assert_eq!(sized, ["workspace"], "only what can be sized now: {estimate}");

    let export = start_export(app, "alice", json!({"apps": ["workspace", "cahier"]})).await;
    let id = export["id"].as_str().expect("id").to_owned();
    let ready = wait_export(app, "alice", &id).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    let outcomes = &ready["outcomes"];
    assert_eq!(outcomes["cahier"]["status"], "ok", "{ready}");
    assert_eq!(outcomes["workspace"]["status"], "ok", "{ready}");
    // Three entries (one shared with Alice) and two attachments.
    assert_eq!(outcomes["cahier"]["entries"], 5, "{ready}");

    let zip = download(&with.app, "alice", &id).await;
    let entries = read_zip(&zip);
    let in_app: Vec<&String> =
        entries.keys().filter(|p| p.starts_with(&format!("{FOLDER}/"))).collect();
    let json_files: Vec<&&String> =
        in_app.iter().filter(|p| p.starts_with(&format!("{FOLDER}/entrees/"))).collect();
    assert_eq!(json_files.len(), 3, "{in_app:?}");
    // Two entries with one title keep two files; names are made safe for every system.
    assert!(in_app.iter().any(|p| p.ends_with("/tableau_ été_.jpg")), "{in_app:?}");
    let attachments: Vec<&Vec<u8>> = in_app
        .iter()
        .filter(|p| p.starts_with(&format!("{FOLDER}/pieces-jointes/")))
        .map(|p| &entries[*p])
        .collect();
    assert!(
        attachments.contains(&&pdf) && attachments.contains(&&photo),
        "attachments byte for byte"
    );
    let data: Value = serde_json::from_slice(&entries[*json_files[0]]).expect("each entry is JSON");
    assert!(data["title"].is_string(), "{data}");
    let manifest: Value = serde_json::from_slice(&entries["manifest.json"]).expect("manifest");
    let kinds: BTreeMap<String, Option<String>> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["app"] == "cahier")
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_owned(),
                f["kind"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(kinds.values().filter(|k| k.as_deref() == Some("json")).count(), 3, "{kinds:?}");
    assert_eq!(kinds.values().filter(|k| k.is_none()).count(), 2, "{kinds:?}");

    let alice_view = cahier_view(&with, "alice").await;
    let done = import_as(&with, "bob", zip.clone(), &["workspace", "cahier"]).await;
    let report = &done["report"]["apps"]["cahier"];
    assert_eq!(
        (report["imported"].as_u64(), report["failed"].as_u64()),
        (Some(5), Some(0)),
        "{done}"
    );
    // Every entry a remote app takes is a file of the archive.
    assert_eq!(
        (report["files_imported"].as_u64(), report["folders_created"].as_u64()),
        (Some(5), Some(0))
    );
    assert_eq!(report["id_map"].as_object().map(serde_json::Map::len), Some(3), "{done}");
    assert_eq!(report["bytes"].as_u64(), Some((pdf.len() + photo.len()) as u64), "{done}");
    assert_eq!(done["report"]["apps"]["workspace"]["imported"], 2, "{done}");
    let bob_view = cahier_view(&with, "bob").await;
    assert_eq!(bob_view, alice_view, "Bob holds what Alice saw, attachments byte for byte");
    // Bob owns the copies: the entry shared with Alice is his own, not shared with him.
    let bob_entries =
        json_ok(with.cahier_get("/api/entries", "bob").send().await.expect("list"), 200).await;
    assert!(
        bob_entries
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["owner_id"] == "bob" && e["shared_with_me"] == false)
    );
    // What was staged for the app is gone from the store.
    let staged = count_under(app, "imports/").await;
    assert_eq!(staged, 0, "staged files left in the store");

    // The same archive again: the app creates everything anew for a new import.
    let again = import_as(&with, "bob", zip, &["cahier"]).await;
    assert_eq!(again["report"]["apps"]["cahier"]["imported"], 5, "{again}");
    assert_eq!(cahier_view(&with, "bob").await.len(), alice_view.len(), "entries keyed by title");
    with.stop().await;
}

pub(crate) async fn count_under(app: &mesdonnees_tests::TestApp, prefix: &str) -> usize {
    use futures_util::StreamExt;
    use object_store::ObjectStore;
    let prefix = object_store::path::Path::from(prefix);
    app.ctx.storage.store.list(Some(&prefix)).count().await
}

#[tokio::test]
async fn an_app_cut_off_mid_stream_fails_alone_and_the_export_completes() {
    let mut with = WithCahier::spawn_paced(Duration::from_millis(150), |_| {}).await;
    file(&with.app, "alice", "notes.txt", b"mes notes", None).await;
    for n in 0..12 {
        entry(&with, "alice", &format!("Séance {n}"), "<p>…</p>").await;
    }
    let export = start_export(&with.app, "alice", json!({"apps": ["workspace", "cahier"]})).await;
    let id = export["id"].as_str().expect("id").to_owned();
    // Cut once the export has started reading the app's stream (12 lines at 150 ms each).
    tokio::time::sleep(Duration::from_millis(700)).await;
    with.kill_cahier().await;
    let ready = wait_export(&with.app, "alice", &id).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    let cahier = &ready["outcomes"]["cahier"];
    assert_eq!(cahier["status"], "failed", "{ready}");
    assert_eq!(cahier["code"], "truncated_stream", "{ready}");
    let written = cahier["entries"].as_u64().expect("entries");
    assert!(written > 0 && written < 12, "the archive keeps what came before the cut: {ready}");
    assert_eq!(ready["outcomes"]["workspace"]["status"], "ok", "{ready}");
    let zip = download(&with.app, "alice", &id).await;
    assert_eq!(read_zip(&zip)["Documents/Mes documents/notes.txt"], b"mes notes");
    let notifications = json_ok(
        with.app.get("/api/v1/notifications", "alice").send().await.expect("timeline"),
        200,
    )
    .await;
    assert!(
        notifications.to_string().contains("cahier"),
        "the ready notice names the failed app: {notifications}"
    );
    with.stop().await;
}

#[tokio::test]
async fn an_app_that_is_down_fails_alone_on_export_and_on_import() {
    let mut with = WithCahier::spawn(|config| config.connectors.max_retries = 1).await;
    file(&with.app, "alice", "notes.txt", b"mes notes", None).await;
    entry(&with, "alice", "Fractions", "<p>…</p>").await;
    let export = start_export(&with.app, "alice", json!({"apps": ["workspace", "cahier"]})).await;
    let id = export["id"].as_str().expect("id").to_owned();
    let ready = wait_export(&with.app, "alice", &id).await;
    assert_eq!(ready["outcomes"]["cahier"]["status"], "ok", "{ready}");
    let zip = download(&with.app, "alice", &id).await;

    with.kill_cahier().await;
    let export = start_export(&with.app, "carol", json!({"apps": ["workspace", "cahier"]})).await;
    let down = wait_export(&with.app, "carol", export["id"].as_str().expect("id")).await;
    assert_eq!(down["status"], "ready", "{down}");
    assert_eq!(down["outcomes"]["cahier"]["code"], "app_unavailable", "{down}");

    let done = import_as(&with, "bob", zip, &["workspace", "cahier"]).await;
    let report = &done["report"]["apps"];
    assert_eq!(report["workspace"]["imported"], 2, "the folder and its document: {done}");
    assert_eq!(report["cahier"]["error"]["code"], "app_unavailable", "{done}");
    assert_eq!(count_under(&with.app, "imports/").await, 0, "nothing staged is left");
    with.stop().await;
}

#[tokio::test]
async fn an_app_nobody_answers_for_fails_alone() {
    // Nothing listens there: every try is refused, the export still completes.
    let with = WithCahier::spawn(|config| {
        config.apps[0].base_url = format!("http://{}/connector", free_addr());
        config.connectors.max_retries = 0;
    })
    .await;
    let export = start_export(&with.app, "alice", json!({"apps": ["cahier"]})).await;
    let ready = wait_export(&with.app, "alice", export["id"].as_str().expect("id")).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    assert_eq!(ready["outcomes"]["cahier"]["code"], "app_unavailable", "{ready}");
    with.stop().await;
}
