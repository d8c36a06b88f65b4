//! Token keys: verifying the ENT's bearer tokens and, with a shared secret, minting them
//! (development tokens, service tokens).
//!
//! jsonwebtoken 11 needs exactly one crypto backend feature (`aws_lc_rs` here): with none, or
//! both (a dependency enabling `rust_crypto` is enough, features being unified), it compiles
//! and panics at the first token signed or verified. The algorithm is pinned by the configured
//! key; `exp`, `iss` and `aud` are required claims, plus the user id claim `[auth.claims]`
//! names. jsonwebtoken leaves `nbf` unchecked unless asked (`validate_nbf`), and knows nothing
//! of `crit` (RFC 7515 §4.1.11): this service understands no extension, so a token naming one
//! is refused. `aud` may be a string or an array holding ours (RFC 7519 §4.1.3): the claims are
//! read as a map, never into a struct with a string `aud`.

pub mod claims;

use std::path::{Path, PathBuf};

use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::{Algorithm, AuthConfig, ClaimsConfig, Mode};
pub use claims::{ClaimsError, Identity};

/// Name of the generated development secret under the data folder.
pub const DEV_KEY_FILE: &str = "dev-jwt-secret";
/// Shortest HS256 secret accepted (RFC 7518 §3.2: at least the hash size).
const MIN_SECRET_BYTES: usize = 32;

/// What a token says about its bearer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub rights: Vec<String>,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    pub iss: String,
    pub aud: String,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "no signing key configured: production mode needs auth.hs256_secret or a public key \
         (MESDONNEES__AUTH__HS256_SECRET, MESDONNEES__AUTH__PUBLIC_KEY_PEM or _FILE)"
    )]
    MissingInProduction,
    #[error("auth.hs256_secret must be at least {MIN_SECRET_BYTES} bytes")]
    WeakSecret,
    #[error("auth.algorithm {0:?} needs auth.public_key_pem or auth.public_key_file")]
    MissingPublicKey(Algorithm),
    #[error("cannot read or write the key file {0}")]
    Io(PathBuf, #[source] std::io::Error),
    #[error("the configured key is not valid for {0:?}")]
    Invalid(Algorithm, #[source] jsonwebtoken::errors::Error),
    #[error("this instance verifies {0:?} tokens with a public key and cannot mint tokens")]
    CannotMint(Algorithm),
    #[error("cannot sign the token")]
    Sign(#[source] jsonwebtoken::errors::Error),
}

/// Why a token is refused.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the token names a critical header extension this service does not understand")]
    UnknownCritical,
    #[error(transparent)]
    Jwt(#[from] jsonwebtoken::errors::Error),
    #[error(transparent)]
    Claims(#[from] ClaimsError),
}

/// Where the key came from, so `serve` can say it uses a development key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Configured,
    Development(PathBuf),
}

pub struct TokenKeys {
    algorithm: jsonwebtoken::Algorithm,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    claims: ClaimsConfig,
    pub source: KeySource,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("algorithm", &self.algorithm)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Builds the keys from configuration. In development with no key configured, a random
    /// HS256 secret is created once under `data_dir` and reused, so `mesdonnees token` and
    /// `serve` agree.
    pub fn load(config: &AuthConfig, mode: Mode, data_dir: &Path) -> Result<Self, KeyError> {
        let (algorithm, decoding, encoding, source) = match config.algorithm {
            Algorithm::HS256 => {
                let (secret, source) = match &config.hs256_secret {
                    Some(secret) => (secret.as_bytes().to_vec(), KeySource::Configured),
                    None if mode == Mode::Production => return Err(KeyError::MissingInProduction),
                    None => {
                        let path = data_dir.join(DEV_KEY_FILE);
                        (dev_secret(&path)?, KeySource::Development(path))
                    }
                };
                if secret.len() < MIN_SECRET_BYTES {
                    return Err(KeyError::WeakSecret);
                }
                (
                    jsonwebtoken::Algorithm::HS256,
                    DecodingKey::from_secret(&secret),
                    Some(EncodingKey::from_secret(&secret)),
                    source,
                )
            }
            alg @ (Algorithm::RS256 | Algorithm::EdDSA) => {
                let pem = match (&config.public_key_pem, &config.public_key_file) {
                    (Some(pem), _) => pem.clone().into_bytes(),
                    (None, Some(file)) => {
                        std::fs::read(file).map_err(|e| KeyError::Io(file.clone(), e))?
                    }
                    (None, None) if mode == Mode::Production => {
                        return Err(KeyError::MissingInProduction);
                    }
                    (None, None) => return Err(KeyError::MissingPublicKey(alg)),
                };
                let (jwt_alg, key) = if alg == Algorithm::RS256 {
                    (jsonwebtoken::Algorithm::RS256, DecodingKey::from_rsa_pem(&pem))
                } else {
                    (jsonwebtoken::Algorithm::EdDSA, DecodingKey::from_ed_pem(&pem))
                };
                let key = key.map_err(|e| KeyError::Invalid(alg, e))?;
                (jwt_alg, key, None, KeySource::Configured)
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = config.leeway_secs;
        Ok(Self {
            algorithm,
            decoding,
            encoding,
            validation,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            claims: config.claims.clone(),
            source,
        })
    }

    /// The token's claims once its header, signature, time window, issuer and audience are
    /// checked.
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>, VerifyError> {
        if jsonwebtoken::decode_header(token)?.crit.is_some() {
            return Err(VerifyError::UnknownCritical);
        }
        Ok(jsonwebtoken::decode::<Map<String, Value>>(token, &self.decoding, &self.validation)?
            .claims)
    }

    /// The verified token's bearer, as `[auth.claims]` maps the claims.
    pub fn identity(&self, token: &str) -> Result<Identity, VerifyError> {
        Ok(claims::identity(&self.claims, &self.verify(token)?)?)
    }

    /// Mints a token for `sub`, valid `ttl_secs` from now.
    pub fn mint(
        &self,
        sub: &str,
        name: Option<&str>,
        rights: &[String],
        ttl_secs: u64,
    ) -> Result<String, KeyError> {
        let encoding =
            self.encoding.as_ref().ok_or(KeyError::CannotMint(match self.algorithm {
                jsonwebtoken::Algorithm::RS256 => Algorithm::RS256,
                _ => Algorithm::EdDSA,
            }))?;
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            name: name.map(str::to_owned),
            rights: rights.to_vec(),
            exp: now.saturating_add(i64::try_from(ttl_secs).unwrap_or(i64::MAX)),
            iat: Some(now),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, encoding)
            .map_err(KeyError::Sign)
    }
}

/// Reads the development secret, creating it (0600) on first use.
fn dev_secret(path: &Path) -> Result<Vec<u8>, KeyError> {
    let io = |e| KeyError::Io(path.to_path_buf(), e);
    match std::fs::read_to_string(path) {
        Ok(text) => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            let mut secret = vec![0_u8; 48];
            rand::rng().fill_bytes(&mut secret);
            write_private(path, &base64::engine::general_purpose::STANDARD.encode(&secret))
                .map_err(io)?;
            Ok(secret)
        }
        Err(e) => Err(io(e)),
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn development_key_is_created_once_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config::default();
        let a = TokenKeys::load(&config.auth, Mode::Development, dir.path()).expect("keys");
        let token = a.mint("alice", Some("Alice"), &[], 60).expect("token");
        let b = TokenKeys::load(&config.auth, Mode::Development, dir.path()).expect("keys");
        let claims = b.identity(&token).expect("same key verifies");
        assert_eq!(claims.user_id, "alice");
        assert!(matches!(b.source, KeySource::Development(_)));
    }

    #[test]
    fn production_needs_a_configured_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config::default();
        let err = TokenKeys::load(&config.auth, Mode::Production, dir.path()).expect_err("no key");
        assert!(matches!(err, KeyError::MissingInProduction));
        assert!(!dir.path().join(DEV_KEY_FILE).exists());
    }

    #[test]
    fn short_secrets_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::default();
        config.auth.hs256_secret = Some("short".into());
        assert!(matches!(
            TokenKeys::load(&config.auth, Mode::Production, dir.path()),
            Err(KeyError::WeakSecret)
        ));
    }
}
