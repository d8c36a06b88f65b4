use std::collections::BTreeMap;

use chrono::TimeZone;
use mesdonnees_shared::Zone;
use mesdonnees_shared::apps::AppDescriptor;
use mesdonnees_shared::archive::{AppOutcome, ManifestApp};
use mesdonnees_shared::connector::{ResourceView, ViewField};

use super::listing::PAGE_ITEMS;
use super::*;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 8, 30, 0).single().expect("a date")
}

fn descriptor(id: &str, name: &str) -> AppDescriptor {
    AppDescriptor {
        id: id.to_owned(),
        display_name: name.to_owned(),
        display_names: BTreeMap::new(),
        ..AppDescriptor::workspace()
    }
}

/// Every page the viewer writes, by path.
fn finish(viewer: Viewer, lang_apps: &BTreeMap<String, ManifestApp>) -> BTreeMap<String, String> {
    let about = About {
        export_name: "Mon année <b>2026</b>",
        owner: "Élise & co",
        instance: "ent.example",
        created_at: at(),
        apps: lang_apps,
    };
    let mut viewer = viewer;
    let mut pages = BTreeMap::new();
    let style = Viewer::style();
    pages.insert(style.path, style.html);
    while let Some(page) = viewer.next_listing().expect("a listing") {
        assert!(pages.insert(page.path, page.html).is_none(), "a page written twice");
    }
    let home = viewer.home(&about);
    pages.insert(home.path, home.html);
    pages
}

fn manifest_app(folder: &str, outcome: AppOutcome) -> ManifestApp {
    ManifestApp {
        version: "1.0".parse().expect("v"),
        folder: folder.to_owned(),
        entries: 3,
        bytes: 2048,
        outcome,
    }
}

#[test]
fn hostile_names_are_shown_as_text_and_linked_encoded() {
    let dir = tempfile::tempdir().expect("dir");
    let mut viewer = Viewer::new(Lang::Fr, Zone::PARIS, dir.path()).expect("viewer");
    viewer.begin_app(&AppDescriptor::workspace(), "Documents", ViewSlot::default());
    viewer.directory("Documents/Mes documents/");
    // The archive's name is made safe; the app's name is shown, as text.
    let hostile = "Documents/Mes documents/_script_alert(1)__script_.pdf";
    let row = TableRow {
        name: "<script>alert(1)</script>.pdf".to_owned(),
        kind: "application/pdf".to_owned(),
        ..TableRow::default()
    };
    viewer.file(hostile, 10, at(), Some(&row)).expect("file");
    viewer.file("Documents/Mes documents/Été #1?.txt", 2_000_000, at(), None).expect("file");
    let apps = [("workspace".to_owned(), manifest_app("Documents", AppOutcome::Ok))].into();
    let pages = finish(viewer, &apps);
    let folder =
        pages.values().find(|html| html.contains("Été #1?.txt")).expect("the folder's page");
    assert!(folder.contains("&lt;script&gt;alert(1)&lt;/script&gt;.pdf"), "{folder}");
    assert!(folder.contains("<a href=\"../../Documents/Mes%20documents/_script_alert%281%29__script_.pdf\">&lt;script&gt;alert(1)&lt;/script&gt;.pdf</a></th><td>application/pdf</td>"), "{folder}");
    assert!(
        folder.contains("href=\"../../Documents/Mes%20documents/%C3%89t%C3%A9%20%231%3F.txt\"")
    );
    assert!(
        folder.contains("<td>2\u{a0}Mo</td>") && folder.contains("<td>text/plain</td>"),
        "{folder}"
    );
    // 08:30 UTC, read on a clock in Paris.
    assert!(folder.contains("7 décembre 2026 à 09 h 30"), "{folder}");
    for (path, html) in &pages {
        assert!(!html.contains("<script"), "{path} holds a script");
        if path != STYLE_PATH {
            assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"), "{path}");
            assert!(html.contains("<a class=\"evitement\" href=\"#contenu\">"), "{path}");
            assert!(html.contains("<main id=\"contenu\""), "{path}");
        }
    }
    let home = &pages["index.html"];
    assert!(home.contains("<h1>Mon année &lt;b&gt;2026&lt;/b&gt;</h1>"), "{home}");
    assert!(home.contains("Élise &amp; co"));
    assert!(home.contains("sha256sum -c SHA256SUMS") && home.contains("mesdonnees verify"));
    assert!(
        home.contains(
            "href=\"visionneuse/dossiers/1.html\">Parcourir les fichiers de Documents</a>"
        ),
        "{home}"
    );
    assert!(pages.contains_key("visionneuse/style.css"));
}

#[test]
fn a_large_folder_is_cut_in_pages_under_a_megabyte() {
    let dir = tempfile::tempdir().expect("dir");
    let mut viewer = Viewer::new(Lang::En, Zone::PARIS, dir.path()).expect("viewer");
    viewer.begin_app(&AppDescriptor::workspace(), "Documents", ViewSlot::default());
    // The longest names, every character encoded, and another folder's files in between.
    let long = "<é\"&>".repeat(36);
    let files = 2 * PAGE_ITEMS + 3;
    for i in 0..files {
        viewer.file(&format!("Documents/Big/{i:05}{long}"), 1, at(), None).expect("file");
        if i % 100 == 0 {
            viewer.file(&format!("Documents/Other/{i}"), 1, at(), None).expect("file");
        }
    }
    let pages = finish(viewer, &BTreeMap::new());
    let big: Vec<(&String, &String)> =
        pages.iter().filter(|(_, html)| html.contains("00000") || html.contains("01002")).collect();
    let id = pages
        .iter()
        .find(|(_, html)| html.contains("<h1>Big (page 1 of 3)</h1>"))
        .map(|(path, _)| path.clone())
        .expect("the first page of Big");
    let stem = id.trim_end_matches(".html").to_owned();
    for (n, rows) in [(1, PAGE_ITEMS), (2, PAGE_ITEMS), (3, 3)] {
        let path = if n == 1 { format!("{stem}.html") } else { format!("{stem}-{n}.html") };
        let html = &pages[&path];
        assert_eq!(html.matches("<tr><th scope=\"row\">").count(), rows, "{path}");
        assert!(html.len() < 1024 * 1024, "{path}: {} bytes", html.len());
        assert!(html.contains(&format!("<span aria-current=\"page\">Page {n} of 3</span>")));
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    }
    assert!(big.len() >= 2);
    let other = pages.values().find(|html| html.contains("<h1>Other</h1>")).expect("Other");
    assert_eq!(other.matches("<tr><th scope=\"row\">").count(), 11);
    assert!(pages.values().all(|html| html.len() < 1024 * 1024));
}

fn cahier_view() -> ResourceView {
    ResourceView {
        title: Some("title".into()),
        date: Some("due_date".into()),
        body: Some("content_html".into()),
        attachments: Some("attachments".into()),
        fields: vec![ViewField {
            member: "subject".into(),
            label: [("fr".to_owned(), "Matière".to_owned())].into(),
        }],
    }
}

#[test]
fn a_document_reads_as_its_app_declares_and_its_rich_text_is_made_inert() {
    let dir = tempfile::tempdir().expect("dir");
    let mut viewer = Viewer::new(Lang::Fr, Zone::PARIS, dir.path()).expect("viewer");
    let view = ViewSlot::default();
    view.set(cahier_view()).expect("set");
    viewer.begin_app(&descriptor("cahier", "Cahier de textes"), "Cahier de textes", view);
    let json = serde_json::json!({
        "title": "Fractions <i>&</i> décimaux",
        "subject": "Mathématiques",
        "due_date": "2026-12-14",
        "content_html": "<p onclick=\"x()\">Exercices <b>1 à 4</b><script>alert(1)</script>\
            <img src=\"https://tracker.example/p.gif\"><a href=\"javascript:alert(1)\">lien</a>\
            <a href=\"https://ent.example/cours\">cours</a><style>body{}</style></p>",
        "attachments": [{"name": "tableau: été?.jpg", "path": "pieces-jointes/0123abcd/tableau: été?.jpg"}],
        "owner_id": "alice",
        "shared_with_me": false,
    });
    let bytes = serde_json::to_vec(&json).expect("json");
    let page = viewer
        .document("Cahier de textes/entrees/2026-12-14-fractions.json", &bytes)
        .expect("io")
        .expect("a page");
    assert_eq!(page.path, "visionneuse/fiches/1-1.html");
    let html = &page.html;
    assert!(html.contains("<h1>Fractions &lt;i&gt;&amp;&lt;/i&gt; décimaux</h1>"), "{html}");
    assert!(html.contains("<p class=\"date\">14 décembre 2026</p>"), "{html}");
    assert!(html.contains("<dt>Matière</dt><dd>Mathématiques</dd>"), "{html}");
    assert!(html.contains("Exercices <b>1 à 4</b>"), "{html}");
    for inert in
        ["onclick", "<script", "alert(1)", "<img", "tracker.example", "javascript:", "<style"]
    {
        assert!(!html.contains(inert), "{inert} left in {html}");
    }
    assert!(
        html.contains(
            "<a href=\"https://ent.example/cours\" rel=\"noopener noreferrer\">cours</a>"
        ),
        "{html}"
    );
    assert!(
        html.contains("href=\"../../Cahier%20de%20textes/pieces-jointes/0123abcd/tableau_%20%C3%A9t%C3%A9_.jpg\">tableau: été?.jpg</a>"),
        "{html}"
    );
    assert!(html.contains("<dt>owner_id</dt><dd>alice</dd>"), "the rest as a list: {html}");
    assert!(html.contains("<dt>shared_with_me</dt><dd>non</dd>"));
    assert!(html.contains("href=\"../../Cahier%20de%20textes/entrees/2026-12-14-fractions.json\""));

    // Without a view, the whole document as a definition list, strings as text.
    let mut plain = Viewer::new(Lang::En, Zone::PARIS, dir.path()).expect("viewer");
    plain.begin_app(&descriptor("blog", "Blog"), "Blog", ViewSlot::default());
    let post =
        serde_json::json!({"t": "<b>x</b>", "tags": ["a", {"k": 1}], "at": "2026-01-02T03:04:05Z"});
    let page = plain
        .document("Blog/post.json", &serde_json::to_vec(&post).expect("json"))
        .expect("io")
        .expect("a page");
    assert!(page.html.contains("<h1>post.json</h1>"), "{}", page.html);
    assert!(page.html.contains("<dt>t</dt><dd>&lt;b&gt;x&lt;/b&gt;</dd>"), "{}", page.html);
    assert!(page.html.contains("<ol><li>a</li><li><dl><dt>k</dt><dd>1</dd></dl></li></ol>"));
    // 03:04 UTC, read on a clock in Paris (UTC+1 in winter).
    assert!(page.html.contains("2 January 2026 at 04:04"), "{}", page.html);
    let apps = [("blog".to_owned(), manifest_app("Blog", AppOutcome::Ok))].into();
    let pages = finish(plain, &apps);
    let list = &pages["visionneuse/applis/1.html"];
    assert!(list.contains("<a href=\"../fiches/1-1.html\">post.json</a>"), "{list}");
    let home = &pages["index.html"];
    assert!(
        home.contains("href=\"visionneuse/applis/1.html\">Read the items of Blog</a>"),
        "{home}"
    );
}

#[test]
fn a_huge_document_still_makes_a_page_under_a_megabyte() {
    let dir = tempfile::tempdir().expect("dir");
    let mut viewer = Viewer::new(Lang::Fr, Zone::PARIS, dir.path()).expect("viewer");
    viewer.begin_app(&descriptor("blog", "Blog"), "Blog", ViewSlot::default());
    let members: serde_json::Map<String, serde_json::Value> =
        (0..4000).map(|i| (format!("m{i}"), "<>".repeat(100).into())).collect();
    let bytes = serde_json::to_vec(&members).expect("json");
    let page = viewer.document("Blog/big.json", &bytes).expect("io").expect("a page");
    assert!(page.html.len() < 1024 * 1024, "{} bytes", page.html.len());
    assert!(page.html.contains("Trop long pour être affiché ici"));
    assert!(page.html.ends_with("</html>\n"));
    assert!(viewer.document("Blog/not.json", b"{not json").expect("io").is_none());
}
