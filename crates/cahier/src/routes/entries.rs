use actix_web::{HttpResponse, get, post, web};

use crate::auth::User;
use crate::entry::{AttachmentView, EntryInput, EntryView};
use crate::models::{Attachment, Entry};
use crate::problem::Problem;
use crate::queries;
use crate::routes::visible_entry;
use crate::state::Ctx;

fn view(viewer: &str, (entry, files): (Entry, Vec<Attachment>)) -> EntryView {
    EntryView::new(entry, viewer, files.iter().map(AttachmentView::from).collect())
}

#[post("/api/entries")]
pub async fn create_entry(
    ctx: Ctx,
    user: User,
    input: web::Json<EntryInput>,
) -> Result<HttpResponse, Problem> {
    let fields = input.into_inner().validate().map_err(Problem::invalid)?;
    let entry = fields.into_entry(user.id.to_string(), None);
    let row = entry.clone();
    ctx.db.run(move |conn| Ok(queries::insert_entry(conn, &row)?)).await?;
    Ok(HttpResponse::Created().json(view(user.id.as_str(), (entry, Vec::new()))))
}

/// The entries the user owns or that are shared with them, newest first.
#[get("/api/entries")]
pub async fn list_entries(ctx: Ctx, user: User) -> Result<HttpResponse, Problem> {
    let viewer = user.id.to_string();
    let entries = ctx
        .db
        .run(move |conn| {
            let entries = queries::list_visible(conn, &viewer)?;
            Ok(queries::with_attachments(conn, entries)?)
        })
        .await?;
    let views: Vec<EntryView> = entries.into_iter().map(|e| view(user.id.as_str(), e)).collect();
    Ok(HttpResponse::Ok().json(views))
}

#[get("/api/entries/{id}")]
pub async fn get_entry(
    ctx: Ctx,
    user: User,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let (entry, _) = visible_entry(&ctx, user.id.as_str(), &path).await?;
    let found = ctx.db.run(move |conn| Ok(queries::with_attachments(conn, vec![entry])?)).await?;
    let entry = found.into_iter().next().ok_or_else(|| Problem::not_found("entry"))?;
    Ok(HttpResponse::Ok().json(view(user.id.as_str(), entry)))
}
