//! The caller's identity read from a verified token's claims, as `[auth.claims]` maps them.
//!
//! The claims come from the identity provider, not from the caller, but they are still bounded:
//! at most [`MAX_RIGHTS`] rights are kept, and an e-mail that is not an address is dropped
//! rather than refusing the token (the e-mail is a convenience, the user id is not).

use serde_json::{Map, Value};

use crate::config::ClaimsConfig;

/// Most rights kept from one token; a provider listing more is cut, not refused.
pub const MAX_RIGHTS: usize = 256;
/// Longest e-mail address kept (RFC 5321's path limit).
const MAX_EMAIL_BYTES: usize = 254;

/// Who the token's bearer is, as this service sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub rights: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    #[error("the token has no {0} claim")]
    MissingUserId(String),
    #[error("the token's {0} claim is not a string")]
    UserIdNotString(String),
}

/// Maps verified claims to an identity.
pub fn identity(
    config: &ClaimsConfig,
    claims: &Map<String, Value>,
) -> Result<Identity, ClaimsError> {
    let user_id = match claim(claims, &config.user_id) {
        None | Some(Value::Null) => return Err(ClaimsError::MissingUserId(config.user_id.clone())),
        Some(Value::String(id)) => id.clone(),
        // Some providers give a numeric id; its decimal form is the id.
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(ClaimsError::UserIdNotString(config.user_id.clone())),
    };
    let text = |name: &str| {
        claim(claims, name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let name = text(&config.name).or_else(|| {
        let parts: Vec<String> =
            [text(&config.given_name), text(&config.family_name)].into_iter().flatten().collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    let email = text(&config.email).filter(|e| looks_like_address(e));
    Ok(Identity { user_id, name, email, rights: rights(config, claims) })
}

/// A claim by name, else by dotted path.
fn claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(value) = claims.get(name) {
        return Some(value);
    }
    let mut parts = name.split('.');
    let mut value = claims.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

fn rights(config: &ClaimsConfig, claims: &Map<String, Value>) -> Vec<String> {
    let granted =
        config.rights.iter().filter_map(|name| claim(claims, name)).flat_map(|value| match value {
            Value::String(s) => s.split_ascii_whitespace().collect(),
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::<&str>::new(),
        });
    let mut rights: Vec<String> = Vec::new();
    for value in granted {
        let mapped = config.rights_map.iter().find(|(role, _)| role.eq_ignore_ascii_case(value));
        match mapped {
            Some((_, ours)) => rights.extend(ours.iter().cloned()),
            None if config.keep_unmapped => rights.push(value.to_owned()),
            None => {}
        }
        if rights.len() >= MAX_RIGHTS {
            break;
        }
    }
    rights.sort_unstable();
    rights.dedup();
    rights.truncate(MAX_RIGHTS);
    rights
}

fn looks_like_address(value: &str) -> bool {
    value.len() <= MAX_EMAIL_BYTES
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        })
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(config: &ClaimsConfig, claims: &Value) -> Result<Identity, ClaimsError> {
        identity(config, claims.as_object().expect("an object"))
    }

    /// An entcore-style ENT: a login as the id, a profile list mapped to our rights.
    fn entcore() -> ClaimsConfig {
        let mut config = ClaimsConfig { user_id: "login".into(), ..ClaimsConfig::default() };
        config.rights = vec!["profiles".into(), "scope".into()];
        config.rights_map.insert("ENSEIGNANT".into(), vec!["workspace.create".into()]);
        config.rights_map.insert("ADMIN_LOCAL".into(), vec!["mesdonnees.admin".into()]);
        config.keep_unmapped = false;
        config
    }

    #[test]
    fn defaults_read_sub_name_email_and_rights() {
        let claims = json!({"sub": "alice", "name": "Alice Martin", "email": "alice@ent.example",
            "rights": ["workspace.create"], "aud": "mesdonnees"});
        let id = map(&ClaimsConfig::default(), &claims).expect("maps");
        assert_eq!(id.user_id, "alice");
        assert_eq!(id.name.as_deref(), Some("Alice Martin"));
        assert_eq!(id.email.as_deref(), Some("alice@ent.example"));
        assert_eq!(id.rights, vec!["workspace.create".to_owned()]);
    }

    #[test]
    fn array_audience_does_not_disturb_the_mapping() {
        let claims = json!({"sub": "alice", "aud": ["mesdonnees", "other"], "rights": []});
        let id = map(&ClaimsConfig::default(), &claims).expect("maps");
        assert_eq!(id.user_id, "alice");
        assert!(id.rights.is_empty());
    }

    #[test]
    fn a_scope_string_is_split_and_mapped() {
        let claims = json!({"login": "marie.curie", "scope": "openid ENSEIGNANT  profile"});
        let id = map(&entcore(), &claims).expect("maps");
        assert_eq!(id.user_id, "marie.curie");
        assert_eq!(id.rights, vec!["workspace.create".to_owned()], "unmapped scopes dropped");
    }

    #[test]
    fn a_role_list_is_mapped_ignoring_case_and_kept_when_asked() {
        let claims = json!({"login": "m", "profiles": ["Enseignant", "admin_local", "ELEVE", 7]});
        let id = map(&entcore(), &claims).expect("maps");
        assert_eq!(id.rights, vec!["mesdonnees.admin".to_owned(), "workspace.create".to_owned()]);
        let keep = ClaimsConfig { keep_unmapped: true, ..entcore() };
        let id = map(&keep, &claims).expect("maps");
        assert_eq!(id.rights, ["ELEVE", "mesdonnees.admin", "workspace.create"]);
    }

    #[test]
    fn keycloak_nested_roles_and_split_names() {
        let config = ClaimsConfig {
            user_id: "preferred_username".into(),
            rights: vec!["realm_access.roles".into()],
            ..ClaimsConfig::default()
        };
        let claims = json!({"sub": "f1e2", "preferred_username": "jdupont",
            "given_name": "Jeanne", "family_name": "Dupont",
            "realm_access": {"roles": ["workspace.create", "offline_access"]}});
        let id = map(&config, &claims).expect("maps");
        assert_eq!(id.user_id, "jdupont");
        assert_eq!(id.name.as_deref(), Some("Jeanne Dupont"));
        assert_eq!(id.rights, ["offline_access", "workspace.create"]);
    }

    #[test]
    fn a_missing_or_bad_email_is_none_not_an_error() {
        let config = ClaimsConfig::default();
        let id = map(&config, &json!({"sub": "a"})).expect("maps");
        assert_eq!((id.name, id.email), (None, None));
        for bad in [json!("not an address"), json!("a@b@c"), json!(12), json!("x\n@y")] {
            let id = map(&config, &json!({"sub": "a", "email": bad})).expect("maps");
            assert_eq!(id.email, None, "{bad}");
        }
    }

    #[test]
    fn the_user_id_claim_is_required() {
        let config = entcore();
        assert_eq!(
            map(&config, &json!({"sub": "a"})),
            Err(ClaimsError::MissingUserId("login".into()))
        );
        assert_eq!(
            map(&config, &json!({"login": ["a"]})),
            Err(ClaimsError::UserIdNotString("login".into()))
        );
        assert_eq!(map(&config, &json!({"login": 42})).expect("numeric").user_id, "42");
    }

    #[test]
    fn rights_are_bounded() {
        let many: Vec<String> = (0..10_000).map(|i| format!("r{i}")).collect();
        let id = map(&ClaimsConfig::default(), &json!({"sub": "a", "rights": many})).expect("maps");
        assert_eq!(id.rights.len(), MAX_RIGHTS);
    }
}
