//! The user API: entries, attachments and shares over real HTTP.

mod common;

use common::{problem_code, sha256_hex, start, start_with};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn entries_and_attachments_are_read_back() {
    let app = start().await;
    let first = app.create_entry("alice", "Lecture chapitre 3", "2026-03-09").await;
    let second = app.create_entry("alice", "Exercices p. 42", "2026-03-10").await;
    assert_eq!(first["owner_id"], "alice");
    assert_eq!(first["shared_with_me"], false);
    assert_eq!(first["due_date"], "2026-03-09");
    let id = first["id"].as_str().unwrap();

    let pdf = b"%PDF-1.4 fiche de lecture".repeat(1000);
    let attachment = app.attach("alice", id, "fiche.pdf", &pdf).await;
    assert_eq!(attachment["name"], "fiche.pdf");
    assert_eq!(attachment["content_type"], "application/pdf");
    assert_eq!(attachment["size"], pdf.len());
    assert_eq!(attachment["sha256"], sha256_hex(&pdf));

    let listed = app.entries("alice").await;
    let ids: Vec<&str> = listed.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second["id"].as_str().unwrap(), id], "newest first");
    assert_eq!(listed[1]["attachments"][0]["id"], attachment["id"]);

    let res = app.get(&format!("/api/entries/{id}"), "alice").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let entry: serde_json::Value = res.json().await.unwrap();
    assert_eq!(entry["title"], "Lecture chapitre 3");
    assert_eq!(entry["content_html"], first["content_html"]);
    assert_eq!(entry["attachments"].as_array().unwrap().len(), 1);

    let res = app.content("alice", id, attachment["id"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf.as_slice());
}

#[tokio::test]
async fn another_users_entry_is_not_found() {
    let app = start().await;
    let entry = app.create_entry("alice", "Privé", "2026-03-09").await;
    let id = entry["id"].as_str().unwrap();
    let attachment = app.attach("alice", id, "notes.txt", b"secret").await;
    let attachment_id = attachment["id"].as_str().unwrap();

    let res = app.get(&format!("/api/entries/{id}"), "bob").send().await.unwrap();
    assert_eq!(problem_code(res).await, (StatusCode::NOT_FOUND, "not_found".into()));
    let res = app.content("bob", id, attachment_id).await;
    assert_eq!(problem_code(res).await, (StatusCode::NOT_FOUND, "not_found".into()));
    let res = app.upload("bob", id, "x.txt", b"x").await;
    assert_eq!(problem_code(res).await, (StatusCode::NOT_FOUND, "not_found".into()));
    assert_eq!(app.share("bob", id, "carol").await, StatusCode::NOT_FOUND);
    assert!(app.entries("bob").await.is_empty());
    let res = app.get("/api/entries/not-a-uuid", "alice").send().await.unwrap();
    assert_eq!(problem_code(res).await, (StatusCode::NOT_FOUND, "not_found".into()));
}

#[tokio::test]
async fn a_shared_entry_can_be_read_not_changed() {
    let app = start().await;
    let entry = app.create_entry("alice", "Partagé", "2026-03-09").await;
    let id = entry["id"].as_str().unwrap();
    let attachment = app.attach("alice", id, "cours.txt", b"le cours").await;
    assert_eq!(app.share("alice", id, "bob").await, StatusCode::NO_CONTENT);
    assert_eq!(app.share("alice", id, "bob").await, StatusCode::NO_CONTENT, "sharing again");

    let listed = app.entries("bob").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["shared_with_me"], true);
    assert_eq!(listed[0]["owner_id"], "alice");
    let res = app.content("bob", id, attachment["id"].as_str().unwrap()).await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"le cours");

    let res = app.upload("bob", id, "x.txt", b"x").await;
    assert_eq!(problem_code(res).await, (StatusCode::FORBIDDEN, "forbidden".into()));
    assert_eq!(app.share("bob", id, "carol").await, StatusCode::FORBIDDEN);
    let res = app
        .post(&format!("/api/entries/{id}/shares"), "alice")
        .json(&json!({"user_id": "alice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request".into())
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_a_code() {
    let app = start().await;
    for body in [
        json!({"title": "", "subject": "x", "due_date": "2026-03-09", "content_html": ""}),
        json!({"title": "t".repeat(201), "subject": "x", "due_date": "2026-03-09", "content_html": ""}),
        json!({"title": "t", "subject": "x", "due_date": "09/03/2026", "content_html": ""}),
        json!({"title": "t", "subject": "x", "due_date": "2026-03-09", "content_html": "a".repeat(256 * 1024 + 1)}),
        json!({"title": "t", "subject": "x", "due_date": "2026-03-09", "content_html": "\u{1}"}),
        json!({"title": "t", "due_date": "2026-03-09", "owner_id": "bob"}),
    ] {
        let res = app.post("/api/entries", "alice").json(&body).send().await.unwrap();
        assert_eq!(
            problem_code(res).await,
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request".into())
        );
    }
    let res = app.client.get(format!("{}/api/entries", app.url)).send().await.unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(problem_code(res).await, (StatusCode::UNAUTHORIZED, "unauthenticated".into()));
    let res = app
        .client
        .get(format!("{}/api/entries", app.url))
        .bearer_auth(common::service_token())
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem_code(res).await.0,
        StatusCode::UNAUTHORIZED,
        "a service token is no user token"
    );
    assert!(app.entries("alice").await.is_empty());
}

#[tokio::test]
async fn an_upload_over_the_limit_leaves_nothing() {
    let app = start_with(|c| c.max_upload_bytes = 64 * 1024).await;
    let entry = app.create_entry("alice", "Gros fichier", "2026-03-09").await;
    let id = entry["id"].as_str().unwrap();
    let res = app.upload("alice", id, "gros.pdf", &vec![7_u8; 64 * 1024 + 1]).await;
    assert_eq!(
        problem_code(res).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );
    assert!(app.keys("cahier").await.is_empty());
    let res = app
        .post(&format!("/api/entries/{id}/attachments"), "alice")
        .multipart(reqwest::multipart::Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(res).await, (StatusCode::UNPROCESSABLE_ENTITY, "missing_file".into()));
    let exact = app.attach("alice", id, "juste.pdf", &vec![7_u8; 64 * 1024]).await;
    assert_eq!(app.keys("cahier/attachments").await.len(), 1);
    assert_eq!(exact["size"], 64 * 1024);
}

#[tokio::test]
async fn health_needs_no_token() {
    let app = start().await;
    let res = app.client.get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.client.get(format!("{}/nothing-here", app.url)).send().await.unwrap();
    assert_eq!(problem_code(res).await, (StatusCode::NOT_FOUND, "not_found".into()));
    app.app.stop().await;
}
