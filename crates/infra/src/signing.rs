//! The instance key: an Ed25519 key that signs archive manifests (so another instance can tell
//! where an archive comes from and that it was not altered) and short-lived download links.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use mesdonnees_shared::archive::SignatureClaims;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Audience of download-link tokens, so no other token can stand in for one.
const LINK_AUDIENCE: &str = "mesdonnees-download";
/// Audience of a leaver's long-lived link: it is checked against the leaver's row (revoked,
/// window closed), which a short-lived link never is.
const LEAVER_AUDIENCE: &str = "mesdonnees-leaver";

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("the instance key is not a valid Ed25519 PKCS#8 key")]
    InvalidKey,
    #[error("cannot sign")]
    Sign(#[source] jsonwebtoken::errors::Error),
    #[error("the signature does not verify")]
    Invalid(#[source] jsonwebtoken::errors::Error),
}

#[derive(Debug, Serialize, Deserialize)]
struct LinkClaims {
    sub: String,
    aud: String,
    iss: String,
    exp: i64,
}

/// What a leaver's link says: the export, the leaver's link id when it was made, its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaverLink {
    sub: String,
    aud: String,
    iss: String,
    /// The leaver's `link_id` at the time: a revocation changes it.
    pub jti: String,
    /// The closing date, in seconds since the epoch.
    pub exp: i64,
}

pub struct InstanceSigner {
    instance: String,
    key_id: String,
    /// Since when the key signs, when known (a generated key's creation).
    since: Option<chrono::DateTime<chrono::Utc>>,
    public_key: Vec<u8>,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for InstanceSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceSigner")
            .field("instance", &self.instance)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// A freshly generated key: PKCS#8 document and raw public key.
pub struct GeneratedKey {
    pub pkcs8: Vec<u8>,
    pub public_key: Vec<u8>,
}

pub fn generate_key() -> Result<GeneratedKey, SigningError> {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
        .map_err(|_| SigningError::InvalidKey)?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| SigningError::InvalidKey)?;
    Ok(GeneratedKey {
        pkcs8: pkcs8.as_ref().to_vec(),
        public_key: pair.public_key().as_ref().to_vec(),
    })
}

/// The id of a public key: the first 16 hex digits of its SHA-256.
pub fn key_id(public_key: &[u8]) -> String {
    hex::encode(&Sha256::digest(public_key)[..8])
}

impl InstanceSigner {
    pub fn from_pkcs8(pkcs8: &[u8], instance: &str) -> Result<Self, SigningError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| SigningError::InvalidKey)?;
        let public_key = pair.public_key().as_ref().to_vec();
        Ok(Self {
            instance: instance.to_owned(),
            key_id: key_id(&public_key),
            since: None,
            decoding: DecodingKey::from_ed_der(&public_key),
            encoding: EncodingKey::from_ed_der(pkcs8),
            public_key,
        })
    }

    pub fn from_pem(pem: &str, instance: &str) -> Result<Self, SigningError> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = STANDARD.decode(body.trim()).map_err(|_| SigningError::InvalidKey)?;
        Self::from_pkcs8(&der, instance)
    }

    /// The same signer, known to sign since `at`.
    #[must_use]
    pub fn signing_since(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.since = Some(at);
        self
    }

    pub fn since(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.since
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The raw Ed25519 public key, base64: what another instance configures as trusted.
    pub fn public_key_base64(&self) -> String {
        STANDARD.encode(&self.public_key)
    }

    /// A compact JWS (EdDSA) over the manifest's SHA-256: the content of manifest.sig.
    pub fn sign_manifest(
        &self,
        archive_id: &str,
        manifest_sha256: &str,
    ) -> Result<String, SigningError> {
        let claims = SignatureClaims {
            iss: self.instance.clone(),
            archive_id: archive_id.to_owned(),
            manifest_sha256: manifest_sha256.to_owned(),
            iat: chrono::Utc::now().timestamp(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key_id.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(SigningError::Sign)
    }

    /// Checks a manifest.sig made with this instance's key.
    pub fn verify_manifest(&self, jws: &str) -> Result<SignatureClaims, SigningError> {
        verify_manifest_with(&self.public_key, jws)
    }

    /// A token for downloading one export without a bearer header.
    pub fn mint_link(&self, export_id: &str, ttl_secs: u64) -> Result<String, SigningError> {
        let claims = LinkClaims {
            sub: export_id.to_owned(),
            aud: LINK_AUDIENCE.to_owned(),
            iss: self.instance.clone(),
            exp: chrono::Utc::now().timestamp() + i64::try_from(ttl_secs).unwrap_or(i64::MAX / 2),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &self.encoding)
            .map_err(SigningError::Sign)
    }

    /// Whether `token` is an unexpired link to `export_id` signed by this instance.
    pub fn verify_link(&self, token: &str, export_id: &str) -> Result<(), SigningError> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[LINK_AUDIENCE]);
        validation.set_issuer(&[&self.instance]);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<LinkClaims>(token, &self.decoding, &validation)
            .map_err(SigningError::Invalid)?;
        if data.claims.sub == export_id {
            Ok(())
        } else {
            Err(SigningError::Invalid(jsonwebtoken::errors::ErrorKind::InvalidSubject.into()))
        }
    }

    /// A leaver's link to their export, carrying their link id, until `until`.
    pub fn mint_leaver_link(
        &self,
        export_id: &str,
        link_id: &str,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<String, SigningError> {
        let claims = LeaverLink {
            sub: export_id.to_owned(),
            aud: LEAVER_AUDIENCE.to_owned(),
            iss: self.instance.clone(),
            jti: link_id.to_owned(),
            exp: until.timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &self.encoding)
            .map_err(SigningError::Sign)
    }

    /// A leaver's link to `export_id` signed by this instance, whatever the time: the caller
    /// compares `exp` with the service's clock and `jti` with the leaver's row.
    pub fn read_leaver_link(
        &self,
        token: &str,
        export_id: &str,
    ) -> Result<LeaverLink, SigningError> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[LEAVER_AUDIENCE]);
        validation.set_issuer(&[&self.instance]);
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<LeaverLink>(token, &self.decoding, &validation)
            .map_err(SigningError::Invalid)?;
        if data.claims.sub == export_id {
            Ok(data.claims)
        } else {
            Err(SigningError::Invalid(jsonwebtoken::errors::ErrorKind::InvalidSubject.into()))
        }
    }
}

/// Checks a manifest.sig against a raw Ed25519 public key (this instance's or a trusted one).
pub fn verify_manifest_with(public_key: &[u8], jws: &str) -> Result<SignatureClaims, SigningError> {
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<SignatureClaims>(jws, &DecodingKey::from_ed_der(public_key), &validation)
        .map(|d| d.claims)
        .map_err(SigningError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> InstanceSigner {
        let key = generate_key().expect("key");
        InstanceSigner::from_pkcs8(&key.pkcs8, "ent-a").expect("signer")
    }

    #[test]
    fn manifests_sign_and_verify() {
        let ours = signer();
        let jws = ours.sign_manifest("archive-1", "ab12").expect("sign");
        let claims = ours.verify_manifest(&jws).expect("verifies");
        assert_eq!(claims.archive_id, "archive-1");
        assert_eq!(claims.manifest_sha256, "ab12");
        assert_eq!(claims.iss, "ent-a");
        let other = signer();
        assert!(other.verify_manifest(&jws).is_err(), "another key does not verify it");
        let mut tampered = jws.clone();
        tampered.insert(jws.find('.').expect("dot") + 3, 'x');
        assert!(ours.verify_manifest(&tampered).is_err());
    }

    #[test]
    fn links_are_bound_to_their_export() {
        let signer = signer();
        let link = signer.mint_link("export-1", 60).expect("mint");
        assert!(signer.verify_link(&link, "export-1").is_ok());
        assert!(signer.verify_link(&link, "export-2").is_err());
        assert!(signer.verify_link(&format!("{link}x"), "export-1").is_err());
        // A manifest signature is not a link.
        let jws = signer.sign_manifest("export-1", "00").expect("sign");
        assert!(signer.verify_link(&jws, "export-1").is_err());
    }

    #[test]
    fn a_leaver_link_is_no_short_link_and_names_its_export_and_link_id() {
        let signer = signer();
        let until = chrono::Utc::now() + chrono::Duration::days(60);
        let token = signer.mint_leaver_link("export-1", "link-a", until).expect("mint");
        let read = signer.read_leaver_link(&token, "export-1").expect("reads");
        assert_eq!((read.jti.as_str(), read.exp), ("link-a", until.timestamp()));
        assert!(signer.read_leaver_link(&token, "export-2").is_err());
        assert!(signer.verify_link(&token, "export-1").is_err(), "not a short link");
        let short = signer.mint_link("export-1", 60).expect("mint");
        assert!(signer.read_leaver_link(&short, "export-1").is_err(), "nor the other way");
        let past = chrono::Utc::now() - chrono::Duration::days(1);
        let old = signer.mint_leaver_link("export-1", "link-a", past).expect("mint");
        assert!(signer.read_leaver_link(&old, "export-1").is_ok(), "the caller judges the time");
    }
}
