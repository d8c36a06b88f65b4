//! `POST /connector/export`: the stream's shape, its filters, and a stream cut by a failure.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::{problem_code, sha256_hex, start, start_with};
use futures_util::StreamExt;
use mesdonnees_shared::connector::{EntryLine, check_entry_path};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn json_lines(lines: &[EntryLine]) -> Vec<(&str, &Value)> {
    lines
        .iter()
        .filter_map(|l| match l {
            EntryLine::Json { path, data } => Some((path.as_str(), data)),
            _ => None,
        })
        .collect()
}

fn object_paths(lines: &[EntryLine]) -> Vec<&str> {
    lines
        .iter()
        .filter_map(|l| match l {
            EntryLine::Object { path, .. } => Some(path.as_str()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_stream_lists_owned_and_shared_entries_then_ends_with_its_count() {
    let app = start().await;
    let lecture = app.create_entry("alice", "Lecture : Le Petit Prince", "2026-03-09").await;
    let lecture_id = lecture["id"].as_str().unwrap();
    let pdf = b"%PDF-1.4 chapitre".repeat(500);
    app.attach("alice", lecture_id, "fiche.pdf", &pdf).await;
    app.attach("alice", lecture_id, "notes.txt", b"premieres notes").await;
    app.attach("alice", lecture_id, "notes.txt", b"secondes notes").await;
    app.create_entry("alice", "Sans pièce jointe", "2026-03-10").await;
    let shared = app.create_entry("bob", "Révisions de Bob", "2026-03-11").await;
    let shared_id = shared["id"].as_str().unwrap();
    app.attach("bob", shared_id, "resume.txt", b"le resume").await;
    assert_eq!(app.share("bob", shared_id, "alice").await, StatusCode::NO_CONTENT);
    app.create_entry("carol", "Pas pour Alice", "2026-03-12").await;

    let lines = app.export(json!({"user_id": "alice"})).await;
    let Some(EntryLine::End { count }) = lines.last() else { panic!("no end line: {lines:?}") };
    assert_eq!(*count, lines.len() as u64 - 1);
    assert_eq!(lines.iter().filter(|l| matches!(l, EntryLine::End { .. })).count(), 1);

    let entries = json_lines(&lines);
    assert_eq!(entries.len(), 3);
    let by_title: HashMap<&str, (&str, &Value)> =
        entries.iter().map(|(p, d)| (d["title"].as_str().unwrap(), (*p, *d))).collect();
    let (path, data) = by_title["Lecture : Le Petit Prince"];
    assert_eq!(
        path,
        format!("entrees/2026-03-09-lecture-le-petit-prince-{}.json", &lecture_id[..8])
    );
    assert_eq!(data["shared_with_me"], false);
    assert_eq!(data["owner_id"], "alice");
    assert_eq!(data["content_html"], lecture["content_html"]);
    for key in ["id", "subject", "due_date", "created_at", "updated_at"] {
        assert!(data.get(key).is_some(), "{key} missing");
    }
    assert_eq!(data["attachments"].as_array().unwrap().len(), 3);
    let (_, bobs) = by_title["Révisions de Bob"];
    assert_eq!(bobs["shared_with_me"], true);
    assert!(!by_title.contains_key("Pas pour Alice"));

    let mut listed: HashSet<String> = HashSet::new();
    for (_, data) in &entries {
        for a in data["attachments"].as_array().unwrap() {
            listed.insert(a["path"].as_str().unwrap().to_owned());
        }
    }
    let objects = object_paths(&lines);
    assert_eq!(objects.len(), 4);
    assert_eq!(objects.iter().map(|p| (*p).to_owned()).collect::<HashSet<_>>(), listed);
    let prefix = format!("pieces-jointes/{}/", &lecture_id[..8]);
    assert!(objects.contains(&format!("{prefix}notes.txt").as_str()));
    assert!(objects.contains(&format!("{prefix}notes (2).txt").as_str()), "{objects:?}");
    for line in &lines {
        match line {
            EntryLine::Object { path, key, size, sha256, content_type } => {
                check_entry_path(path).unwrap();
                assert!(key.starts_with("cahier/attachments/"));
                let bytes = app.object(key).await;
                assert_eq!(bytes.len() as u64, *size);
                assert_eq!(&sha256_hex(&bytes), sha256);
                assert!(content_type.is_some());
            }
            EntryLine::Json { path, .. } => check_entry_path(path).unwrap(),
            _ => {}
        }
    }
}

#[tokio::test]
async fn since_and_formats_filter_the_stream() {
    let app = start().await;
    let old = app.create_entry("alice", "Ancien", "2026-01-05").await;
    let old_id = old["id"].as_str().unwrap();
    app.attach("alice", old_id, "ancien.pdf", b"%PDF ancien").await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let since = chrono::Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    app.create_entry("alice", "Nouveau", "2026-01-06").await;

    let lines = app.export(json!({"user_id": "alice", "since": since})).await;
    let titles: Vec<&str> =
        json_lines(&lines).iter().map(|(_, d)| d["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Nouveau"]);
    assert_eq!(lines.last(), Some(&EntryLine::End { count: 1 }));

    // A new attachment changes its entry.
    app.attach("alice", old_id, "ajout.txt", b"ajout").await;
    let lines = app.export(json!({"user_id": "alice", "since": since})).await;
    assert_eq!(json_lines(&lines).len(), 2);

    let lines = app.export(json!({"user_id": "alice", "filters": {"formats": ["pdf"]}})).await;
    assert_eq!(object_paths(&lines), [format!("pieces-jointes/{}/ancien.pdf", &old_id[..8])]);
    let (_, data) = json_lines(&lines).into_iter().find(|(_, d)| d["id"] == old["id"]).unwrap();
    assert_eq!(data["attachments"].as_array().unwrap().len(), 1, "only what is exported is listed");
    let lines = app.export(json!({"user_id": "alice", "filters": {"formats": [".TXT"]}})).await;
    assert_eq!(object_paths(&lines).len(), 1);

    let lines = app.export(json!({"user_id": "nobody"})).await;
    assert_eq!(lines, [EntryLine::End { count: 0 }]);
    let res = app.export_response(json!({"user_id": "a/b"})).await;
    assert_eq!(
        problem_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request".into())
    );
}

#[tokio::test]
async fn pages_follow_each_other_without_loss() {
    let app = start_with(|c| c.export_page_entries = 2).await;
    let mut ids = HashSet::new();
    for i in 0..5 {
        let entry = app.create_entry("alice", &format!("Devoir {i}"), "2026-02-01").await;
        ids.insert(entry["id"].as_str().unwrap().to_owned());
    }
    let lines = app.export(json!({"user_id": "alice"})).await;
    let exported: HashSet<String> =
        json_lines(&lines).iter().map(|(_, d)| d["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(exported, ids);
    assert_eq!(lines.last(), Some(&EntryLine::End { count: 5 }));
}

#[tokio::test]
async fn a_database_failure_cuts_the_stream_without_an_end_line() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;

    let app = start_with(|c| {
        c.export_page_entries = 1;
        c.export_pace = Duration::from_millis(500);
    })
    .await;
    for i in 0..3 {
        app.create_entry("alice", &format!("Devoir {i}"), "2026-02-01").await;
    }
    let res = app.export_response(json!({"user_id": "alice"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.bytes_stream();
    let first = body.next().await.expect("a first chunk").expect("bytes");
    assert!(first.ends_with(b"\n"));
    let mut conn =
        diesel::sqlite::SqliteConnection::establish(&app.config.database.to_string_lossy())
            .unwrap();
    conn.batch_execute("DROP TABLE attachments").unwrap();

    let mut received = first.to_vec();
    let mut failed = false;
    while let Some(chunk) = body.next().await {
        if let Ok(bytes) = chunk {
            received.extend_from_slice(&bytes);
        } else {
            failed = true;
            break;
        }
    }
    let lines = common::parse_lines(&String::from_utf8(received).unwrap());
    assert!(failed, "the connection is cut, not closed cleanly");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(!lines.iter().any(|l| matches!(l, EntryLine::End { .. })));
}
