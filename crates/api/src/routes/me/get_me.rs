use actix_web::{HttpResponse, get};
use serde::Serialize;

use crate::auth::AuthUser;
use crate::routes::Ctx;

/// The caller as the token describes them, and what this instance offers them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The user id, from the claim `auth.claims.user_id` names.
    id: String,
    name: Option<String>,
    /// The e-mail address the token carries; « m'avertir par e-mail » uses it by default.
    email: Option<String>,
    /// The rights this service sees, after `auth.claims.rights_map`.
    rights: Vec<String>,
    /// Whether this instance sends e-mail (SMTP configured); when not, no e-mail is offered.
    email_available: bool,
}

/// Who the caller is, as this service reads their token.
#[utoipa::path(tag = "me", responses((status = 200, body = Me)), security(("bearer" = [])))]
#[get("/me")]
pub async fn get_me(ctx: Ctx, user: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        id: user.id.to_string(),
        name: user.name,
        email: user.email,
        rights: user.rights,
        email_available: ctx.mailer.is_some(),
    })
}
