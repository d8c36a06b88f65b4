use actix_web::{HttpResponse, put, web};
use chrono::{DateTime, Utc};
use mesdonnees_core::leavers::{self, Closing, Declaration, Declared};
use mesdonnees_shared::Lang;
use serde::Deserialize;

use super::LeaverView;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::json::Json;
use crate::routes::Ctx;
use crate::routes::admin::acting;

/// A user leaving: when their account closes, where to write to them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareLeaver {
    /// When their account closes: after now, at most `leavers.max_window_days` ahead.
    until: DateTime<Utc>,
    /// Their e-mail address; kept from an earlier declaration when absent.
    email: Option<String>,
    /// A guardian's address, written to instead of theirs (a minor); kept when absent.
    guardian_email: Option<String>,
    /// `fr` (the default) or `en`: the language they are written to in; kept when absent.
    #[schema(value_type = Option<String>, pattern = "^(fr|en)$")]
    lang: Option<Lang>,
}

/// Declares a user as leaving, or declares them again (a new date, new addresses, a new link
/// after a revocation). An export of all their data is prepared at once; they are told in
/// their timeline and by e-mail with a link that downloads it without logging in until the
/// date, and reminded while they have not. Declaring twice never prepares two exports.
/// Recorded in the audit log.
#[utoipa::path(
    tag = "admin",
    params(("user_id" = String, Path, description = "the user who is leaving")),
    request_body = DeclareLeaver,
    responses(
        (status = 201, description = "declared", body = LeaverView),
        (status = 200, description = "declared again", body = LeaverView),
        (status = 403, description = "not an administrator", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 404, description = "not a user id", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "a closing date in the past or too far ahead, or a bad address", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/admin/leavers/{user_id}")]
pub async fn declare_leaver(
    ctx: Ctx,
    admin: AdminUser,
    user_id: web::Path<String>,
    body: Json<DeclareLeaver>,
) -> Result<HttpResponse, ApiError> {
    let actor = acting(&admin, &user_id)?;
    let DeclareLeaver { until, email, guardian_email, lang } = body.into_inner();
    let draft = Declaration { until: Closing::At(until), email, guardian_email, lang };
    Ok(match leavers::declare(&ctx, &actor, draft).await? {
        Declared::New(viewed) => HttpResponse::Created()
            .insert_header(("Location", format!("/api/v1/admin/leavers/{user_id}")))
            .json(LeaverView::from(*viewed)),
        Declared::Changed(viewed) => HttpResponse::Ok().json(LeaverView::from(*viewed)),
    })
}
