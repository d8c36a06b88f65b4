//! Every way a bearer token can be wrong gives a 401 problem, and never reaches a handler.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use mesdonnees_tests::TestApp;
use serde_json::json;

use crate::assert_problem;

fn dev_secret(app: &TestApp) -> Vec<u8> {
    let path = app.data_dir.path().join(mesdonnees_infra::auth::DEV_KEY_FILE);
    let text = std::fs::read_to_string(path).expect("development key written at start");
    STANDARD.decode(text.trim()).expect("base64 key")
}

fn claims(sub: &str, exp_offset: i64, iss: &str, aud: &str) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({ "sub": sub, "name": "Alice", "rights": [], "exp": now + exp_offset, "iss": iss, "aud": aud })
}

fn sign(alg: Algorithm, key: &[u8], claims: &serde_json::Value) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(key)).expect("sign")
}

#[tokio::test]
async fn bad_tokens_are_refused_with_problems() {
    let app = TestApp::spawn().await;
    let secret = dev_secret(&app);
    let list = app.url("/api/v1/documents");

    let response = app.client.get(&list).send().await.expect("send");
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_problem(response, 401, "unauthenticated").await;

    let cases: Vec<(&str, String, &str)> = vec![
        ("malformed", "not.a.jwt".to_owned(), "unauthenticated"),
        ("garbage", "abc".to_owned(), "unauthenticated"),
        (
            "expired",
            sign(Algorithm::HS256, &secret, &claims("alice", -3600, "mesdonnees", "mesdonnees")),
            "token_expired",
        ),
        (
            "wrong key",
            sign(Algorithm::HS256, &[7_u8; 48], &claims("alice", 600, "mesdonnees", "mesdonnees")),
            "unauthenticated",
        ),
        (
            "wrong audience",
            sign(Algorithm::HS256, &secret, &claims("alice", 600, "mesdonnees", "another-app")),
            "unauthenticated",
        ),
        (
            "wrong issuer",
            sign(Algorithm::HS256, &secret, &claims("alice", 600, "someone-else", "mesdonnees")),
            "unauthenticated",
        ),
        (
            "other algorithm, right key",
            sign(Algorithm::HS512, &secret, &claims("alice", 600, "mesdonnees", "mesdonnees")),
            "unauthenticated",
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
                URL_SAFE_NO_PAD.encode(
                    claims("alice", 600, "mesdonnees", "mesdonnees").to_string().as_bytes()
                )
            ),
            "unauthenticated",
        ),
        (
            "subject not a user id",
            sign(Algorithm::HS256, &secret, &claims("a/b", 600, "mesdonnees", "mesdonnees")),
            "unauthenticated",
        ),
    ];
    for (what, token, code) in cases {
        let response = app.client.get(&list).bearer_auth(&token).send().await.expect("send");
        let body = assert_problem(response, 401, code).await;
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(!detail.contains(&token), "{what}: the token is echoed back");
    }

    let good = sign(Algorithm::HS256, &secret, &claims("alice", 600, "mesdonnees", "mesdonnees"));
    let response = app.client.get(&list).bearer_auth(good).send().await.expect("send");
    assert_eq!(response.status(), 200, "a valid token passes");
    app.stop().await;
}

/// RFC 7519 and 7515 as an identity provider applies them: `nbf` is honoured, an unknown
/// `crit` extension refused, an `aud` array holding ours accepted, the scheme's case ignored.
#[tokio::test]
async fn tokens_are_read_as_the_rfcs_write_them() {
    let app = TestApp::spawn().await;
    let secret = dev_secret(&app);
    let list = app.url("/api/v1/documents");
    let now = chrono::Utc::now().timestamp();
    let mut not_yet = claims("alice", 600, "mesdonnees", "mesdonnees");
    not_yet["nbf"] = json!(now + 300);
    let mut critical = Header::new(Algorithm::HS256);
    critical.crit = Some(vec!["exp-ext".to_owned()]);
    let critical = encode(
        &critical,
        &claims("alice", 600, "mesdonnees", "mesdonnees"),
        &EncodingKey::from_secret(&secret),
    )
    .expect("sign");
    let mut others = claims("alice", 600, "mesdonnees", "mesdonnees");
    others["aud"] = json!(["another-app", "a-third"]);
    for (what, token) in [
        ("nbf in the future", sign(Algorithm::HS256, &secret, &not_yet)),
        ("unknown crit", critical),
        ("aud array without ours", sign(Algorithm::HS256, &secret, &others)),
    ] {
        let response = app.client.get(&list).bearer_auth(&token).send().await.expect("send");
        let body = assert_problem(response, 401, "unauthenticated").await;
        assert!(!body["detail"].as_str().unwrap_or_default().is_empty(), "{what}");
    }

    let mut ours = claims("alice", 600, "mesdonnees", "mesdonnees");
    ours["aud"] = json!(["another-app", "mesdonnees"]);
    ours["nbf"] = json!(now - 10);
    let token = sign(Algorithm::HS256, &secret, &ours);
    for scheme in ["Bearer", "BEARER", "bearer", "bEaReR"] {
        let response = app
            .client
            .get(&list)
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200, "scheme {scheme} with an aud array holding ours");
    }
    let response =
        app.client.get(&list).header("authorization", format!("Basic {token}")).send().await;
    assert_problem(response.expect("send"), 401, "unauthenticated").await;
    app.stop().await;
}

/// `[auth.claims]` names the claims: the user id from `login`, the name from its parts, the
/// rights from a space-separated `scope` through the table; `GET /me` shows the result.
#[tokio::test]
async fn claims_are_mapped_as_configured() {
    let app = TestApp::spawn_with(|config| {
        let claims = &mut config.auth.claims;
        claims.user_id = "login".into();
        claims.rights = vec!["scope".into()];
        claims.rights_map.insert("ENSEIGNANT".into(), vec!["workspace.create".into()]);
        claims.keep_unmapped = false;
    })
    .await;
    let secret = dev_secret(&app);
    let mut entcore = claims("ignored-sub", 600, "mesdonnees", "mesdonnees");
    entcore["login"] = json!("jean.dupont");
    entcore["given_name"] = json!("Jean");
    entcore["family_name"] = json!("Dupont");
    entcore["email"] = json!("jean.dupont@ent.example");
    entcore["scope"] = json!("openid enseignant");
    entcore.as_object_mut().expect("object").remove("name");
    let token = sign(Algorithm::HS256, &secret, &entcore);
    let response = app.client.get(app.url("/api/v1/me")).bearer_auth(&token).send().await;
    let me: serde_json::Value = response.expect("send").json().await.expect("json");
    assert_eq!(
        me,
        json!({"id": "jean.dupont", "name": "Jean Dupont", "email": "jean.dupont@ent.example",
            "rights": ["workspace.create"], "email_available": false})
    );

    entcore.as_object_mut().expect("object").remove("login");
    let token = sign(Algorithm::HS256, &secret, &entcore);
    let response = app.client.get(app.url("/api/v1/me")).bearer_auth(&token).send().await;
    assert_problem(response.expect("send"), 401, "unauthenticated").await;
    app.stop().await;
}
