//! The archive's viewer end to end: an export of nested folders, a shared document, a homework
//! entry with its attachment and hostile names, whose `index.html` and pages are in the zip,
//! listed as the viewer's, small, escaped and paginated, in the asker's language; the archive
//! still imports, its pages left out. The archive is kept for the browser test
//! (tests/browser/viewer.test.mjs), which opens it from `file://`.

use std::collections::BTreeMap;

use mesdonnees_tests::cahier::WithCahier;
use serde_json::{Value, json};

use crate::connectors::{attach, entry, import_as};
use crate::exports::{download, file, read_zip, wait_export};
use crate::{folder, json_ok, share};

/// A document's name may hold markup (not `/`, which no name holds); an entry's title anything.
const HOSTILE: &str = "<img src=x onerror=alert(1)>.pdf";
const TITLE: &str = "Fractions & décimaux <script>alert(1)</script>";
/// Files in one folder: more than a listing page holds.
const MANY: usize = 501;

async fn export_in(with: &WithCahier, language: &str) -> BTreeMap<String, Vec<u8>> {
    let created = json_ok(
        with.app
            .post("/api/v1/exports", "alice")
            .header("accept-language", language)
            .json(&json!({"apps": ["workspace", "cahier"], "name": "Année 2026 — « 5e B » & <co>"}))
            .send()
            .await
            .expect("export"),
        202,
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let ready = wait_export(&with.app, "alice", &id).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    let zip = download(&with.app, "alice", &id).await;
    if language == "fr" {
        let sample = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("viewer-sample.zip");
        std::fs::write(&sample, &zip).expect("sample archive written");
        let done = import_as(with, "bob", zip.clone(), &["workspace", "cahier"]).await;
        let apps = &done["report"]["apps"];
        // Every document, folder and section, the entry with its attachment; none of the
        // viewer's files, which the analysis counts with the archive's but no app's.
        let analysed = &done["analysis"]["apps"];
        let documents = analysed.as_array().and_then(|a| a.iter().find(|a| a["id"] == "workspace"));
        assert_eq!(documents.map(|a| &a["entries"]), Some(&json!(MANY + 5)), "{done}");
        assert_eq!(apps["workspace"]["imported"], MANY + 4 + 3 + 2, "{done}");
        assert_eq!(apps["workspace"]["failed"], 0, "{done}");
        assert_eq!(apps["cahier"]["imported"], 2, "{done}");
    }
    read_zip(&zip).into_iter().collect()
}

fn page<'a>(entries: &'a BTreeMap<String, Vec<u8>>, path: &str) -> &'a str {
    std::str::from_utf8(entries.get(path).unwrap_or_else(|| panic!("{path} missing")))
        .expect("UTF-8")
}

#[tokio::test]
async fn every_archive_opens_in_a_browser_with_its_viewer() {
    let with = WithCahier::spawn(|_| {}).await;
    let app = &with.app;
    let classe = folder(app, "alice", "Classe & « amis »", None).await;
    let sciences = folder(app, "alice", "Sciences <SVT>", Some(&classe)).await;
    file(app, "alice", "Compte-rendu été #1?.txt", b"la photosynthese", Some(&sciences)).await;
    file(app, "alice", HOSTILE, b"%PDF-1.4 not really", Some(&classe)).await;
    file(app, "alice", "100% réussi.txt", b"bravo", None).await;
    let many = folder(app, "alice", "Beaucoup", None).await;
    for i in 0..MANY {
        file(app, "alice", &format!("note-{i:03}.txt"), i.to_string().as_bytes(), Some(&many))
            .await;
    }
    let shared = file(app, "bob", "Sortie au musée.txt", b"autorisation", None).await;
    share(app, "bob", &shared, "alice").await;
    let html = "<p>Exercices <b>1 à 4</b><script>alert(1)</script></p>";
    let devoir = entry(&with, "alice", TITLE, html).await;
    let text = b"Exercice 1 : calculer 3/4 + 1/8".to_vec();
    attach(&with, "alice", &devoir, "énoncé: page 1?.txt", text).await;

    let entries = export_in(&with, "fr").await;
    let manifest: Value = serde_json::from_slice(&entries["manifest.json"]).expect("manifest");
    let viewer: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["kind"] == "viewer")
        .map(|f| {
            assert_eq!(f["app"], "", "{f}");
            f["path"].as_str().expect("path")
        })
        .collect();
    assert!(
        viewer.contains(&"index.html") && viewer.contains(&"visionneuse/style.css"),
        "{viewer:?}"
    );
    for path in &viewer {
        assert!(entries.contains_key(*path), "{path} listed but not in the archive");
        assert!(entries[*path].len() < 1024 * 1024, "{path} is {} bytes", entries[*path].len());
        assert!(*path == "index.html" || path.starts_with("visionneuse/"), "{path}");
    }
    let pages: Vec<&str> =
        viewer.iter().copied().filter(|p| *p != "visionneuse/style.css").collect();
    for path in &pages {
        let html = page(&entries, path);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"), "{path}");
        assert!(!html.contains("<script"), "{path} holds a script: {html}");
        assert!(!html.contains("http://") && !html.contains("https://"), "{path} names the web");
    }
    assert!(page(&entries, "LISEZMOI.txt").contains("ouvrez index.html avec un navigateur"));

    let home = page(&entries, "index.html");
    assert!(home.contains("Année 2026 — « 5e B » &amp; &lt;co&gt;"), "{home}");
    assert!(home.contains("Parcourir les fichiers de Documents"), "{home}");
    assert!(home.contains("Lire les éléments de Cahier de textes"), "{home}");
    assert!(home.contains("sha256sum -c SHA256SUMS"), "{home}");

    // The hostile name is text in its folder's page, linked to the file, percent-encoded.
    let classe_page = pages
        .iter()
        .map(|p| page(&entries, p))
        .find(|html| html.contains("<h1>Classe &amp; « amis »</h1>"))
        .expect("the folder's page");
    assert!(classe_page.contains(">&lt;img src=x onerror=alert(1)&gt;.pdf</a>"), "{classe_page}");
    let link = "../../Documents/Mes%20documents/Classe%20%26%20%C2%AB%20amis%20%C2%BB/";
    assert!(classe_page.contains(link), "{classe_page}");
    assert!(classe_page.contains(">Sciences _SVT_</a>"), "{classe_page}");

    // 501 files make two pages: 500 rows, then one.
    let beaucoup: Vec<&&str> =
        pages.iter().filter(|p| page(&entries, p).contains("<h1>Beaucoup (page ")).collect();
    assert_eq!(beaucoup.len(), 2, "{beaucoup:?}");
    let rows: Vec<usize> =
        beaucoup.iter().map(|p| page(&entries, p).matches("note-").count() / 2).collect();
    assert_eq!(rows.iter().sum::<usize>(), MANY, "each file once, linked: {rows:?}");

    // The entry's page: its title, its text made inert, its attachment linked.
    let fiche = pages
        .iter()
        .map(|p| page(&entries, p))
        .find(|html| {
            html.contains("<h1>Fractions &amp; décimaux &lt;script&gt;alert(1)&lt;/script&gt;</h1>")
        })
        .expect("the entry's page");
    assert!(fiche.contains("Exercices <b>1 à 4</b>"), "{fiche}");
    assert!(fiche.contains("<dt>Matière</dt><dd>Mathématiques</dd>"), "{fiche}");
    assert!(fiche.contains("14 décembre 2026"), "{fiche}");
    let attachment = entries
        .keys()
        .find(|p| p.starts_with("Cahier de textes/pieces-jointes/") && p.contains("énoncé"))
        .expect("the attachment");
    let encoded: String = attachment
        .split('/')
        .map(|s| percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string())
        .collect::<Vec<_>>()
        .join("/");
    assert!(
        fiche.contains(&format!("href=\"../../{encoded}\">énoncé: page 1?.txt</a>")),
        "{fiche}"
    );

    // In English for a person who asks in English.
    let english = export_in(&with, "en-GB,en;q=0.8").await;
    let home = page(&english, "index.html");
    assert!(home.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"), "{home}");
    assert!(home.contains("Browse the files of Documents"), "{home}");
    with.stop().await;
}

const UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
