//! Every connector route needs a valid service token for this app.

mod common;

use common::{
    SERVICE_SECRET, problem_code, service_claims, service_token, service_token_for, start,
};
use mesdonnees_shared::connector::AppInfo;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn info_names_the_app_and_its_version() {
    let app = start().await;
    let res =
        app.client.get(app.connector("/info")).bearer_auth(service_token()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let info: AppInfo = res.json().await.unwrap();
    assert_eq!(info.app, "cahier");
    assert_eq!(info.version.to_string(), "1.0");
}

#[tokio::test]
async fn bad_missing_foreign_and_expired_tokens_are_refused() {
    let app = start().await;
    let mut wrong_audience = service_claims();
    wrong_audience.aud = "another-app".into();
    let mut wrong_issuer = service_claims();
    wrong_issuer.iss = "someone".into();
    let mut expired = service_claims();
    expired.exp = common::now() - 3600;
    expired.iat = common::now() - 7200;
    let tokens = [
        None,
        Some("not-a-jwt".to_owned()),
        Some(service_token_for(&service_claims(), "another-secret-of-at-least-32-bytes")),
        Some(service_token_for(&wrong_audience, SERVICE_SECRET)),
        Some(service_token_for(&wrong_issuer, SERVICE_SECRET)),
        Some(service_token_for(&expired, SERVICE_SECRET)),
        Some(common::user_token("alice")),
    ];
    for token in tokens {
        let with = |req: reqwest::RequestBuilder| match &token {
            Some(token) => req.bearer_auth(token),
            None => req,
        };
        let calls = [
            with(app.client.get(app.connector("/info"))),
            with(app.client.post(app.connector("/export"))).json(&json!({"user_id": "alice"})),
            with(app.client.post(app.connector("/import"))).body("{}\n"),
        ];
        for call in calls {
            let res = call.send().await.unwrap();
            assert_eq!(
                problem_code(res).await,
                (StatusCode::UNAUTHORIZED, "unauthenticated".into()),
                "{token:?}"
            );
        }
    }
}
