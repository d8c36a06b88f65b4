//! Following exports: one of them, or a page of them, newest first.

use mesdonnees_db::{Export, exports};
use mesdonnees_infra::Context;

use super::owned;
use crate::listing::{self, Listed};
use crate::{Actor, Error, audit};

/// One export of the owner's, with its progress while it is built.
pub async fn get(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<Export, Error> {
    let export = owned(ctx, actor, raw_id).await?;
    audit::record(ctx, actor, "export.get", Some(&export.id)).await?;
    Ok(export)
}

/// A page of the owner's exports, newest first.
pub async fn list(
    ctx: &Context,
    actor: &Actor,
    number: Option<i64>,
    size: Option<i64>,
) -> Result<Listed<Export>, Error> {
    let page = listing::page(ctx, number, size)?;
    let owner = actor.owner().to_string();
    let found = ctx.db.run(move |conn| exports::list(conn, &owner, page)).await?;
    audit::record(ctx, actor, "exports.list", None).await?;
    Ok(Listed::of(page, found))
}
