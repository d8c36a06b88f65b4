//! Bearer tokens: the ENT's user tokens on `/api`, mesdonnees' service tokens on `/connector`.
//! A handler that takes [`User`] or [`Service`] is authenticated. Tokens are never logged.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mesdonnees_shared::UserId;
use mesdonnees_shared::connector::{SERVICE_TOKEN_ISSUER, ServiceClaims};
use serde::Deserialize;

use crate::config::Config;
use crate::problem::Problem;
use crate::state::State;

/// Longest Authorization header read.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock difference tolerated between the token's issuer and this service.
const LEEWAY_SECS: u64 = 30;

pub struct Keys {
    user: (DecodingKey, Validation),
    service: (DecodingKey, Validation),
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").finish_non_exhaustive()
    }
}

fn hs256(issuer: &str, audience: &str, required: &[&str]) -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(required);
    validation.leeway = LEEWAY_SECS;
    validation
}

impl Keys {
    pub fn new(config: &Config) -> Self {
        let users = &config.user_tokens;
        Self {
            user: (
                DecodingKey::from_secret(users.secret.expose().as_bytes()),
                hs256(&users.issuer, &users.audience, &["exp", "sub", "iss", "aud"]),
            ),
            service: (
                DecodingKey::from_secret(config.service_secret.expose().as_bytes()),
                hs256(SERVICE_TOKEN_ISSUER, &config.app_id, &["exp", "iss", "aud"]),
            ),
        }
    }
}

/// The claims of an ENT user token this service reads.
#[derive(Debug, Deserialize)]
struct UserClaims {
    sub: String,
}

/// The user of an `/api` call.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
}

/// A call from mesdonnees on `/connector`.
#[derive(Debug, Clone)]
pub struct Service {
    pub claims: ServiceClaims,
}

impl FromRequest for User {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(verify::<UserClaims>(req, |keys| &keys.user).and_then(|claims| {
            let id = UserId::parse(&claims.sub).map_err(|_| {
                Problem::unauthenticated("the token subject is not a valid user id")
            })?;
            Ok(Self { id })
        }))
    }
}

impl FromRequest for Service {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(verify::<ServiceClaims>(req, |keys| &keys.service).map(|claims| Self { claims }))
    }
}

fn verify<C: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    key: impl Fn(&Keys) -> &(DecodingKey, Validation),
) -> Result<C, Problem> {
    let state = req
        .app_data::<web::Data<State>>()
        .ok_or_else(|| Problem::unauthenticated("this route is not served here"))?;
    let token = bearer(req)?;
    let (decoding, validation) = key(&state.keys);
    jsonwebtoken::decode::<C>(token, decoding, validation).map(|d| d.claims).map_err(|e| {
        Problem::unauthenticated(match e.kind() {
            ErrorKind::ExpiredSignature => "the token has expired",
            ErrorKind::InvalidAudience => "the token is for another audience",
            ErrorKind::InvalidIssuer => "the token is from another issuer",
            ErrorKind::InvalidAlgorithm => {
                "the token is signed with an algorithm this service refuses"
            }
            ErrorKind::InvalidSignature => "the token signature is invalid",
            ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
            _ => "the token is malformed",
        })
    })
}

fn bearer(req: &HttpRequest) -> Result<&str, Problem> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| Problem::unauthenticated("a bearer token is required"))?;
    if value.len() > MAX_TOKEN_BYTES {
        return Err(Problem::unauthenticated("the token is too long"));
    }
    let value = value
        .to_str()
        .map_err(|_| Problem::unauthenticated("the Authorization header is not readable"))?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Problem::unauthenticated("the Authorization header is not a bearer token"))
}
