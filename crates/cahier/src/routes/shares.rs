use actix_web::{HttpResponse, post, web};
use mesdonnees_shared::UserId;
use serde::Deserialize;

use crate::auth::User;
use crate::models::{self, Share};
use crate::problem::Problem;
use crate::queries;
use crate::routes::owned_entry;
use crate::state::Ctx;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    user_id: String,
}

/// Gives another user read access to an entry; sharing again changes nothing.
#[post("/api/entries/{id}/shares")]
pub async fn share_entry(
    ctx: Ctx,
    user: User,
    path: web::Path<String>,
    input: web::Json<ShareInput>,
) -> Result<HttpResponse, Problem> {
    let reader =
        UserId::parse(&input.user_id).map_err(|e| Problem::invalid(format!("user_id: {e}")))?;
    if reader == user.id {
        return Err(Problem::invalid("an entry is not shared with its owner"));
    }
    let entry = owned_entry(&ctx, user.id.as_str(), &path).await?;
    let share =
        Share { entry_id: entry.id, user_id: reader.to_string(), created_at: models::now() };
    ctx.db.run(move |conn| Ok(queries::share(conn, &share)?)).await?;
    Ok(HttpResponse::NoContent().finish())
}
