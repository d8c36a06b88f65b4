//! `[auth]`: which bearer tokens the API accepts.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{ClaimsConfig, ConfigError, Section};

/// The signature algorithm of user tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Algorithm {
    HS256,
    RS256,
    EdDSA,
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
    /// Which claims hold the user id, name, e-mail and rights.
    #[serde(default)]
    pub claims: ClaimsConfig,
}

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
        self.claims.validate()
    }
}
