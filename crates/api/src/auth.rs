//! The bearer-token extractor: a handler that takes [`AuthUser`] is authenticated.
//!
//! The scheme is matched without regard to case (RFC 9110 §11.1: `BEARER` is `Bearer`).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::errors::ErrorKind;
use mesdonnees_infra::Context;
use mesdonnees_infra::auth::VerifyError;
use mesdonnees_infra::auth::jwks::LookupError;
use mesdonnees_shared::UserId;

use crate::error::ApiError;

/// Longest Authorization header read; a JWT with a long rights list stays well under.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The authenticated caller, from a verified token.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: UserId,
    pub name: Option<String>,
    /// The e-mail address the token carries, when it carries one.
    pub email: Option<String>,
    pub rights: Vec<String>,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

/// An authenticated caller holding the configured admin right (`auth.admin_right`); any other
/// token is refused with 403.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = authenticate(&req).await?;
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
        })
    }
}

pub(crate) async fn authenticate(req: &HttpRequest) -> Result<AuthUser, ApiError> {
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
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthenticated("the Authorization header is not a bearer token"))?;
    let identity = ctx.keys.identity(token).await.map_err(refusal)?;
    let id = UserId::parse(&identity.user_id)
        .map_err(|_| ApiError::Unauthenticated("the token's user id is not a valid user id"))?;
    Ok(AuthUser { id, name: identity.name, email: identity.email, rights: identity.rights })
}

/// Why a token is refused, in words that never echo it.
fn refusal(error: VerifyError) -> ApiError {
    let e = match error {
        VerifyError::Jwt(e) => e,
        VerifyError::UnknownCritical => {
            return ApiError::Unauthenticated(
                "the token names a critical extension this service does not understand",
            );
        }
        VerifyError::Claims(_) => {
            return ApiError::Unauthenticated("the token lacks the user id claim");
        }
        VerifyError::UnknownIssuer => {
            return ApiError::Unauthenticated("the token is from another issuer");
        }
        VerifyError::Key(LookupError::UnknownKey) => {
            return ApiError::Unauthenticated(
                "the token is signed with a key its issuer does not publish",
            );
        }
        VerifyError::Key(LookupError::Unavailable) => {
            return ApiError::Unauthenticated(
                "the keys of the token's issuer cannot be fetched now",
            );
        }
    };
    match e.kind() {
        ErrorKind::ExpiredSignature => ApiError::TokenExpired,
        ErrorKind::InvalidAudience => {
            ApiError::Unauthenticated("the token is for another audience")
        }
        ErrorKind::InvalidIssuer => ApiError::Unauthenticated("the token is from another issuer"),
        ErrorKind::InvalidAlgorithm => {
            ApiError::Unauthenticated("the token is signed with an algorithm this service refuses")
        }
        ErrorKind::InvalidSignature => ApiError::Unauthenticated("the token signature is invalid"),
        ErrorKind::ImmatureSignature => ApiError::Unauthenticated("the token is not valid yet"),
        ErrorKind::MissingRequiredClaim(_) => {
            ApiError::Unauthenticated("the token lacks a required claim")
        }
        _ => ApiError::Unauthenticated("the token is malformed"),
    }
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
