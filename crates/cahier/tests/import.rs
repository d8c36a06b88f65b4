//! `POST /connector/import`: round trips, retries, and bodies that must leave nothing behind.

mod common;

use std::collections::BTreeMap;

use common::{TestApp, parse_lines, problem_code, sha256_hex, start, start_with, to_ndjson};
use mesdonnees_shared::connector::{EntryLine, ImportBegin, ImportReport};
use object_store::ObjectStoreExt;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn begin(user: &str, import_id: &str) -> EntryLine {
    begin_at(user, import_id, "1.0")
}

fn begin_at(user: &str, import_id: &str, version: &str) -> EntryLine {
    EntryLine::Begin(ImportBegin {
        user_id: user.to_owned(),
        import_id: import_id.to_owned(),
        version: version.parse().unwrap(),
        origin: None,
    })
}

/// What mesdonnees does before it calls: each object line's bytes copied to a staged key of
/// its own, which the line then names.
async fn stage(app: &TestApp, lines: &[EntryLine], prefix: &str) -> Vec<EntryLine> {
    let mut staged = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        match line {
            EntryLine::Object { path, key, size, sha256, content_type } => {
                let staged_key = format!("{prefix}/{n}");
                let bytes = app.object(key).await;
                app.put_object(&staged_key, &bytes).await;
                staged.push(EntryLine::Object {
                    path: path.clone(),
                    key: staged_key,
                    size: *size,
                    sha256: sha256.clone(),
                    content_type: content_type.clone(),
                });
            }
            EntryLine::Json { .. } => staged.push(line.clone()),
            EntryLine::Begin(_) | EntryLine::End { .. } => {}
        }
    }
    staged
}

/// `begin`, the entries, and a correct `end`.
fn body(user: &str, import_id: &str, entries: &[EntryLine]) -> String {
    let mut lines = vec![begin(user, import_id)];
    lines.extend_from_slice(entries);
    lines.push(EntryLine::End { count: entries.len() as u64 });
    to_ndjson(&lines)
}

async fn report(app: &TestApp, body: String) -> ImportReport {
    let res = app.import_body(body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// Alice's data: an entry with two files, one with none, and one Bob shares with her.
async fn seed(app: &TestApp) {
    let lecture = app.create_entry("alice", "Lecture", "2026-03-09").await;
    let id = lecture["id"].as_str().unwrap();
    app.attach("alice", id, "fiche.pdf", &b"%PDF-1.4 fiche".repeat(3000)).await;
    app.attach("alice", id, "notes.txt", "notes accentuées é à".as_bytes()).await;
    app.create_entry("alice", "Rédaction", "2026-03-12").await;
    let shared = app.create_entry("bob", "Révisions", "2026-03-15").await;
    let shared_id = shared["id"].as_str().unwrap();
    app.attach("bob", shared_id, "resume.txt", b"resume de Bob").await;
    assert_eq!(app.share("bob", shared_id, "alice").await, StatusCode::NO_CONTENT);
}

/// An app with Alice's data, and her export staged under `staging/<import_id>`.
async fn exported(import_id: &str) -> (TestApp, Vec<EntryLine>) {
    let app = start().await;
    seed(&app).await;
    let lines = app.export(json!({"user_id": "alice"})).await;
    let staged = stage(&app, &lines, &format!("staging/{import_id}")).await;
    (app, staged)
}

fn comparable(entry: &Value) -> Value {
    let mut files: Vec<Value> = entry["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!([a["name"], a["content_type"], a["size"], a["sha256"]]))
        .collect();
    files.sort_by_key(ToString::to_string);
    json!([entry["title"], entry["subject"], entry["due_date"], entry["content_html"], files])
}

#[tokio::test]
async fn an_export_imported_into_another_user_gives_equal_entries_and_bytes() {
    let (app, staged) = exported("imp-1").await;
    assert_eq!(staged.len(), 6);

    let report = report(&app, body("dave", "imp-1", &staged)).await;
    assert_eq!(report.imported, 6, "{report:?}");
    assert_eq!(report.duplicates, 0);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let alices = app.entries("alice").await;
    let old_ids: Vec<&str> = alices.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(report.id_map.len(), 3);
    for old in &old_ids {
        assert_ne!(report.id_map[*old], *old);
    }

    // mesdonnees deletes what it staged once the call returns.
    for key in app.keys("staging").await {
        app.store.delete(&object_store::path::Path::from(key)).await.unwrap();
    }

    let daves = app.entries("dave").await;
    assert_eq!(daves.len(), 3);
    for entry in &daves {
        assert_eq!(entry["owner_id"], "dave");
        assert_eq!(entry["shared_with_me"], false);
    }
    let mut expected: Vec<String> = alices.iter().map(|e| comparable(e).to_string()).collect();
    let mut got: Vec<String> = daves.iter().map(|e| comparable(e).to_string()).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    for old in &alices {
        let new_id = &report.id_map[old["id"].as_str().unwrap()];
        let new = daves.iter().find(|e| e["id"] == new_id.as_str()).unwrap();
        assert_eq!(new["created_at"], old["created_at"]);
        for file in old["attachments"].as_array().unwrap() {
            let owner = if old["owner_id"] == "alice" { "alice" } else { "bob" };
            let original = app
                .content(owner, old["id"].as_str().unwrap(), file["id"].as_str().unwrap())
                .await
                .bytes()
                .await
                .unwrap();
            let copy = new["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["name"] == file["name"])
                .unwrap();
            let bytes = app
                .content("dave", new_id, copy["id"].as_str().unwrap())
                .await
                .bytes()
                .await
                .unwrap();
            assert_eq!(bytes, original);
            assert_eq!(copy["sha256"], sha256_hex(&bytes));
        }
    }
    // Bob's share with Alice does not follow the data to Dave.
    assert_eq!(app.entries("bob").await.len(), 1);
}

#[tokio::test]
async fn replaying_an_import_creates_nothing_twice() {
    let (app, staged) = exported("imp-2").await;
    let first = report(&app, body("erin", "imp-2", &staged)).await;
    assert_eq!(first.imported, 6);
    let objects = app.keys("cahier/attachments").await;

    let again = report(&app, body("erin", "imp-2", &staged)).await;
    assert_eq!(again.imported, 0);
    assert_eq!(again.duplicates, 6);
    assert!(again.errors.is_empty());
    assert_eq!(again.id_map, first.id_map);
    assert_eq!(app.entries("erin").await.len(), 3);
    assert_eq!(app.keys("cahier/attachments").await, objects);

    // Another import of the same data is new data.
    let other = report(&app, body("erin", "imp-3", &staged)).await;
    assert_eq!(other.imported, 6);
    assert_eq!(app.entries("erin").await.len(), 6);
}

#[tokio::test]
async fn a_cut_or_broken_body_leaves_nothing() {
    let (app, staged) = exported("imp-4").await;
    let objects = app.keys("cahier/attachments").await;
    let full = body("frank", "imp-4", &staged);
    let lines: Vec<&str> = full.lines().collect();

    let without_end = lines[..lines.len() - 1].join("\n") + "\n";
    let cut_in_a_line = format!("{}{{\"kind\":\"js", &without_end);
    let high_count = format!("{without_end}{}", to_ndjson(&[EntryLine::End { count: 99 }]));
    let low_count = format!("{without_end}{}", to_ndjson(&[EntryLine::End { count: 1 }]));
    let garbage = format!("{without_end}not json\n");
    let after_end = format!("{full}{}", lines[1]);
    let no_begin = lines[1..].join("\n") + "\n";
    for (body, code) in [
        (without_end.clone(), "truncated_stream"),
        (cut_in_a_line, "truncated_stream"),
        (high_count, "truncated_stream"),
        (low_count, "invalid_stream"),
        (garbage, "invalid_stream"),
        (after_end, "invalid_stream"),
        (no_begin, "invalid_stream"),
    ] {
        let res = app.import_body(body).await;
        assert_eq!(problem_code(res).await, (StatusCode::BAD_REQUEST, code.to_owned()));
        assert!(app.entries("frank").await.is_empty());
        assert_eq!(app.keys("cahier/attachments").await, objects, "copies are removed");
    }

    // The failed calls recorded nothing: the same import id then imports everything.
    let report = report(&app, full).await;
    assert_eq!(report.imported, 6);
    assert_eq!(report.duplicates, 0);
}

#[tokio::test]
async fn a_body_cut_by_the_network_leaves_nothing() {
    let (app, staged) = exported("imp-5").await;
    let objects = app.keys("cahier/attachments").await;
    let full = body("gina", "imp-5", &staged);
    let head = full.as_bytes()[..full.len() - 20].to_vec();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(head), Err(std::io::Error::other("connection lost"))];
    let result = app
        .client
        .post(app.connector("/import"))
        .bearer_auth(common::service_token())
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await;
    if let Ok(res) = result {
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    // The server notices the cut a moment later than the client.
    for _ in 0..50 {
        if app.keys("cahier/attachments").await == objects {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.keys("cahier/attachments").await, objects);
    assert!(app.entries("gina").await.is_empty());
}

#[tokio::test]
async fn bad_entries_are_reported_and_the_others_imported() {
    let app = start().await;
    let entry = app.create_entry("alice", "Bonne", "2026-03-09").await;
    let id = entry["id"].as_str().unwrap();
    app.attach("alice", id, "a.txt", b"aaa").await;
    app.attach("alice", id, "b.txt", b"bbb").await;
    app.attach("alice", id, "c.txt", b"ccc").await;
    let exported = app.export(json!({"user_id": "alice"})).await;
    let mut staged = stage(&app, &exported, "staging/imp-6").await;
    let folder = &id[..8];
    for line in &mut staged {
        if let EntryLine::Object { path, key, sha256, .. } = line {
            if path.ends_with("b.txt") {
                *sha256 = sha256_hex(b"something else");
            } else if path.ends_with("c.txt") {
                *key = "staging/imp-6/vanished".to_owned();
            }
        }
    }
    staged.push(EntryLine::Object {
        path: "pieces-jointes/zzzzzzzz/orphan.txt".to_owned(),
        key: "staging/imp-6/1".to_owned(),
        size: 3,
        sha256: sha256_hex(b"aaa"),
        content_type: None,
    });
    staged.push(EntryLine::Json {
        path: "entrees/vide.json".to_owned(),
        data: json!({"id": "x", "title": "", "due_date": "2026-03-09"}),
    });
    staged.push(EntryLine::Json { path: "ailleurs/a.json".to_owned(), data: json!({}) });

    let report = report(&app, body("hugo", "imp-6", &staged)).await;
    assert_eq!(report.imported, 2, "the entry and a.txt: {report:?}");
    let codes: BTreeMap<String, String> =
        report.errors.iter().map(|e| (e.path.clone(), e.code.clone())).collect();
    assert_eq!(
        codes,
        BTreeMap::from([
            ("ailleurs/a.json".to_owned(), "invalid_path".to_owned()),
            ("entrees/vide.json".to_owned(), "invalid_entry".to_owned()),
            ("pieces-jointes/zzzzzzzz/orphan.txt".to_owned(), "orphan_attachment".to_owned()),
            (format!("pieces-jointes/{folder}/b.txt"), "checksum_mismatch".to_owned()),
            (format!("pieces-jointes/{folder}/c.txt"), "object_missing".to_owned()),
        ])
    );
    let hugos = app.entries("hugo").await;
    assert_eq!(hugos.len(), 1);
    let names: Vec<&str> = hugos[0]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.txt"]);
    // Only a.txt was kept; the mismatched copy was removed.
    assert_eq!(app.keys("cahier/attachments").await.len(), 4);
}

#[tokio::test]
async fn a_renamed_attachment_finds_its_entry_by_folder() {
    let app = start().await;
    let entry = app.create_entry("alice", "Renommée", "2026-03-09").await;
    let id = entry["id"].as_str().unwrap();
    app.attach("alice", id, "devoir.txt", b"contenu").await;
    let exported = app.export(json!({"user_id": "alice"})).await;
    let mut staged = stage(&app, &exported, "staging/imp-7").await;
    for line in &mut staged {
        if let EntryLine::Object { path, .. } = line {
            *path = format!("pieces-jointes/{}/devoir (2).txt", &id[..8]);
        }
    }
    let report = report(&app, body("ines", "imp-7", &staged)).await;
    assert_eq!(report.imported, 2, "{report:?}");
    let entries = app.entries("ines").await;
    assert_eq!(entries[0]["attachments"][0]["name"], "devoir (2).txt");
}

#[tokio::test]
async fn versions_sizes_and_lines_are_checked() {
    let app = start_with(|c| {
        c.max_line_bytes = 2048;
        c.max_import_bytes = 64 * 1024;
    })
    .await;
    let v2 = to_ndjson(&[begin_at("jade", "imp-8", "2.0"), EntryLine::End { count: 0 }]);
    let res = app.import_body(v2).await;
    assert_eq!(
        problem_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "unsupported_version".into())
    );

    let minor = to_ndjson(&[begin_at("jade", "imp-9", "1.3"), EntryLine::End { count: 0 }]);
    assert_eq!(report(&app, minor).await, ImportReport::default());

    let long = EntryLine::Json {
        path: "entrees/long.json".into(),
        data: json!({"id": "l", "title": "Long", "due_date": "2026-01-01", "content_html": "x".repeat(4000)}),
    };
    let res = app.import_body(body("jade", "imp-10", &[long])).await;
    assert_eq!(problem_code(res).await, (StatusCode::PAYLOAD_TOO_LARGE, "line_too_long".into()));

    let many: Vec<EntryLine> = (0..100)
        .map(|i| EntryLine::Json {
            path: format!("entrees/{i}.json"),
            data: json!({"id": format!("id-{i}"), "title": "t", "due_date": "2026-01-01", "content_html": "y".repeat(1000)}),
        })
        .collect();
    let res = app.import_body(body("jade", "imp-11", &many)).await;
    assert_eq!(
        problem_code(res).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );
    assert!(app.entries("jade").await.is_empty());

    let lines = parse_lines(&body("jade", "imp-12", &[]));
    assert_eq!(lines.len(), 2);
}

#[tokio::test]
async fn entries_of_an_entcore_homework_table_are_read_and_the_rest_declined() {
    use mesdonnees_shared::connector::ImportOrigin;
    let app = start().await;
    let begin = |import_id: &str, format: &str| {
        EntryLine::Begin(ImportBegin {
            user_id: "karim".into(),
            import_id: import_id.into(),
            version: "1.0".parse().unwrap(),
            origin: Some(ImportOrigin {
                format: format.into(),
                module: "org.entcore.homeworks".into(),
                version: "1.8-SNAPSHOT".into(),
            }),
        })
    };
    let entries = [
        EntryLine::Json {
            path: "homeworks.homeworks".into(),
            data: json!({
                "fields": ["id", "title", "due_date", "description"],
                "results": [
                    [1, "Fractions", "2024-03-15T00:00:00.000", "<p>Exercices 1 à 4</p>"],
                    [2, "Rédaction", "2024-03-18", null],
                    [3, "", "2024-03-19", null],
                ],
            }),
        },
        EntryLine::Json { path: "homeworks_abc".into(), data: json!({"_id": "abc"}) },
        EntryLine::Object {
            path: "Documents/fiche_0f8fad5b-d9cb-469f-a165-70867728950e.pdf".into(),
            key: "imports/x/staged/cahier/1".into(),
            size: 3,
            sha256: "0".repeat(64),
            content_type: None,
        },
    ];
    let with = |import_id: &str| {
        let mut lines = vec![begin(import_id, "entcore")];
        lines.extend_from_slice(&entries);
        lines.push(EntryLine::End { count: entries.len() as u64 });
        to_ndjson(&lines)
    };
    let first = report(&app, with("imp-e1")).await;
    assert_eq!((first.imported, first.duplicates), (2, 0), "{first:?}");
    let codes: BTreeMap<String, String> =
        first.errors.iter().map(|e| (e.path.clone(), e.code.clone())).collect();
    assert_eq!(codes["homeworks.homeworks#3"], "invalid_entry", "an empty title");
    assert_eq!(codes["homeworks_abc"], "unreadable_origin");
    assert_eq!(codes.len(), 3, "the document is declined too: {codes:?}");
    let titles: Vec<String> = app
        .entries("karim")
        .await
        .iter()
        .map(|e| format!("{} {}", e["title"].as_str().unwrap(), e["due_date"].as_str().unwrap()))
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"Fractions 2024-03-15".to_owned()), "{titles:?}");
    // The same import again creates nothing twice.
    let again = report(&app, with("imp-e1")).await;
    assert_eq!((again.imported, again.duplicates), (0, 2), "{again:?}");
    // An origin of another format is refused whole.
    let other = to_ndjson(&[begin("imp-e2", "elsewhere"), EntryLine::End { count: 0 }]);
    let res = app.import_body(other).await;
    assert_eq!(
        problem_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "unsupported_version".into())
    );
}
