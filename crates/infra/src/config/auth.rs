//! `[auth]`: which bearer tokens the API accepts.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{ClaimsConfig, ConfigError, Section};

/// A signature algorithm of user tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Algorithm {
    HS256,
    RS256,
    ES256,
    EdDSA,
}

impl Algorithm {
    pub fn jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Self::HS256 => jsonwebtoken::Algorithm::HS256,
            Self::RS256 => jsonwebtoken::Algorithm::RS256,
            Self::ES256 => jsonwebtoken::Algorithm::ES256,
            Self::EdDSA => jsonwebtoken::Algorithm::EdDSA,
        }
    }
}

/// A further identity provider whose tokens are accepted (`[[auth.providers]]`): either
/// `oidc_issuer`, or `issuer` with `jwks_url`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// An OpenID provider's issuer URL: its `/.well-known/openid-configuration` gives its keys.
    pub oidc_issuer: Option<String>,
    /// The `iss` of its tokens, with `jwks_url`.
    pub issuer: Option<String>,
    /// Where its JSON Web Key Set is published.
    pub jwks_url: Option<String>,
    /// Algorithms accepted from it; `auth.jwks_algorithms` when absent.
    pub algorithms: Option<Vec<Algorithm>>,
}

/// A trusted identity provider, resolved from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProvider {
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// Its key set; read from the discovery document at `issuer` when `None`.
    pub jwks_url: Option<String>,
    pub algorithms: Vec<jsonwebtoken::Algorithm>,
}

/// The bearer tokens the API accepts: their algorithm, key, issuer and audience.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// The one algorithm tokens must use; any other `alg` is refused.
    pub algorithm: Algorithm,
    /// Shared secret for HS256 (at least 32 bytes).
    pub hs256_secret: Option<String>,
    /// PEM public key (RS256 or EdDSA), inline.
    pub public_key_pem: Option<String>,
    /// PEM public key (RS256 or EdDSA), from a file.
    #[schema(value_type = Option<String>)]
    pub public_key_file: Option<PathBuf>,
    /// The `iss` tokens must carry.
    pub issuer: String,
    /// The `aud` tokens must carry.
    pub audience: String,
    /// Clock skew tolerated on `exp`, in seconds.
    pub leeway_secs: u64,
    /// The right a token needs for the admin API (`/api/v1/admin/…`).
    #[serde(default = "default_admin_right")]
    pub admin_right: String,
    /// The JWKS URL of the identity provider issuing `auth.issuer`'s tokens: its published
    /// keys verify them, in place of a static key.
    pub jwks_url: Option<String>,
    /// The issuer URL of an OpenID provider whose tokens are accepted: its keys come from its
    /// discovery document (`/.well-known/openid-configuration`).
    pub oidc_issuer: Option<String>,
    /// Further identity providers trusted at once (an ENT and its parents' portal).
    #[serde(default)]
    pub providers: Vec<ProviderConfig>,
    /// Algorithms accepted from identity providers' keys, unless a provider says otherwise.
    pub jwks_algorithms: Vec<Algorithm>,
    /// Least seconds between two fetches of a provider's keys: a token naming an unknown
    /// `kid` fetches them at most this often.
    pub jwks_min_refresh_secs: u64,
    /// Seconds after which a provider's keys are fetched again; the last set fetched stays in
    /// use while the provider does not answer.
    pub jwks_max_age_secs: u64,
    /// Verified tokens remembered, each until it expires (at most 5 minutes), so that a caller
    /// polling with one token is not verified again each time; about 200 bytes each (the
    /// default, a large ENT's callers of five minutes, is 10 MB at most). 0 keeps none; at most
    /// 1,000,000.
    pub token_cache_entries: u64,
    /// Which claims hold the user id, name, e-mail and rights.
    #[serde(default)]
    pub claims: ClaimsConfig,
}

/// About 200 MB of remembered tokens.
const MAX_TOKEN_CACHE_ENTRIES: u64 = 1_000_000;

fn default_admin_right() -> String {
    "mesdonnees.admin".to_owned()
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            algorithm: Algorithm::HS256,
            hs256_secret: None,
            public_key_pem: None,
            public_key_file: None,
            issuer: "mesdonnees".to_owned(),
            audience: "mesdonnees".to_owned(),
            leeway_secs: 30,
            admin_right: default_admin_right(),
            jwks_url: None,
            oidc_issuer: None,
            providers: Vec::new(),
            jwks_algorithms: vec![Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA],
            jwks_min_refresh_secs: 60,
            jwks_max_age_secs: 3600,
            token_cache_entries: 50_000,
            claims: ClaimsConfig::default(),
        }
    }
}

/// The keys themselves are checked when they are loaded, with the mode in hand.
impl Section for AuthConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.issuer.is_empty() || self.audience.is_empty() || self.admin_right.is_empty() {
            return ConfigError::invalid(
                "auth.issuer, auth.audience and auth.admin_right must not be empty",
            );
        }
        if self.token_cache_entries > MAX_TOKEN_CACHE_ENTRIES {
            return ConfigError::invalid(format!(
                "auth.token_cache_entries must be at most {MAX_TOKEN_CACHE_ENTRIES}"
            ));
        }
        for provider in &self.providers {
            if !matches!(
                (&provider.oidc_issuer, &provider.issuer, &provider.jwks_url),
                (Some(_), None, None) | (None, Some(_), Some(_))
            ) {
                return ConfigError::invalid(
                    "each auth.providers entry needs either oidc_issuer, or issuer with jwks_url",
                );
            }
        }
        let is_http =
            |u: &str| url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        let providers = self.identity_providers();
        for (i, provider) in providers.iter().enumerate() {
            let name = &provider.issuer;
            let key_url = provider.jwks_url.as_deref().unwrap_or(name);
            if !is_http(key_url) {
                return ConfigError::invalid(format!(
                    "identity provider {name}: {key_url} is not an http(s) URL"
                ));
            }
            if provider.algorithms.is_empty()
                || provider.algorithms.contains(&jsonwebtoken::Algorithm::HS256)
            {
                return ConfigError::invalid(format!(
                    "identity provider {name}: accept one or more of RS256, ES256 and EdDSA                      (HS256 needs a shared secret, not published keys)"
                ));
            }
            if providers[..i].iter().any(|p| p.issuer == *name) {
                return ConfigError::invalid(format!(
                    "identity provider {name} is configured twice"
                ));
            }
        }
        self.claims.validate()
    }
}

impl AuthConfig {
    /// Every identity provider trusted: `auth.jwks_url` (for `auth.issuer`), `auth.oidc_issuer`,
    /// then `[[auth.providers]]`.
    pub fn identity_providers(&self) -> Vec<IdentityProvider> {
        let algorithms = |list: Option<&Vec<Algorithm>>| {
            list.unwrap_or(&self.jwks_algorithms).iter().map(|a| a.jwt()).collect()
        };
        let direct = self.jwks_url.iter().map(|url| IdentityProvider {
            issuer: self.issuer.clone(),
            jwks_url: Some(url.clone()),
            algorithms: algorithms(None),
        });
        let discovered = self.oidc_issuer.iter().map(|issuer| IdentityProvider {
            issuer: issuer.clone(),
            jwks_url: None,
            algorithms: algorithms(None),
        });
        let listed = self.providers.iter().map(|p| IdentityProvider {
            issuer: p.oidc_issuer.clone().or_else(|| p.issuer.clone()).unwrap_or_default(),
            jwks_url: p.jwks_url.clone(),
            algorithms: algorithms(p.algorithms.as_ref()),
        });
        direct.chain(discovered).chain(listed).collect()
    }
}
