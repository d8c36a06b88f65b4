//! The parts of an export written in parts: listed, and each downloaded, as soon as it is
//! published — while the export is still `running` the first parts can be fetched. A part is
//! served by the owner or through a signed link to the export, like the whole archive.

use mesdonnees_db::{ExportPart, export_parts};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::exports::part_file_name;

use super::download::{Access, Ready, export_for};
use super::owned;
use crate::{Actor, Error};

/// The parts published so far, in order, and how many the export will have (0 for an export
/// written as one archive, or before its plan is made).
pub async fn parts(
    ctx: &Context,
    actor: &Actor,
    raw_id: &str,
) -> Result<(Vec<ExportPart>, u32), Error> {
    let export = owned(ctx, actor, raw_id).await?;
    let parts = ctx.db.run(move |conn| export_parts::list(conn, &export.id)).await?;
    let total = parts.first().map_or(0, |p| u32::try_from(p.parts_total).unwrap_or(0));
    Ok((parts, total))
}

/// One published part, to serve.
pub async fn download_part(
    ctx: &Context,
    access: Access<'_>,
    raw_id: &str,
    part: u32,
) -> Result<Ready, Error> {
    let export = export_for(ctx, access, raw_id).await?;
    published(ctx, &export, part).await
}

/// The part `part` of `export`, once published and while the export can be downloaded.
pub(super) async fn published(
    ctx: &Context,
    export: &mesdonnees_db::Export,
    part: u32,
) -> Result<Ready, Error> {
    if export.status == "expired" {
        return Err(Error::Gone {
            code: ErrorCode::ExportExpired,
            detail: "this archive has expired".into(),
        });
    }
    let id = export.id.clone();
    let found = ctx.db.run(move |conn| export_parts::find(conn, &id, i64::from(part))).await?;
    let Some(found) = found.filter(|_| matches!(export.status.as_str(), "running" | "ready"))
    else {
        return Err(Error::conflict(
            ErrorCode::NotReady,
            format!("part {part} is not written yet; it can be downloaded once published"),
        ));
    };
    let total = u32::try_from(found.parts_total).unwrap_or(0);
    if part == 0 || part > total {
        return Err(Error::NotFound("export part"));
    }
    Ok(Ready {
        key: found.object_key,
        size: u64::try_from(found.size).unwrap_or(0),
        sha256: found.sha256,
        file_name: part_file_name(part, total),
        content_type: "application/zip",
    })
}
