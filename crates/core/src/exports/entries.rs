//! The files of a ready archive, in archive order, for a preview.

use mesdonnees_db::{ExportEntry, exports};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;

use super::owned;
use crate::listing::{self, Listed};
use crate::{Actor, Error};

/// A page of the archive's files; its listing exists once the export is ready.
pub async fn entries(
    ctx: &Context,
    actor: &Actor,
    raw_id: &str,
    number: Option<i64>,
    size: Option<i64>,
) -> Result<Listed<ExportEntry>, Error> {
    let export = owned(ctx, actor, raw_id).await?;
    if export.status != "ready" {
        return Err(Error::conflict(
            ErrorCode::NotReady,
            format!("the export is {}, its listing exists once it is ready", export.status),
        ));
    }
    let page = listing::page(ctx, number, size)?;
    let found = ctx.db.run(move |conn| exports::entries(conn, &export.id, page)).await?;
    Ok(Listed::of(page, found))
}
