//! The user's timeline: what the jobs told them, newest first, and an entry marked read.

use mesdonnees_db::{Notification, notifications};
use mesdonnees_infra::Context;
use mesdonnees_shared::DocumentId;

use crate::listing::{self, Listed};
use crate::{Actor, Error};

/// A page of the timeline and how many entries of it all are unread.
#[derive(Debug)]
pub struct Timeline {
    pub listed: Listed<Notification>,
    pub unread: i64,
}

/// The owner's timeline, newest first.
pub async fn list(
    ctx: &Context,
    actor: &Actor,
    page: Option<i64>,
    per_page: Option<i64>,
) -> Result<Timeline, Error> {
    let page = listing::page(ctx, page, per_page)?;
    let owner = actor.owner().to_string();
    let (rows, unread) = ctx
        .db
        .run(move |conn| {
            let rows = notifications::list(conn, &owner, page)?;
            Ok((rows, notifications::count_unread(conn, &owner)?))
        })
        .await?;
    Ok(Timeline { listed: Listed::of(page, rows), unread })
}

/// Marks one of the owner's notifications read; another user's is not found.
pub async fn mark_read(
    ctx: &Context,
    actor: &Actor,
    id: &DocumentId,
) -> Result<Notification, Error> {
    let owner = actor.owner().to_string();
    let id = id.to_string();
    ctx.db
        .run(move |conn| notifications::mark_read(conn, &owner, &id))
        .await?
        .ok_or(Error::NotFound("notification"))
}
