//! The documents space, as the spine issue's "done when" walks it: folders, uploads, shares,
//! downloads with ranges, and the errors a client can provoke.

use std::time::Duration;

use mesdonnees_tests::reqwest::multipart::Form;
use mesdonnees_tests::{TestApp, eventually};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{assert_problem, content, folder, json_ok, upload};

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one walkthrough, read top to bottom")]
async fn the_newcomer_walkthrough() {
    let app = TestApp::spawn().await;

    let folder = json_ok(
        app.post("/api/v1/folders", "alice")
            .json(&json!({"name": "Cours de français"}))
            .send()
            .await
            .expect("folder"),
        201,
    )
    .await;
    let folder_id = folder["id"].as_str().expect("id").to_owned();
    assert_eq!(folder["kind"], "folder");

    let first_bytes = content(300_000, 1);
    let first = json_ok(
        upload(&app, "alice", "exposé été.pdf", first_bytes.clone(), Some(&folder_id)).await,
        201,
    )
    .await;
    assert_eq!(first["size"], 300_000);
    assert_eq!(first["sha256"], hex::encode(Sha256::digest(&first_bytes)));
    assert_eq!(first["content_type"], "application/pdf");
    assert_eq!(first["folder_id"], folder_id.as_str());
    let second_bytes = b"notes\n".to_vec();
    let second = json_ok(upload(&app, "alice", "notes.txt", second_bytes, None).await, 201).await;
    // Same name in the same folder: allowed, told apart by id.
    let twin = json_ok(
        upload(&app, "alice", "exposé été.pdf", b"v2".to_vec(), Some(&folder_id)).await,
        201,
    )
    .await;
    assert_ne!(twin["id"], first["id"]);
    let first_id = first["id"].as_str().expect("id").to_owned();

    // Own tree: the root holds the folder and the second file, the folder holds the first.
    let root =
        json_ok(app.get("/api/v1/documents", "alice").send().await.expect("list"), 200).await;
    assert_eq!(root["total"], 2);
    assert_eq!(root["items"][0]["id"], folder_id.as_str(), "folders first");
    assert_eq!(root["items"][1]["id"], second["id"]);
    let inside = json_ok(
        app.get(&format!("/api/v1/documents?folder_id={folder_id}"), "alice")
            .send()
            .await
            .expect("list"),
        200,
    )
    .await;
    assert_eq!(inside["total"], 2);
    let inside_ids: Vec<&str> = inside["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert!(
        inside_ids.contains(&first_id.as_str())
            && inside_ids.contains(&twin["id"].as_str().expect("id"))
    );

    // Share the first file with bob, who then sees it and downloads it byte-identical.
    let share = json_ok(
        app.post(&format!("/api/v1/documents/{first_id}/shares"), "alice")
            .json(&json!({"user_id": "bob"}))
            .send()
            .await
            .expect("share"),
        201,
    )
    .await;
    assert_eq!(share["user_id"], "bob");
    let again = app
        .post(&format!("/api/v1/documents/{first_id}/shares"), "alice")
        .json(&json!({"user_id": "bob"}))
        .send()
        .await
        .expect("share again");
    assert_problem(again, 409, "already_shared").await;

    let shared =
        json_ok(app.get("/api/v1/documents?scope=shared", "bob").send().await.expect("list"), 200)
            .await;
    assert_eq!(shared["total"], 1);
    assert_eq!(shared["items"][0]["id"], first_id.as_str());
    assert_eq!(shared["items"][0]["owner_id"], "alice");
    let bob_root =
        json_ok(app.get("/api/v1/documents", "bob").send().await.expect("list"), 200).await;
    assert_eq!(bob_root["total"], 0, "a share is not part of bob's own tree");

    let download = app
        .get(&format!("/api/v1/documents/{first_id}/content"), "bob")
        .send()
        .await
        .expect("download");
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["accept-ranges"], "bytes");
    assert_eq!(download.headers()["content-length"], "300000");
    let disposition = download.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''expos%C3%A9%20%C3%A9t%C3%A9.pdf"),
        "{disposition}"
    );
    let etag = download.headers()["etag"].to_str().expect("etag").to_owned();
    let body = download.bytes().await.expect("bytes");
    assert_eq!(body.as_ref(), first_bytes.as_slice(), "byte-identical download");

    // Ranges: a middle slice, a suffix, an If-Range mismatch, an unsatisfiable one.
    let part = app
        .get(&format!("/api/v1/documents/{first_id}/content"), "bob")
        .header("range", "bytes=1000-1999")
        .send()
        .await
        .expect("range");
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 1000-1999/300000");
    assert_eq!(part.bytes().await.expect("bytes").as_ref(), &first_bytes[1000..2000]);
    let suffix = app
        .get(&format!("/api/v1/documents/{first_id}/content"), "bob")
        .header("range", "bytes=-10")
        .header("if-range", &etag)
        .send()
        .await
        .expect("suffix");
    assert_eq!(suffix.status(), 206);
    assert_eq!(suffix.bytes().await.expect("bytes").as_ref(), &first_bytes[299_990..]);
    let stale = app
        .get(&format!("/api/v1/documents/{first_id}/content"), "bob")
        .header("range", "bytes=0-9")
        .header("if-range", "\"another-version\"")
        .send()
        .await
        .expect("if-range");
    assert_eq!(stale.status(), 200, "If-Range mismatch gives the whole file");
    let beyond = app
        .get(&format!("/api/v1/documents/{first_id}/content"), "bob")
        .header("range", "bytes=400000-")
        .send()
        .await
        .expect("beyond");
    assert_eq!(beyond.headers()["content-range"], "bytes */300000");
    assert_problem(beyond, 416, "range_not_satisfiable").await;

    // Someone else's or an unknown id is a 404, whatever the route.
    for path in [
        format!("/api/v1/documents/{first_id}"),
        format!("/api/v1/documents/{first_id}/content"),
        format!("/api/v1/documents/{}", second["id"].as_str().expect("id")),
        "/api/v1/documents/00000000-0000-7000-8000-000000000000".to_owned(),
        "/api/v1/documents/not-an-id".to_owned(),
    ] {
        let response = app.get(&path, "carol").send().await.expect("get");
        assert_problem(response, 404, "not_found").await;
    }
    let foreign_delete =
        app.delete(&format!("/api/v1/documents/{first_id}"), "bob").send().await.expect("delete");
    assert_problem(foreign_delete, 404, "not_found").await;
    let foreign_share = app
        .post(&format!("/api/v1/documents/{first_id}/shares"), "bob")
        .json(&json!({"user_id": "carol"}))
        .send()
        .await
        .expect("share");
    assert_problem(foreign_share, 404, "not_found").await;

    app.stop().await;
}

#[tokio::test]
async fn shared_folders_open_to_their_content() {
    let app = TestApp::spawn().await;
    let folder_id = &folder(&app, "alice", "Classe", None).await;
    let sub_id = &folder(&app, "alice", "Sorties", Some(folder_id)).await;
    let file =
        json_ok(upload(&app, "alice", "photo.jpg", content(5000, 9), Some(sub_id)).await, 201)
            .await;
    let file_id = file["id"].as_str().expect("id");
    assert_eq!(file["content_type"], "image/jpeg");

    let before =
        app.get(&format!("/api/v1/documents/{file_id}/content"), "bob").send().await.expect("get");
    assert_problem(before, 404, "not_found").await;
    let shared = app
        .post(&format!("/api/v1/documents/{folder_id}/shares"), "alice")
        .json(&json!({"user_id": "bob"}))
        .send()
        .await
        .expect("share");
    assert_eq!(shared.status(), 201);
    let listing = json_ok(
        app.get(&format!("/api/v1/documents?folder_id={sub_id}"), "bob")
            .send()
            .await
            .expect("list"),
        200,
    )
    .await;
    assert_eq!(listing["items"][0]["id"], file_id);
    let after =
        app.get(&format!("/api/v1/documents/{file_id}/content"), "bob").send().await.expect("get");
    assert_eq!(after.status(), 200);
    assert_eq!(after.bytes().await.expect("bytes").as_ref(), content(5000, 9).as_slice());
    let self_share = app
        .post(&format!("/api/v1/documents/{folder_id}/shares"), "alice")
        .json(&json!({"user_id": "alice"}))
        .send()
        .await
        .expect("share");
    assert_problem(self_share, 422, "cannot_share_with_self").await;
    app.stop().await;
}

#[tokio::test]
async fn uploads_are_limited_and_validated() {
    let app = TestApp::spawn().await;
    // 1 MiB limit in tests: a 1.5 MiB file is refused and leaves nothing behind.
    let oversized = upload(&app, "alice", "big.bin", content(1536 * 1024, 3), None).await;
    let body = assert_problem(oversized, 413, "payload_too_large").await;
    // French by default: the code's words, without the English facts (the limit).
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("taille permise") && !detail.contains("1048576"), "{detail}");
    let exactly = upload(&app, "alice", "limit.bin", content(1024 * 1024, 4), None).await;
    assert_eq!(exactly.status(), 201, "the limit itself is allowed");

    let no_file = app
        .post("/api/v1/documents", "alice")
        .multipart(Form::new().text("folder_id", "x"))
        .send()
        .await
        .expect("send");
    assert_problem(no_file, 422, "missing_file").await;
    let not_multipart =
        app.post("/api/v1/documents", "alice").body("raw").send().await.expect("send");
    assert_problem(not_multipart, 415, "unsupported_media_type").await;
    let bad_name = upload(&app, "alice", "..", b"x".to_vec(), None).await;
    assert_problem(bad_name, 422, "invalid_name").await;
    let unknown_folder =
        upload(&app, "alice", "a.txt", b"x".to_vec(), Some("00000000-0000-7000-8000-000000000000"))
            .await;
    assert_problem(unknown_folder, 422, "folder_not_found").await;

    for name in ["a/b", "", "with\u{7}bell", &"x".repeat(241)] {
        let response = app
            .post("/api/v1/folders", "alice")
            .json(&json!({"name": name}))
            .send()
            .await
            .expect("send");
        assert_problem(response, 422, "invalid_name").await;
    }
    let unknown_field = app
        .post("/api/v1/folders", "alice")
        .json(&json!({"name": "ok", "colour": "red"}))
        .send()
        .await
        .expect("send");
    assert_problem(unknown_field, 422, "invalid_request").await;
    let broken_json = app
        .post("/api/v1/folders", "alice")
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .expect("send");
    assert_problem(broken_json, 400, "invalid_request").await;

    // Only the accepted file remains in the store: refused uploads were aborted or removed.
    let listed = count_objects(&app).await;
    assert_eq!(listed, 1, "refused uploads leave no object");
    app.stop().await;
}

#[tokio::test]
async fn the_quota_counts_what_a_user_owns() {
    let app = TestApp::spawn_with(|config| config.limits.user_quota_bytes = 1_000_000).await;
    assert_eq!(upload(&app, "alice", "a.bin", content(600_000, 1), None).await.status(), 201);
    let over = upload(&app, "alice", "b.bin", content(600_000, 2), None).await;
    assert_problem(over, 422, "quota_exceeded").await;
    assert_eq!(
        upload(&app, "bob", "b.bin", content(600_000, 2), None).await.status(),
        201,
        "quotas are per user"
    );
    assert_eq!(upload(&app, "alice", "c.bin", content(400_000, 3), None).await.status(), 201);
    app.stop().await;
}

#[tokio::test]
async fn deleting_a_folder_removes_its_tree_and_purges_objects() {
    let app = TestApp::spawn().await;
    let folder_id = &folder(&app, "alice", "Ancien", None).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let doc = json_ok(
            upload(&app, "alice", &format!("f{i}.txt"), content(1000, i), Some(folder_id)).await,
            201,
        )
        .await;
        ids.push(doc["id"].as_str().expect("id").to_owned());
    }
    let kept = json_ok(upload(&app, "alice", "kept.txt", content(10, 0), None).await, 201).await;
    assert_eq!(count_objects(&app).await, 4);

    let deleted = app
        .delete(&format!("/api/v1/documents/{folder_id}"), "alice")
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    for id in &ids {
        let gone = app.get(&format!("/api/v1/documents/{id}"), "alice").send().await.expect("get");
        assert_problem(gone, 404, "not_found").await;
    }
    let root =
        json_ok(app.get("/api/v1/documents", "alice").send().await.expect("list"), 200).await;
    assert_eq!(root["total"], 1);
    assert_eq!(root["items"][0]["id"], kept["id"]);
    // The purge job runs in the worker and empties the store of the three objects.
    eventually(Duration::from_secs(20), "objects purged", || async {
        (count_objects(&app).await == 1).then_some(())
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn listings_paginate() {
    let app = TestApp::spawn().await;
    for i in 0..5 {
        let response = app
            .post("/api/v1/folders", "alice")
            .json(&json!({"name": format!("dossier {i}")}))
            .send()
            .await
            .expect("folder");
        assert_eq!(response.status(), 201);
    }
    let mut seen = Vec::new();
    for page in 1..=3 {
        let listing = json_ok(
            app.get(&format!("/api/v1/documents?per_page=2&page={page}"), "alice")
                .send()
                .await
                .expect("list"),
            200,
        )
        .await;
        assert_eq!(listing["total"], 5);
        assert_eq!(listing["per_page"], 2);
        for item in listing["items"].as_array().expect("items") {
            seen.push(item["name"].as_str().expect("name").to_owned());
        }
    }
    assert_eq!(seen, (0..5).map(|i| format!("dossier {i}")).collect::<Vec<_>>());
    let too_many =
        app.get("/api/v1/documents?per_page=100000", "alice").send().await.expect("list");
    assert_problem(too_many, 422, "invalid_request").await;
    let bad = app.get("/api/v1/documents?page=abc", "alice").send().await.expect("list");
    assert_problem(bad, 422, "invalid_request").await;
    app.stop().await;
}

async fn count_objects(app: &TestApp) -> usize {
    use futures_util::TryStreamExt;
    let listed: Vec<_> = app.ctx.storage.store.list(None).try_collect().await.expect("list store");
    listed.len()
}

#[tokio::test]
async fn file_names_are_read_as_browsers_write_them() {
    let app = TestApp::spawn().await;
    let cases = [
        (r#"filename="C:\Users\eleve\cours.odt""#, "cours.odt"),
        (r#"filename="a\b.txt""#, "b.txt"),
        (r#"filename="dit %22bonjour%22.txt""#, "dit \"bonjour\".txt"),
        (r#"filename="repli.txt"; filename*=UTF-8''%C3%A9t%C3%A9.txt"#, "été.txt"),
        ("filename=\"r\u{e9}sum\u{e9}.odt\"", "résumé.odt"),
    ];
    for (disposition, expected) in cases {
        let boundary = "limite-entre-parties";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; {disposition}\r\n\
             Content-Type: text/plain\r\n\r\nbonjour\r\n--{boundary}--\r\n"
        );
        let response = app
            .post("/api/v1/documents", "alice")
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .expect("upload");
        let doc = json_ok(response, 201).await;
        assert_eq!(doc["name"], expected, "{disposition}");
    }
    app.stop().await;
}
