//! `[auth.claims]`: where a token's claims say who the caller is and what they may do.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// Names of the claims read from a verified token. A name is first looked up as a top-level
/// claim, then as a dotted path into nested objects (`realm_access.roles`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimsConfig {
    /// The claim holding the user id (ENTs often use a login or an `externalId`).
    pub user_id: String,
    /// The display name; when absent, `given_name` and `family_name` joined.
    pub name: String,
    pub given_name: String,
    pub family_name: String,
    /// The e-mail address; a value that is not an address is ignored.
    pub email: String,
    /// Claims holding rights or roles: each either a list of strings or a space-separated
    /// string such as `scope`.
    pub rights: Vec<String>,
    /// Provider role or scope (compared without regard to ASCII case) → the rights it grants
    /// here, e.g. `ENSEIGNANT = ["workspace.create"]`. Set it in the configuration file: the
    /// environment lowercases keys.
    pub rights_map: BTreeMap<String, Vec<String>>,
    /// Whether a value the map does not name is kept as a right of its own name.
    pub keep_unmapped: bool,
}

impl Default for ClaimsConfig {
    fn default() -> Self {
        Self {
            user_id: "sub".to_owned(),
            name: "name".to_owned(),
            given_name: "given_name".to_owned(),
            family_name: "family_name".to_owned(),
            email: "email".to_owned(),
            rights: vec!["rights".to_owned()],
            rights_map: BTreeMap::new(),
            keep_unmapped: true,
        }
    }
}

impl Section for ClaimsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.user_id.is_empty() {
            return ConfigError::invalid("auth.claims.user_id must not be empty");
        }
        let lowered: std::collections::BTreeSet<String> =
            self.rights_map.keys().map(|k| k.to_ascii_lowercase()).collect();
        if lowered.len() != self.rights_map.len() {
            return ConfigError::invalid(
                "auth.claims.rights_map names the same role twice (keys ignore case)",
            );
        }
        Ok(())
    }
}
