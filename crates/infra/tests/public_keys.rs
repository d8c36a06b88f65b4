//! Tokens signed by an ENT's private key (RS256 or EdDSA) verify against its configured public
//! key, and only with the configured algorithm. The key pairs are test fixtures, nothing else.

use jsonwebtoken::{Algorithm as Jwt, EncodingKey, Header, encode};
use mesdonnees_infra::auth::TokenKeys;
use mesdonnees_infra::config::{Algorithm, Config, Mode};
use serde_json::json;

fn claims() -> serde_json::Value {
    let exp = chrono::Utc::now().timestamp() + 600;
    json!({"sub": "alice", "rights": ["workspace.create"], "exp": exp, "iss": "mesdonnees", "aud": "mesdonnees"})
}

fn keys(algorithm: Algorithm, public_pem: &str) -> TokenKeys {
    let mut config = Config::default();
    config.auth.algorithm = algorithm;
    config.auth.public_key_pem = Some(public_pem.to_owned());
    let dir = tempfile::tempdir().expect("tempdir");
    TokenKeys::load(&config.auth, Mode::Production, dir.path()).expect("public key accepted")
}

#[test]
fn eddsa_tokens_verify_with_the_public_key() {
    let keys = keys(Algorithm::EdDSA, include_str!("keys/ed25519.pub.pem"));
    let private = EncodingKey::from_ed_pem(include_bytes!("keys/ed25519.pem")).expect("key");
    let token = encode(&Header::new(Jwt::EdDSA), &claims(), &private).expect("sign");
    let verified = keys.identity(&token).expect("verifies");
    assert_eq!(verified.user_id, "alice");
    assert_eq!(verified.rights, vec!["workspace.create".to_owned()]);
    assert!(keys.mint("alice", None, &[], 60).is_err(), "a public key cannot mint");

    let rsa = EncodingKey::from_rsa_pem(include_bytes!("keys/rsa.pem")).expect("key");
    let other = encode(&Header::new(Jwt::RS256), &claims(), &rsa).expect("sign");
    assert!(keys.verify(&other).is_err(), "the algorithm is pinned");
}

#[test]
fn rs256_tokens_verify_with_the_public_key() {
    let keys = keys(Algorithm::RS256, include_str!("keys/rsa.pub.pem"));
    let private = EncodingKey::from_rsa_pem(include_bytes!("keys/rsa.pem")).expect("key");
    let token = encode(&Header::new(Jwt::RS256), &claims(), &private).expect("sign");
    assert_eq!(keys.identity(&token).expect("verifies").user_id, "alice");
    let ps = encode(&Header::new(Jwt::PS256), &claims(), &private).expect("sign");
    assert!(keys.verify(&ps).is_err(), "another RSA scheme is refused");
}

#[test]
fn a_public_key_algorithm_without_a_key_is_refused() {
    let mut config = Config::default();
    config.auth.algorithm = Algorithm::RS256;
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(TokenKeys::load(&config.auth, Mode::Development, dir.path()).is_err());
    assert!(TokenKeys::load(&config.auth, Mode::Production, dir.path()).is_err());
}
