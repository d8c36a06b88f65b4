//! What an export would hold, app by app, and whether it fits the owner's archive quota.

use std::collections::BTreeMap;

use chrono::Utc;
use mesdonnees_db::exports;
use mesdonnees_infra::Context;
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::{COMMON_FIELDS, ExportKind};

use super::settings::{check_folders, filter_error, resolve_apps};
use super::size::{AppSize, Shape, sizes_in, total};
use crate::{Actor, Error};

/// The estimate of an export of `apps` (every app when `None`) filtered by `filters`.
#[derive(Debug)]
pub struct Estimate {
    pub apps: Vec<String>,
    /// Apps of `apps` left out of `files` and `bytes`: remote apps tell their size only as
    /// they export.
    pub unestimated_apps: Vec<String>,
    /// Each estimated app's part: files the archive would hold for it (rows, for a table) and
    /// their bytes (the table's, for a table).
    pub by_app: BTreeMap<String, AppSize>,
    /// The sum of `by_app`.
    pub files: u64,
    pub bytes: u64,
    /// Whether it fits in the quota next to the owner's ready archives.
    pub fits_quota: bool,
    pub quota_bytes: u64,
    pub used_bytes: u64,
}

/// The estimate of an export of `kind`; a table is sized with every common column, which is
/// what a table export has when it names none.
pub async fn estimate(
    ctx: &Context,
    actor: &Actor,
    apps: Option<Vec<String>>,
    filters: ExportFilters,
    kind: ExportKind,
) -> Result<Estimate, Error> {
    let apps = resolve_apps(ctx, apps)?;
    let filters = filters.validate(Utc::now()).map_err(|e| filter_error(&e))?;
    check_folders(ctx, actor, &filters).await?;
    let owner = actor.owner().to_string();
    let shape = Shape { kind, columns: COMMON_FIELDS.len() as u64 };
    let (for_apps, owner_again) = (apps.clone(), owner.clone());
    let by_app = ctx.db.run(move |conn| sizes_in(conn, &owner, &for_apps, &filters, shape)).await?;
    let used = ctx.db.run(move |conn| exports::ready_bytes(conn, &owner_again)).await?;
    let used = u64::try_from(used).unwrap_or(0);
    let quota = ctx.config.exports.user_archive_quota_bytes;
    let unestimated_apps =
        apps.iter().filter(|app| ctx.remote_app(app).is_some()).cloned().collect();
    let sum = total(&by_app);
    Ok(Estimate {
        apps,
        unestimated_apps,
        by_app,
        files: sum.files,
        bytes: sum.bytes,
        fits_quota: used.saturating_add(sum.bytes) <= quota,
        quota_bytes: quota,
        used_bytes: used,
    })
}
