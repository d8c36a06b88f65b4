//! What an export would hold, and whether it fits the owner's archive quota.

use chrono::Utc;
use mesdonnees_db::exports;
use mesdonnees_infra::Context;
use mesdonnees_shared::filters::ExportFilters;

use super::estimate_in;
use super::settings::{filter_error, resolve_apps};
use crate::{Actor, Error};

/// The estimate of an export of `apps` (every app when `None`) filtered by `filters`.
#[derive(Debug)]
pub struct Estimate {
    pub apps: Vec<String>,
    /// Apps of `apps` left out of `files` and `bytes`: remote apps tell their size only as
    /// they export.
    pub unestimated_apps: Vec<String>,
    /// Files the archive would hold (before compression).
    pub files: u64,
    pub bytes: u64,
    /// Whether it fits in the quota next to the owner's ready archives.
    pub fits_quota: bool,
    pub quota_bytes: u64,
    pub used_bytes: u64,
}

pub async fn estimate(
    ctx: &Context,
    actor: &Actor,
    apps: Option<Vec<String>>,
    filters: ExportFilters,
) -> Result<Estimate, Error> {
    let apps = resolve_apps(ctx, apps)?;
    let filters = filters.validate(Utc::now()).map_err(|e| filter_error(&e))?;
    let owner = actor.owner().to_string();
    let (for_apps, owner_again) = (apps.clone(), owner.clone());
    let (files, bytes) =
        ctx.db.run(move |conn| estimate_in(conn, &owner, &for_apps, &filters)).await?;
    let used = ctx.db.run(move |conn| exports::ready_bytes(conn, &owner_again)).await?;
    let used = u64::try_from(used).unwrap_or(0);
    let quota = ctx.config.exports.user_archive_quota_bytes;
    let unestimated_apps =
        apps.iter().filter(|app| ctx.remote_app(app).is_some()).cloned().collect();
    Ok(Estimate {
        apps,
        unestimated_apps,
        files,
        bytes,
        fits_quota: used.saturating_add(bytes) <= quota,
        quota_bytes: quota,
        used_bytes: used,
    })
}
