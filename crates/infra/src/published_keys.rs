//! The archive-signing keys as instances publish them at `/.well-known/mesdonnees/keys`: this
//! instance's (its current key and the previous ones it is configured with), and other
//! instances', fetched for the entries of `imports.trusted_keys` that give an address.
//!
//! Pitfalls:
//! - A fetched document is bounded in size and key count (`mesdonnees_shared::keys`), in time
//!   and in redirects (the client of identity providers' key sets), and kept an hour.
//! - A failed fetch is an error the caller reports, never an empty set: an empty set would read
//!   as "unknown signer", hiding that the instance could not be asked.
//! - A document speaks for the instance it names: one that names another instance than the
//!   configured entry is refused, so that a key published by one ENT cannot vouch for another.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use mesdonnees_shared::keys::{KeyStatus, MAX_KEYS_DOCUMENT_BYTES, PublishedKey, PublishedKeys};

use crate::auth::jwks::{self, FetchError};
use crate::config::{PreviousKey, TrustedKey};
use crate::signing::{InstanceSigner, key_id};

/// How long fetched keys are used before they are fetched again.
pub const KEEP_FETCHED: Duration = Duration::from_secs(3600);

/// Keys fetched more recently are not fetched again, even for a key they lack: an instance
/// that just changed its key is seen within a minute, and archives naming a key nobody
/// publishes cost at most one fetch a minute per address.
pub const REFETCH_AFTER: Duration = Duration::from_secs(60);

/// Why the keys at an address could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url} is not a keys document: {reason}")]
    Invalid { url: String, reason: String },
    #[error("{url} publishes the keys of {found:?}, not of {expected:?}")]
    OtherInstance { url: String, expected: String, found: String },
}

/// What this instance publishes: its current key, then the previous ones.
pub fn ours(signer: &InstanceSigner, previous: &[PreviousKey]) -> PublishedKeys {
    let current = PublishedKey {
        key_id: signer.key_id().to_owned(),
        algorithm: "Ed25519".to_owned(),
        public_key: signer.public_key_base64(),
        status: KeyStatus::Current,
        valid_from: signer.since(),
        valid_until: None,
    };
    let previous = previous.iter().filter_map(|key| {
        let bytes = key.key_bytes()?;
        Some(PublishedKey {
            key_id: key_id(&bytes),
            algorithm: "Ed25519".to_owned(),
            public_key: key.public_key.trim().to_owned(),
            status: KeyStatus::Previous,
            valid_from: key.valid_from,
            valid_until: Some(key.valid_until),
        })
    });
    PublishedKeys {
        instance: signer.instance().to_owned(),
        keys: std::iter::once(current).chain(previous).collect(),
    }
}

/// Reads the keys document at `url`, within the bounds of the module header.
pub async fn fetch(http: &reqwest::Client, url: &str) -> Result<PublishedKeys, KeysError> {
    let value: serde_json::Value = jwks::get_json(http, url, MAX_KEYS_DOCUMENT_BYTES).await?;
    let bytes = serde_json::to_vec(&value).unwrap_or_default();
    PublishedKeys::parse(&bytes)
        .map_err(|reason| KeysError::Invalid { url: url.to_owned(), reason })
}

/// The keys of a document, trusted for `instance`, which the document must name.
pub fn trusted_for(
    keys: &PublishedKeys,
    instance: &str,
    url: &str,
) -> Result<Vec<TrustedKey>, KeysError> {
    if keys.instance != instance {
        return Err(KeysError::OtherInstance {
            url: url.to_owned(),
            expected: instance.to_owned(),
            found: keys.instance.clone(),
        });
    }
    Ok(keys
        .keys
        .iter()
        .filter(|k| k.algorithm == "Ed25519")
        .map(|k| TrustedKey::pasted(instance, &k.public_key))
        .collect())
}

/// Keys fetched by address, each kept [`KEEP_FETCHED`].
pub struct FetchedKeys {
    http: reqwest::Client,
    kept: tokio::sync::Mutex<HashMap<String, (Instant, PublishedKeys)>>,
}

impl std::fmt::Debug for FetchedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchedKeys").finish_non_exhaustive()
    }
}

impl Default for FetchedKeys {
    fn default() -> Self {
        Self { http: jwks::client(), kept: tokio::sync::Mutex::default() }
    }
}

impl FetchedKeys {
    /// Every key `configured` trusts: those pasted, then those published at each address, as
    /// kept if fetched within `max_age`.
    pub async fn resolve(
        &self,
        configured: &[TrustedKey],
        max_age: Duration,
    ) -> Result<Vec<TrustedKey>, KeysError> {
        let mut all = Vec::with_capacity(configured.len());
        for entry in configured {
            let Some(url) = &entry.keys_url else {
                all.push(entry.clone());
                continue;
            };
            let keys = self.document_within(url, max_age).await?;
            all.extend(trusted_for(&keys, &entry.instance, url)?);
        }
        Ok(all)
    }

    /// The document at `url`, fetched unless kept from a fetch within the hour.
    pub async fn document(&self, url: &str) -> Result<PublishedKeys, KeysError> {
        self.document_within(url, KEEP_FETCHED).await
    }

    async fn document_within(
        &self,
        url: &str,
        max_age: Duration,
    ) -> Result<PublishedKeys, KeysError> {
        // Held across the fetch: one fetch per address at a time, the others wait for it.
        let mut kept = self.kept.lock().await;
        if let Some((at, keys)) = kept.get(url)
            && at.elapsed() < max_age
        {
            return Ok(keys.clone());
        }
        let keys = fetch(&self.http, url).await?;
        kept.insert(url.to_owned(), (Instant::now(), keys.clone()));
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::generate_key;

    #[test]
    fn ours_lists_the_current_key_then_the_previous_ones() {
        let key = generate_key().expect("key");
        let signer = InstanceSigner::from_pkcs8(&key.pkcs8, "ent-a").expect("signer");
        let old = generate_key().expect("old key");
        let previous = [PreviousKey {
            public_key: base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                &old.public_key,
            ),
            valid_from: None,
            valid_until: chrono::DateTime::UNIX_EPOCH,
        }];
        let published = ours(&signer, &previous);
        assert_eq!(published.instance, "ent-a");
        assert_eq!(published.keys[0].key_id, signer.key_id());
        assert_eq!(published.keys[0].status, KeyStatus::Current);
        assert_eq!(published.keys[1].key_id, key_id(&old.public_key));
        assert_eq!(published.keys[1].status, KeyStatus::Previous);

        let trusted = trusted_for(&published, "ent-a", "u").expect("its own name");
        assert_eq!(trusted.len(), 2);
        assert_eq!(trusted[0].key_bytes().map(|b| b.to_vec()), Some(signer.public_key().to_vec()));
        assert!(trusted_for(&published, "ent-b", "u").is_err(), "not for another instance");
    }
}
