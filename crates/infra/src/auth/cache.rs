//! Verified tokens remembered for their remaining lifetime, so that a caller polling with the
//! same token is not verified again on every request (its header and claims parsed, its
//! signature checked).
//!
//! Pitfalls: the key is the SHA-256 of the whole token, never a part of it, so that a signature
//! copied onto another payload cannot find the first token's identity. Only tokens that verified
//! are kept; a refusal is decided again each time. An entry lives until the token's `exp`
//! (without the leeway) and at most [`MAX_AGE`], so a key its provider withdraws stops
//! verifying within that time. The number of entries is bounded (`auth.token_cache_entries`):
//! when it is reached, the expired entries go, then arbitrary ones down to three quarters of the
//! bound, so a flood of distinct tokens costs memory up to the bound and, spread over the
//! inserts, a constant time each, while the other callers keep most of their entries.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::Identity;

/// Longest an identity is answered from memory, whatever the token's own lifetime.
const MAX_AGE: Duration = Duration::from_secs(300);

pub struct TokenCache {
    capacity: usize,
    entries: Mutex<HashMap<[u8; 32], (Identity, Instant)>>,
}

impl TokenCache {
    /// A cache of at most `capacity` tokens; 0 keeps none.
    pub fn new(capacity: usize) -> Self {
        Self { capacity, entries: Mutex::new(HashMap::new()) }
    }

    /// The identity of `token` when it verified a moment ago and has not expired since.
    pub fn get(&self, token: &str) -> Option<Identity> {
        if self.capacity == 0 {
            return None;
        }
        let key = digest(token);
        let entries = self.entries.lock().ok()?;
        let (identity, until) = entries.get(&key)?;
        (Instant::now() < *until).then(|| identity.clone())
    }

    /// Remembers that `token`, whose `exp` claim is `exp` (seconds since the epoch), verified
    /// as `identity`.
    pub fn put(&self, token: &str, identity: &Identity, exp: i64) {
        if self.capacity == 0 {
            return;
        }
        let left = exp.saturating_sub(chrono::Utc::now().timestamp());
        let Ok(left) = u64::try_from(left) else { return };
        if left == 0 {
            return;
        }
        let now = Instant::now();
        let until = now + Duration::from_secs(left).min(MAX_AGE);
        let key = digest(token);
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (_, until)| *until > now);
            // Then a quarter of the bound, whichever the map yields first (its keys are
            // digests: an arbitrary quarter), rather than all: the callers still polling
            // keep most of their entries.
            let mut excess = entries.len().saturating_sub(self.capacity / 4 * 3);
            entries.retain(|_, _| {
                let keep = excess == 0;
                excess = excess.saturating_sub(1);
                keep
            });
        }
        entries.insert(key, (identity.clone(), until));
    }
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache").field("capacity", &self.capacity).finish_non_exhaustive()
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone(id: &str) -> Identity {
        Identity { user_id: id.to_owned(), name: None, email: None, rights: vec![] }
    }

    fn in_an_hour() -> i64 {
        chrono::Utc::now().timestamp() + 3_600
    }

    #[test]
    fn a_verified_token_is_answered_until_it_expires() {
        let cache = TokenCache::new(4);
        cache.put("a.b.c", &someone("ann"), in_an_hour());
        assert_eq!(cache.get("a.b.c").map(|i| i.user_id), Some("ann".to_owned()));
        assert!(cache.get("a.b.d").is_none(), "another token, even one segment apart");
        cache.put("x.y.z", &someone("bob"), chrono::Utc::now().timestamp() - 1);
        assert!(cache.get("x.y.z").is_none(), "an expired token is not kept");
    }

    #[test]
    fn the_cache_never_holds_more_than_its_bound() {
        let cache = TokenCache::new(8);
        for n in 0..100 {
            cache.put(&format!("t{n}"), &someone("ann"), in_an_hour());
            assert!(cache.entries.lock().expect("lock").len() <= 8);
        }
        assert!(cache.get("t99").is_some(), "the last one is kept");
        let kept = (0..99).filter(|n| cache.get(&format!("t{n}")).is_some()).count();
        assert!(kept >= 5, "a full cache makes room without forgetting everyone: {kept}");
        let none = TokenCache::new(0);
        none.put("t", &someone("ann"), in_an_hour());
        assert!(none.get("t").is_none());
    }
}
