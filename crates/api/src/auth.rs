//! The bearer-token extractor: a handler that takes [`AuthUser`] is authenticated.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jsonwebtoken::errors::ErrorKind;
use mesdonnees_infra::Context;
use mesdonnees_shared::UserId;

use crate::error::ApiError;

/// Longest Authorization header read; a JWT with a long rights list stays well under.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The authenticated caller, from a verified token.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: UserId,
    pub name: Option<String>,
    pub rights: Vec<String>,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

/// An authenticated caller holding the configured admin right (`auth.admin_right`); any other
/// token is refused with 403.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|user| {
            let ctx = req.app_data::<web::Data<Context>>().ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!("context missing from the app"))
            })?;
            if user.rights.contains(&ctx.config.auth.admin_right) {
                Ok(Self(user))
            } else {
                Err(ApiError::Forbidden {
                    code: mesdonnees_shared::ErrorCode::Forbidden,
                    detail: "this route is for administrators".into(),
                })
            }
        }))
    }
}

pub(crate) fn authenticate(req: &HttpRequest) -> Result<AuthUser, ApiError> {
    let ctx = req
        .app_data::<web::Data<Context>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("context missing from the app")))?;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthenticated("a bearer token is required"))?;
    if value.len() > MAX_TOKEN_BYTES {
        return Err(ApiError::Unauthenticated("the token is too long"));
    }
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthenticated("the Authorization header is not readable"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthenticated("the Authorization header is not a bearer token"))?;
    let claims = ctx.keys.verify(token).map_err(|e| match e.kind() {
        ErrorKind::ExpiredSignature => ApiError::TokenExpired,
        ErrorKind::InvalidAudience => {
            ApiError::Unauthenticated("the token is for another audience")
        }
        ErrorKind::InvalidIssuer => ApiError::Unauthenticated("the token is from another issuer"),
        ErrorKind::InvalidAlgorithm => {
            ApiError::Unauthenticated("the token is signed with an algorithm this service refuses")
        }
        ErrorKind::InvalidSignature => ApiError::Unauthenticated("the token signature is invalid"),
        ErrorKind::MissingRequiredClaim(_) => {
            ApiError::Unauthenticated("the token lacks a required claim")
        }
        _ => ApiError::Unauthenticated("the token is malformed"),
    })?;
    let id = UserId::parse(&claims.sub)
        .map_err(|_| ApiError::Unauthenticated("the token subject is not a valid user id"))?;
    Ok(AuthUser { id, name: claims.name, rights: claims.rights })
}

impl AuthUser {
    /// The use cases' actor: this caller, acting on their own data.
    pub fn actor(&self) -> mesdonnees_core::Actor {
        mesdonnees_core::Actor::User(mesdonnees_core::Caller {
            id: self.id.clone(),
            name: self.name.clone(),
            rights: self.rights.clone(),
        })
    }
}

impl AdminUser {
    /// The use cases' actor: this administrator, acting for `user`.
    pub fn acting_for(&self, user: UserId) -> mesdonnees_core::Actor {
        mesdonnees_core::Actor::Admin { admin: self.0.id.clone(), user }
    }
}
