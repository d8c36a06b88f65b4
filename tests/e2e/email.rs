//! The e-mail a user asked for reaches a real SMTP server, started here on loopback.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::{Handler, Server, SslConfig};
use mesdonnees_tests::{TestApp, eventually};
use serde_json::json;

use crate::{json_ok, upload};

#[derive(Debug, Clone, Default)]
pub(crate) struct Mail {
    pub(crate) to: Vec<String>,
    pub(crate) data: Vec<u8>,
}

/// Keeps every message the server receives.
#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<Mail>>>,
    current: Arc<Mutex<Mail>>,
}

impl Handler for Inbox {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        *self.current.lock().expect("lock") = Mail { to: to.to_vec(), data: Vec::new() };
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.lock().expect("lock").data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let mail = std::mem::take(&mut *self.current.lock().expect("lock"));
        self.received.lock().expect("lock").push(mail);
        mailin_embedded::response::OK
    }
}

/// A real SMTP server on loopback: its port, and every message it received.
pub(crate) fn start_smtp() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let inbox = Inbox::default();
    let received = inbox.received.clone();
    let mut server = Server::new(inbox);
    server
        .with_name("smtp.test")
        .with_ssl(SslConfig::None)
        .expect("no TLS")
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        if let Err(e) = server.serve() {
            eprintln!("test SMTP server stopped: {e}");
        }
    });
    (port, received)
}

#[tokio::test]
async fn a_ready_export_is_announced_by_email_when_asked() {
    let (port, received) = start_smtp();
    let app = TestApp::spawn_with(|config| {
        // Two exports alike follow each other here, each announced.
        config.exports.reuse_window_secs = 0;
        config.smtp.url = format!("smtp://127.0.0.1:{port}");
        config.smtp.from = "Mes Données <no-reply@ent.test>".into();
        config.http.public_url = Some("https://ent.test/mesdonnees".into());
    })
    .await;
    assert_eq!(upload(&app, "alice", "a.txt", b"a".to_vec(), None).await.status(), 201);
    let created = json_ok(
        app.post("/api/v1/exports", "alice")
            .json(&json!({"notify_email": "alice@ecole.test"}))
            .send()
            .await
            .expect("post"),
        202,
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let mail = eventually(Duration::from_secs(30), "an e-mail", || async {
        received.lock().expect("lock").first().cloned()
    })
    .await;
    assert_eq!(mail.to, vec!["alice@ecole.test".to_owned()]);
    let text = String::from_utf8_lossy(&mail.data).replace("=\r\n", "");
    assert!(text.contains("Subject: "), "{text}");
    assert!(
        text.contains(&format!("https://ent.test/mesdonnees/api/v1/exports/{id}/download")),
        "{text}"
    );
    // Read as a mail client shows it: in French, the size in words, nothing raw.
    let body = &mail.data[mail.data.windows(4).position(|w| w == b"\r\n\r\n").expect("body")..];
    let body = quoted_printable::decode(body, quoted_printable::ParseMode::Robust).expect("QP");
    let body = String::from_utf8(body).expect("UTF-8");
    assert!(body.contains("L'archive de vos données «\u{a0}"), "{body}");
    assert!(body.contains("\u{a0}» est prête (") && body.contains("\u{a0}Ko)."), "{body}");
    assert!(body.contains("Elle sera supprimée le "), "{body}");

    // Without notify_email, no message.
    let export =
        json_ok(app.get(&format!("/api/v1/exports/{id}"), "alice").send().await.expect("get"), 200)
            .await;
    assert_eq!(export["status"], "ready");
    let second = json_ok(
        app.post("/api/v1/exports", "alice").json(&json!({})).send().await.expect("post"),
        202,
    )
    .await;
    let second_id = second["id"].as_str().expect("id").to_owned();
    eventually(Duration::from_secs(30), "second export ready", || async {
        let e = json_ok(
            app.get(&format!("/api/v1/exports/{second_id}"), "alice").send().await.expect("get"),
            200,
        )
        .await;
        (e["status"] == "ready").then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(received.lock().expect("lock").len(), 1, "one e-mail, for the export that asked");
    app.stop().await;
}
