//! Short-lived signed download links to a ready export, or to a published part of an export in
//! parts: a presigned URL of the store when it has one, else this service's download route with
//! a token signed by the instance key.

use std::time::Duration;

use chrono::{DateTime, Utc};
use mesdonnees_db::Export;
use mesdonnees_infra::Context;
use mesdonnees_infra::storage::Presigner;
use mesdonnees_shared::ErrorCode;

use super::owned;
use crate::{Actor, Error, audit};

/// A link that downloads the archive without a bearer header until `expires_at`.
#[derive(Debug)]
pub struct Link {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// A link to one of the owner's ready exports. `disposition` makes the `Content-Disposition`
/// value of a file name, which a presigned URL asks the store to answer with. `reached_at` is
/// the origin the request came to, for a link of this service when `http.public_url` is not
/// set: a page of another origin resolves a relative link against its own.
pub async fn link(
    ctx: &Context,
    actor: &Actor,
    raw_id: &str,
    reached_at: Option<&str>,
    disposition: impl Fn(&str) -> String,
) -> Result<Link, Error> {
    let export = owned(ctx, actor, raw_id).await?;
    if export.status != "ready" {
        return Err(Error::conflict(
            ErrorCode::NotReady,
            format!("the export is {}; links exist once it is ready", export.status),
        ));
    }
    let Some(key) = &export.object_key else {
        return Err(Error::unexpected(anyhow::anyhow!("ready export without an archive")));
    };
    let options = export.export_options()?;
    let target = Target {
        key,
        file_name: &format!("{}.{}", export.name, options.extension()),
        content_type: options.content_type(),
        route: &format!("/api/v1/exports/{}/download", export.id),
    };
    let made = signed(ctx, &export, &target, reached_at, disposition).await?;
    audit::record(ctx, actor, "export.link", Some(raw_id)).await?;
    Ok(made)
}

/// A link to one published part of the owner's export in parts, as soon as it is published
/// (the export may still be `running`), like the part's download route.
pub async fn part_link(
    ctx: &Context,
    actor: &Actor,
    (raw_id, part): (&str, u32),
    reached_at: Option<&str>,
    disposition: impl Fn(&str) -> String,
) -> Result<Link, Error> {
    let export = owned(ctx, actor, raw_id).await?;
    let ready = super::parts::published(ctx, &export, part).await?;
    let target = Target {
        key: &ready.key,
        file_name: &ready.file_name,
        content_type: ready.content_type,
        route: &format!("/api/v1/exports/{}/parts/{part}/download", export.id),
    };
    let made = signed(ctx, &export, &target, reached_at, disposition).await?;
    audit::record(ctx, actor, "export.part_link", Some(raw_id)).await?;
    Ok(made)
}

/// What a link opens: an object of the store, or this service's route that serves it.
struct Target<'a> {
    key: &'a str,
    file_name: &'a str,
    content_type: &'a str,
    route: &'a str,
}

async fn signed(
    ctx: &Context,
    export: &Export,
    target: &Target<'_>,
    reached_at: Option<&str>,
    disposition: impl Fn(&str) -> String,
) -> Result<Link, Error> {
    let ttl = ctx.config.exports.link_ttl_secs;
    let expires_at = Utc::now() + chrono::Duration::seconds(i64::try_from(ttl).unwrap_or(300));
    let url = if let Some(presigner) = &ctx.storage.presigner {
        presigned_url(presigner, target, ttl, disposition).await?
    } else {
        api_link(ctx, export, target, ttl, reached_at).await?
    };
    Ok(Link { url, expires_at })
}

/// A GET of the object signed for the store itself; the store answers with the file name and
/// type the API's own download would give.
async fn presigned_url(
    presigner: &Presigner,
    target: &Target<'_>,
    ttl: u64,
    disposition: impl Fn(&str) -> String,
) -> Result<String, Error> {
    let disposition = disposition(target.file_name);
    let response = [
        ("response-content-disposition", disposition.as_str()),
        ("response-content-type", target.content_type),
    ];
    let url = presigner
        .get_url(target.key, Duration::from_secs(ttl), &response)
        .await
        .map_err(Error::unexpected)?;
    Ok(url.to_string())
}

/// This service's route with a token signed by the instance key for the export.
async fn api_link(
    ctx: &Context,
    export: &Export,
    target: &Target<'_>,
    ttl: u64,
    reached_at: Option<&str>,
) -> Result<String, Error> {
    let signer = ctx.signer().await.map_err(Error::unexpected)?;
    let token = signer.mint_link(&export.id, ttl).map_err(Error::unexpected)?;
    let base = ctx.config.http.public_url.as_deref().or(reached_at).unwrap_or("");
    let base = base.trim_end_matches('/');
    Ok(format!("{base}{}?token={token}", target.route))
}
