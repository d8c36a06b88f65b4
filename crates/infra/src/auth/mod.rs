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

mod cache;
pub mod claims;
pub mod jwks;

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
        "no signing key configured: production mode needs auth.hs256_secret, a public key \
         (MESDONNEES__AUTH__HS256_SECRET, MESDONNEES__AUTH__PUBLIC_KEY_PEM or _FILE) or an \
         identity provider (auth.oidc_issuer, auth.jwks_url or auth.providers)"
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
    #[error("this instance only verifies identity providers' tokens and cannot mint tokens")]
    NoStaticKey,
    #[error("cannot sign the token")]
    Sign(#[source] jsonwebtoken::errors::Error),
}

/// Why a token is refused.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the token names a critical header extension this service does not understand")]
    UnknownCritical,
    #[error("the token's issuer is not trusted")]
    UnknownIssuer,
    #[error(transparent)]
    Key(#[from] jwks::LookupError),
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
            alg @ (Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA) => {
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
                let key = match alg {
                    Algorithm::RS256 => DecodingKey::from_rsa_pem(&pem),
                    Algorithm::ES256 => DecodingKey::from_ec_pem(&pem),
                    _ => DecodingKey::from_ed_pem(&pem),
                };
                let jwt_alg = alg.jwt();
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
                jsonwebtoken::Algorithm::ES256 => Algorithm::ES256,
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

/// Every key that verifies user tokens: the static key of `auth.issuer` (with which this
/// instance also mints development and service tokens), and the trusted identity providers'
/// published keys. A token's (unverified) `iss` chooses which; the signature then decides.
#[derive(Debug)]
pub struct Verifier {
    verified: cache::TokenCache,
    static_keys: Option<TokenKeys>,
    providers: Vec<jwks::ProviderKeys>,
    claims: ClaimsConfig,
    audience: String,
    leeway_secs: u64,
}

impl Verifier {
    /// The static key as [`TokenKeys::load`] finds it (optional in production when identity
    /// providers are trusted), and an empty key cache per provider: nothing is fetched yet.
    pub fn load(config: &AuthConfig, mode: Mode, data_dir: &Path) -> Result<Self, KeyError> {
        let providers: Vec<jwks::ProviderKeys> = config
            .identity_providers()
            .into_iter()
            .map(|p| {
                jwks::ProviderKeys::new(
                    p,
                    std::time::Duration::from_secs(config.jwks_min_refresh_secs),
                    std::time::Duration::from_secs(config.jwks_max_age_secs),
                )
            })
            .collect();
        let static_keys = match TokenKeys::load(config, mode, data_dir) {
            Ok(keys) => Some(keys),
            Err(KeyError::MissingInProduction | KeyError::MissingPublicKey(_))
                if !providers.is_empty() =>
            {
                None
            }
            Err(e) => return Err(e),
        };
        Ok(Self {
            verified: cache::TokenCache::new(
                usize::try_from(config.token_cache_entries).unwrap_or(usize::MAX),
            ),
            static_keys,
            providers,
            claims: config.claims.clone(),
            audience: config.audience.clone(),
            leeway_secs: config.leeway_secs,
        })
    }

    /// Where the static key came from; `None` when only identity providers are trusted.
    pub fn source(&self) -> Option<&KeySource> {
        self.static_keys.as_ref().map(|k| &k.source)
    }

    /// Mints a token with the static key (see [`TokenKeys::mint`]).
    pub fn mint(
        &self,
        sub: &str,
        name: Option<&str>,
        rights: &[String],
        ttl_secs: u64,
    ) -> Result<String, KeyError> {
        self.static_keys.as_ref().ok_or(KeyError::NoStaticKey)?.mint(sub, name, rights, ttl_secs)
    }

    /// The verified token's bearer, as `[auth.claims]` maps the claims; a token verified a
    /// moment ago is answered from memory (`cache`).
    pub async fn identity(&self, token: &str) -> Result<Identity, VerifyError> {
        if let Some(identity) = self.verified.get(token) {
            return Ok(identity);
        }
        let header = jsonwebtoken::decode_header(token)?;
        if header.crit.is_some() {
            return Err(VerifyError::UnknownCritical);
        }
        let issuer = jsonwebtoken::dangerous::insecure_decode_claims::<Unverified>(token)?.iss;
        let provider = self.providers.iter().find(|p| Some(&p.provider.issuer) == issuer.as_ref());
        let claims = match (provider, &self.static_keys) {
            (Some(provider), _) => {
                let alg = header.alg;
                let key = provider.key(header.kid.as_deref()).await?;
                // A JWK naming its algorithm is for that one only (RFC 7517 §4.4).
                if !provider.provider.algorithms.contains(&alg)
                    || key.algorithm.is_some_and(|a| a != alg)
                {
                    let refused = jsonwebtoken::errors::ErrorKind::InvalidAlgorithm;
                    return Err(jsonwebtoken::errors::Error::from(refused).into());
                }
                let mut validation = Validation::new(alg);
                validation.set_issuer(&[&provider.provider.issuer]);
                self.constrain(&mut validation);
                jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)?.claims
            }
            (None, Some(keys)) => keys.verify(token)?,
            (None, None) => return Err(VerifyError::UnknownIssuer),
        };
        let identity = claims::identity(&self.claims, &claims)?;
        // `exp` is a required claim, checked above; a fractional one is cut to the second.
        let exp = claims.get("exp").and_then(|e| e.as_i64().or_else(|| e.as_f64().map(to_secs)));
        if let Some(exp) = exp {
            self.verified.put(token, &identity, exp);
        }
        Ok(identity)
    }

    fn constrain(&self, validation: &mut Validation) {
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway_secs;
    }

    /// The issuers of which no key set could ever be fetched (each tried once more, as the
    /// refresh interval allows).
    pub async fn unready_issuers(&self) -> Vec<String> {
        let mut unready = Vec::new();
        for provider in &self.providers {
            if !provider.ready().await {
                unready.push(provider.provider.issuer.clone());
            }
        }
        unready
    }
}

#[expect(clippy::cast_possible_truncation, reason = "a date in seconds, far from i64's ends")]
fn to_secs(exp: f64) -> i64 {
    exp.floor() as i64
}

/// What is read of a token before its signature is checked: only which issuer to check it with.
#[derive(Deserialize)]
struct Unverified {
    iss: Option<String>,
}

/// Reads the development secret, creating it (0600) on first use.
///
/// Several processes may start together on one fresh data folder (`serve` and `worker` in
/// development, the scale-out tests): the secret is written whole under a name of this process's
/// own, then published with `link`, which fails if another process published first. A reader
/// therefore never sees a half-written file, and the loser of the race reads the winner's
/// secret instead of failing or keeping a key of its own.
fn dev_secret(path: &Path) -> Result<Vec<u8>, KeyError> {
    let io = |e| KeyError::Io(path.to_path_buf(), e);
    match read_secret(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        other => return other.map_err(io),
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut secret = vec![0_u8; 48];
    rand::rng().fill_bytes(&mut secret);
    let draft = path.with_extension(format!("{}.{:x}", std::process::id(), rand::random::<u64>()));
    write_private(&draft, &base64::engine::general_purpose::STANDARD.encode(&secret))
        .map_err(io)?;
    let published = std::fs::hard_link(&draft, path);
    // The draft is only a name for the bytes now published (or refused): drop it either way.
    let _ = std::fs::remove_file(&draft);
    match published {
        Ok(()) => Ok(secret),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_secret(path).map_err(io),
        Err(e) => Err(io(e)),
    }
}

fn read_secret(path: &Path) -> std::io::Result<Vec<u8>> {
    let text = std::fs::read_to_string(path)?;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
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
    fn processes_starting_together_share_one_development_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(DEV_KEY_FILE);
        let secrets: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let racers: Vec<_> =
                (0..8).map(|_| scope.spawn(|| dev_secret(&path).expect("secret"))).collect();
            racers.into_iter().map(|racer| racer.join().expect("racer")).collect()
        });
        assert!(secrets.iter().all(|secret| secret.len() == 48 && *secret == secrets[0]));
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert_eq!(left.len(), 1, "only the published secret is left");
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
