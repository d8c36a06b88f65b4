//! Tokens from a real OpenID Connect provider: `oidc-provider` (tests/oidc/provider.mjs) run by
//! Node, its keys found through discovery or a JWKS URL, several issuers trusted at once, a key
//! rotation, the provider going down, and the tokens that must still be refused.
//!
//! The provider's packages are installed from their lock file when missing. Skipped, loudly,
//! only when `node` is not installed or the install fails; `.ci/run` installs both first, so
//! there it always runs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonwebtoken::{Algorithm as Jwt, EncodingKey, Header, encode};
use mesdonnees_infra::config::{Algorithm, Config, ProviderConfig};
use mesdonnees_tests::{TestApp, free_addr};
use serde_json::{Value, json};

use crate::assert_problem;

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// Whether the provider can run: Node is here and the provider's packages are installed,
/// installing them (`npm ci`, from the lock file) when they are not. Says so loudly when the
/// test cannot run.
fn provider_ready() -> bool {
    static READY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *READY.get_or_init(|| {
        let node = Command::new("node").arg("--version").output();
        if !node.is_ok_and(|o| o.status.success()) {
            return skipped("`node` is not installed");
        }
        if provider_dir().join("node_modules/oidc-provider").is_dir() {
            return true;
        }
        let installed = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
            .arg(provider_dir())
            .status();
        if installed.is_ok_and(|s| s.success()) {
            true
        } else {
            skipped("the provider's packages could not be installed (`npm --prefix tests/oidc ci`)")
        }
    })
}

fn skipped(why: &str) -> bool {
    eprintln!(
        "\n!!!!! SKIPPED: {why}, so the OpenID Connect provider test cannot run (.ci/run \
         installs what it needs) !!!!!\n"
    );
    false
}

/// One oidc-provider process; its state (the private keys) survives restarts.
struct Provider {
    port: u16,
    state: tempfile::TempDir,
    child: Option<Child>,
    /// Every line the provider printed, among them one per key-set request.
    lines: Arc<Mutex<Vec<String>>>,
}

impl Provider {
    fn start() -> Self {
        let mut provider = Self {
            port: free_addr().port(),
            state: tempfile::tempdir().expect("temp dir"),
            child: None,
            lines: Arc::default(),
        };
        provider.run(false);
        provider
    }

    fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn run(&mut self, rotate: bool) {
        assert!(
            provider_dir().join("node_modules/oidc-provider").is_dir(),
            "the provider's packages are missing: run `npm --prefix tests/oidc ci`"
        );
        let mut command = Command::new("node");
        command
            .arg(provider_dir().join("provider.mjs"))
            .arg(self.port.to_string())
            .arg(self.state.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if rotate {
            command.arg("rotate");
        }
        let mut child = command.spawn().expect("node starts");
        let stdout = child.stdout.take().expect("piped");
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let lines = Arc::clone(&self.lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("ready ") {
                    let _ = ready_tx.send(());
                }
                lines.lock().expect("lines").push(line);
            }
        });
        ready_rx.recv_timeout(Duration::from_secs(30)).expect("the provider says it is ready");
        self.child = Some(child);
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn restart_rotated(&mut self) {
        self.stop();
        self.run(true);
    }

    fn key_set_fetches(&self) -> usize {
        self.lines.lock().expect("lines").iter().filter(|l| *l == "jwks").count()
    }

    /// A real access token from the client-credentials grant, signed with `alg`.
    async fn token(&self, alg: &str) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/token", self.issuer()))
            .header("content-type", "application/x-www-form-urlencoded")
            // Every value is URL-safe but the resource's colons, written escaped.
            .body(format!(
                "grant_type=client_credentials&client_id=ent-service\
                 &client_secret=ent-service-secret&scope=ENSEIGNANT\
                 &resource=urn%3Amesdonnees%3A{alg}"
            ))
            .send()
            .await
            .expect("token request");
        let body: Value = response.json().await.expect("token response");
        body["access_token"].as_str().unwrap_or_else(|| panic!("no token in {body}")).to_owned()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.stop();
    }
}

fn kid(token: &str) -> String {
    jsonwebtoken::decode_header(token).expect("header").kid.expect("a kid")
}

async fn status(app: &TestApp, token: &str) -> u16 {
    let response =
        app.client.get(app.url("/api/v1/me")).bearer_auth(token).send().await.expect("send");
    response.status().as_u16()
}

async fn assert_refused(app: &TestApp, token: &str, what: &str) {
    let response =
        app.client.get(app.url("/api/v1/documents")).bearer_auth(token).send().await.expect("send");
    let body = assert_problem(response, 401, "unauthenticated").await;
    eprintln!("{what}: {}", body["detail"]);
}

fn trust(config: &mut Config, a: &Provider, b: &Provider) {
    // A: through discovery, RSA and P-256 keys only.
    config.auth.oidc_issuer = Some(a.issuer());
    config.auth.jwks_algorithms = vec![Algorithm::RS256, Algorithm::ES256];
    // B: its JWKS named directly, Ed25519 keys only.
    config.auth.providers = vec![ProviderConfig {
        oidc_issuer: None,
        issuer: Some(b.issuer()),
        jwks_url: Some(format!("{}/jwks", b.issuer())),
        algorithms: Some(vec![Algorithm::EdDSA]),
    }];
    config.auth.jwks_min_refresh_secs = 1;
    config.auth.jwks_max_age_secs = 2;
    let claims = &mut config.auth.claims;
    claims.user_id = "login".into();
    claims.rights = vec!["scope".into()];
    claims.rights_map.insert("ENSEIGNANT".into(), vec!["workspace.create".into()]);
    claims.keep_unmapped = false;
}

#[tokio::test]
async fn tokens_of_a_real_openid_provider_are_accepted_across_a_key_rotation() {
    if !provider_ready() {
        return;
    }
    let mut a = Provider::start();
    let b = Provider::start();
    let untrusted = Provider::start();
    let app = TestApp::spawn_with(|config| trust(config, &a, &b)).await;

    // Accepted from both issuers, each with its own algorithms; the claims mapped.
    let rsa = a.token("RS256").await;
    let ec = a.token("ES256").await;
    let ed = b.token("EdDSA").await;
    for token in [&rsa, &ec, &ed] {
        let response =
            app.client.get(app.url("/api/v1/me")).bearer_auth(token).send().await.expect("send");
        assert_eq!(response.status(), 200, "{:?}", jsonwebtoken::decode_header(token));
        let me: Value = response.json().await.expect("json");
        assert_eq!(me["id"], "marie.curie");
        assert_eq!(me["name"], "Marie Curie");
        assert_eq!(me["email"], "marie.curie@ent.example");
        assert_eq!(me["rights"], json!(["workspace.create"]));
    }

    // Refused: an algorithm not configured for its issuer, an untrusted issuer, a key not in the
    // set, a known kid over another key's signature.
    assert_refused(&app, &a.token("EdDSA").await, "EdDSA from A").await;
    assert_refused(&app, &b.token("RS256").await, "RS256 from B").await;
    assert_refused(&app, &untrusted.token("RS256").await, "untrusted issuer").await;
    let now = chrono::Utc::now().timestamp();
    let forged_claims = json!({"login": "marie.curie", "iss": a.issuer(), "aud": "mesdonnees",
        "exp": now + 600, "scope": "ENSEIGNANT"});
    let foreign =
        EncodingKey::from_rsa_pem(include_bytes!("../../crates/infra/tests/keys/rsa.pem"))
            .expect("fixture key");
    for kid_named in ["not-in-the-set".to_owned(), kid(&rsa)] {
        let mut header = Header::new(Jwt::RS256);
        header.kid = Some(kid_named.clone());
        let forged = encode(&header, &forged_claims, &foreign).expect("sign");
        assert_refused(&app, &forged, &format!("foreign key as {kid_named}")).await;
    }

    // A flood of unknown kids fetches the set at most once per interval.
    let before = a.key_set_fetches();
    let mut header = Header::new(Jwt::RS256);
    for i in 0..40 {
        header.kid = Some(format!("random-{i}"));
        let forged = encode(&header, &forged_claims, &foreign).expect("sign");
        assert_eq!(status(&app, &forged).await, 401);
    }
    let during = a.key_set_fetches() - before;
    assert!(during <= 3, "{during} key-set fetches for 40 unknown kids");

    // Rotation: new tokens carry a new kid and pass; tokens of the old key still pass.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    a.restart_rotated();
    let rotated = a.token("RS256").await;
    assert_ne!(kid(&rotated), kid(&rsa), "the provider signs with its new key");
    assert_eq!(status(&app, &rotated).await, 200, "new key");
    assert_eq!(status(&app, &rsa).await, 200, "old key, token not expired");

    // The provider down: the set fetched last stays in use, even once it is old.
    a.stop();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(status(&app, &rotated).await, 200, "provider down, stale set kept");
    assert_eq!(status(&app, &rsa).await, 200, "provider down, old key kept");
    let response = app.client.get(app.url("/readyz")).send().await.expect("send");
    assert_eq!(response.status(), 200, "keys were fetched once: ready");
    app.stop().await;
}

#[tokio::test]
async fn readiness_says_when_no_key_set_could_ever_be_fetched() {
    let nobody = format!("http://{}", free_addr());
    let app = TestApp::spawn_with(|config| {
        config.auth.oidc_issuer = Some(nobody.clone());
        config.auth.jwks_min_refresh_secs = 0;
    })
    .await;
    let response = app
        .client
        .get(app.url("/readyz"))
        .header("accept-language", "en")
        .send()
        .await
        .expect("send");
    let body = assert_problem(response, 503, "unavailable").await;
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("identity provider keys"), "{detail}");
    app.stop().await;
}
