//! Service tokens: what this instance sends a remote app (`[[apps]]`) to be let in.

use mesdonnees_shared::connector::{SERVICE_TOKEN_ISSUER, ServiceClaims};

pub use crate::config::{AppTableField, ConnectorsConfig, RemoteAppConfig};

#[derive(Debug, thiserror::Error)]
#[error("cannot sign a service token")]
pub struct ServiceTokenError(#[from] jsonwebtoken::errors::Error);

impl RemoteAppConfig {
    /// A service token for one call to this app: HS256 with its secret, `aud` = its id, `sub`
    /// = this instance.
    pub fn mint_token(&self, instance: &str, ttl_secs: u64) -> Result<String, ServiceTokenError> {
        let now = chrono::Utc::now().timestamp();
        let claims = ServiceClaims {
            iss: SERVICE_TOKEN_ISSUER.to_owned(),
            aud: self.id.clone(),
            sub: instance.to_owned(),
            iat: now,
            exp: now + i64::try_from(ttl_secs).unwrap_or(300),
        };
        let key = jsonwebtoken::EncodingKey::from_secret(self.token_secret.as_bytes());
        Ok(jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_tokens_name_the_app_and_verify_with_its_secret() {
        let cahier = RemoteAppConfig::example("cahier");
        let token = cahier.mint_token("ent-a", 60).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_audience(&["cahier"]);
        validation.set_issuer(&[SERVICE_TOKEN_ISSUER]);
        let key = jsonwebtoken::DecodingKey::from_secret(cahier.token_secret.as_bytes());
        let claims = jsonwebtoken::decode::<ServiceClaims>(&token, &key, &validation).unwrap();
        assert_eq!(claims.claims.sub, "ent-a");
        validation.set_audience(&["blog"]);
        assert!(jsonwebtoken::decode::<ServiceClaims>(&token, &key, &validation).is_err());
    }
}
