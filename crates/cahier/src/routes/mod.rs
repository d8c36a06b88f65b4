//! The user-facing API under `/api`, and `/healthz`.

mod attachments;
mod entries;
mod shares;

use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::models::Entry;
use crate::problem::Problem;
use crate::queries::{self, Access};
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz)
        .service(entries::create_entry)
        .service(entries::list_entries)
        .service(entries::get_entry)
        .service(attachments::upload_attachment)
        .service(attachments::get_attachment_content)
        .service(shares::share_entry);
}

#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// An id from the URL: anything but a UUID names nothing.
fn parse_id(raw: &str, what: &str) -> Result<String, Problem> {
    Uuid::parse_str(raw).map(|id| id.to_string()).map_err(|_| Problem::not_found(what))
}

/// The entry if the user may see it; another user's entry is not found, not forbidden, so its
/// existence is not revealed.
async fn visible_entry(ctx: &Ctx, user: &str, raw_id: &str) -> Result<(Entry, Access), Problem> {
    let id = parse_id(raw_id, "entry")?;
    let user = user.to_owned();
    ctx.db
        .run(move |conn| Ok(queries::find_visible(conn, &user, &id)?))
        .await?
        .ok_or_else(|| Problem::not_found("entry"))
}

/// The entry if the user owns it; a reader is told they may not change it.
async fn owned_entry(ctx: &Ctx, user: &str, raw_id: &str) -> Result<Entry, Problem> {
    match visible_entry(ctx, user, raw_id).await? {
        (entry, Access::Owner) => Ok(entry),
        (_, Access::Reader) => Err(Problem::new(
            actix_web::http::StatusCode::FORBIDDEN,
            crate::problem::codes::FORBIDDEN,
            "only the owner of an entry may change it",
        )),
    }
}
