//! The keys an identity provider publishes (a JWKS, found directly or through its OpenID
//! discovery document), cached per provider.
//!
//! A token naming a `kid` the cache lacks triggers a fetch, but at most one per
//! `auth.jwks_min_refresh_secs` per provider, whatever the number of tokens: a flood of random
//! `kid`s must not become a flood of requests to the provider. The fetch holds a lock, so
//! requests waiting on it share its result. A failed fetch keeps the last good set (a provider
//! that is down does not log everyone out); keys are dropped only when a fetch succeeds without
//! them. A set older than `auth.jwks_max_age_secs` is fetched again by the next token that finds
//! the lock free, the others using the set they have. Responses are bounded ([`MAX_DOCUMENT_BYTES`])
//! and the fetch times out.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse};
use serde::Deserialize;

use crate::config::IdentityProvider;

/// Largest discovery document or key set read.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
/// Most keys kept from one set.
const MAX_KEYS: usize = 64;
/// How long one request to the provider may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// A usable key and the algorithm its JWK restricts it to, when it says.
#[derive(Clone)]
pub struct PublishedKey {
    pub key: Arc<DecodingKey>,
    pub algorithm: Option<jsonwebtoken::Algorithm>,
}

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("no key set of this provider could be fetched yet")]
    Unavailable,
    #[error("the provider publishes no key with this id")]
    UnknownKey,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot reach {0}")]
    Http(String, #[source] reqwest::Error),
    #[error("{0} answered {1}")]
    Status(String, reqwest::StatusCode),
    #[error("{0} sent more than {1} bytes")]
    TooLarge(String, usize),
    #[error("{0} is not the expected JSON document")]
    Json(String, #[source] serde_json::Error),
    #[error("the discovery document names the issuer {found:?}, not {expected:?}")]
    IssuerMismatch { expected: String, found: String },
}

#[derive(Default)]
struct KeySet {
    keys: HashMap<String, PublishedKey>,
    fetched_at: Option<Instant>,
}

/// One trusted provider's keys.
pub struct ProviderKeys {
    pub provider: IdentityProvider,
    min_refresh: Duration,
    max_age: Duration,
    http: reqwest::Client,
    set: RwLock<KeySet>,
    /// When a fetch was last attempted; the lock serialises fetches.
    last_attempt: tokio::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for ProviderKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderKeys")
            .field("issuer", &self.provider.issuer)
            .finish_non_exhaustive()
    }
}

impl ProviderKeys {
    pub fn new(provider: IdentityProvider, min_refresh: Duration, max_age: Duration) -> Self {
        let http = client();
        Self {
            provider,
            min_refresh,
            max_age,
            http,
            set: RwLock::new(KeySet::default()),
            last_attempt: tokio::sync::Mutex::new(None),
        }
    }

    /// The key `kid` names (or the only key, for a token naming none), fetching the set when
    /// it lacks it or is old, as often as the interval allows.
    pub async fn key(&self, kid: Option<&str>) -> Result<PublishedKey, LookupError> {
        let (found, stale) = self.cached(kid);
        match found {
            Some(key) if !stale => return Ok(key),
            Some(key) => {
                // Only the request that finds the lock free pays for the fetch.
                if let Ok(last) = self.last_attempt.try_lock() {
                    self.refresh(last).await;
                    return Ok(self.cached(kid).0.unwrap_or(key));
                }
                return Ok(key);
            }
            None => {}
        }
        let last = self.last_attempt.lock().await;
        self.refresh(last).await;
        match self.cached(kid).0 {
            Some(key) => Ok(key),
            None if self.ever_fetched() => Err(LookupError::UnknownKey),
            None => Err(LookupError::Unavailable),
        }
    }

    /// Whether a key set was ever fetched; tries once (as the interval allows) when not.
    pub async fn ready(&self) -> bool {
        if !self.ever_fetched() {
            let last = self.last_attempt.lock().await;
            self.refresh(last).await;
        }
        self.ever_fetched()
    }

    fn ever_fetched(&self) -> bool {
        self.set.read().is_ok_and(|set| set.fetched_at.is_some())
    }

    fn cached(&self, kid: Option<&str>) -> (Option<PublishedKey>, bool) {
        let Ok(set) = self.set.read() else { return (None, true) };
        let stale = set.fetched_at.is_none_or(|at| at.elapsed() >= self.max_age);
        let key = match kid {
            Some(kid) => set.keys.get(kid).cloned(),
            None if set.keys.len() == 1 => set.keys.values().next().cloned(),
            None => None,
        };
        (key, stale)
    }

    async fn refresh(&self, mut last: tokio::sync::MutexGuard<'_, Option<Instant>>) {
        if last.is_some_and(|at| at.elapsed() < self.min_refresh) {
            return;
        }
        *last = Some(Instant::now());
        match self.fetch().await {
            Ok(keys) => {
                tracing::debug!(issuer = %self.provider.issuer, keys = keys.len(), "key set fetched");
                if let Ok(mut set) = self.set.write() {
                    *set = KeySet { keys, fetched_at: Some(Instant::now()) };
                }
            }
            Err(e) => tracing::warn!(
                issuer = %self.provider.issuer,
                error = %e,
                "cannot fetch the identity provider's keys; the last set fetched stays in use"
            ),
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, PublishedKey>, FetchError> {
        let jwks_url = match &self.provider.jwks_url {
            Some(url) => url.clone(),
            None => self.discover().await?,
        };
        let set: JwkSetDocument = self.get_json(&jwks_url).await?;
        let mut keys = HashMap::new();
        for value in set.keys.into_iter().take(MAX_KEYS) {
            // A key this library cannot use (another type, an encryption key) is skipped, not
            // a reason to refuse the whole set.
            let Ok(jwk) = serde_json::from_value::<Jwk>(value) else { continue };
            // A symmetric key has no place in a published set: it would be a public secret.
            if matches!(&jwk.common.public_key_use, Some(u) if *u != PublicKeyUse::Signature)
                || matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_))
            {
                continue;
            }
            let Some(kid) = jwk.common.key_id.clone() else { continue };
            let Ok(key) = DecodingKey::from_jwk(&jwk) else { continue };
            let algorithm =
                jwk.common.key_algorithm.and_then(|a| jsonwebtoken::Algorithm::try_from(a).ok());
            keys.insert(kid, PublishedKey { key: Arc::new(key), algorithm });
        }
        Ok(keys)
    }

    /// The provider's `jwks_uri`, from its discovery document (OpenID Connect Discovery §4),
    /// whose `issuer` must be the configured one (§4.3).
    async fn discover(&self) -> Result<String, FetchError> {
        let issuer = &self.provider.issuer;
        let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
        let document: Discovery = self.get_json(&url).await?;
        if document.issuer != *issuer {
            return Err(FetchError::IssuerMismatch {
                expected: issuer.clone(),
                found: document.issuer,
            });
        }
        Ok(document.jwks_uri)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, FetchError> {
        get_json(&self.http, url, MAX_DOCUMENT_BYTES).await
    }
}

/// The client of every fetch of another party's published keys: bounded in time and redirects.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .unwrap_or_default()
}

/// A JSON document of at most `max` bytes, read as it comes so a larger one is cut short.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    max: usize,
) -> Result<T, FetchError> {
    let failed = |e| FetchError::Http(url.to_owned(), e);
    let mut response = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(failed)?;
    if !response.status().is_success() {
        return Err(FetchError::Status(url.to_owned(), response.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > max {
            return Err(FetchError::TooLarge(url.to_owned(), max));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| FetchError::Json(url.to_owned(), e))
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

#[derive(Deserialize)]
struct JwkSetDocument {
    keys: Vec<serde_json::Value>,
}
