//! Who may download an export's archive, and what is served: the owner, or anyone holding a
//! signed link to it (short-lived, or a leaver's), once it is ready and until it expires. A
//! download by the user or a link counts as a leaver's download; a mere check that the file is
//! there (HTTP `HEAD`, as link checkers and mail scanners send) does not, or a scanned e-mail
//! would stop a leaver's reminders.

use mesdonnees_db::exports;
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;

use super::{owned, parse_id};
use crate::{Actor, Error};

/// How the download is authorised.
#[derive(Debug, Clone, Copy)]
pub enum Access<'a> {
    /// A signed link's token, as `exports::link` makes them.
    Link(&'a str),
    /// The export's owner (or whoever acts for them).
    Owner(&'a Actor),
    /// An authenticated caller who also sent a link's token: their own export is served as
    /// theirs whatever the token says (a stale link left in a bookmark must not lock the owner
    /// out); anyone else's only through a valid link.
    OwnerOrLink(&'a Actor, &'a str),
}

/// What the caller does with the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Reads it.
    Read,
    /// Only checks that it is there and what it is (HTTP `HEAD`).
    Check,
}

/// The stored file to serve.
#[derive(Debug)]
pub struct Ready {
    pub key: String,
    pub size: u64,
    /// Hex SHA-256 of the file: its strong validator.
    pub sha256: String,
    pub file_name: String,
    pub content_type: &'static str,
}

pub async fn download(
    ctx: &Context,
    access: Access<'_>,
    raw_id: &str,
    intent: Intent,
) -> Result<Ready, Error> {
    let export = export_for(ctx, access, raw_id).await?;
    // The user themselves, or a link: a leaver's download ends their reminders. An
    // administrator's does not.
    let by_user = match access {
        Access::Owner(actor) | Access::OwnerOrLink(actor, _) => matches!(actor, Actor::User(_)),
        Access::Link(_) => true,
    };
    match export.status.as_str() {
        "ready" => {}
        "expired" => {
            return Err(Error::Gone {
                code: ErrorCode::ExportExpired,
                detail: "this archive has expired".into(),
            });
        }
        other => {
            return Err(Error::conflict(
                ErrorCode::NotReady,
                format!("the export is {other}; it can be downloaded once ready"),
            ));
        }
    }
    let options = export.export_options()?;
    let (Some(key), Some(size), Some(sha256)) = (export.object_key, export.size, export.sha256)
    else {
        return Err(Error::unexpected(anyhow::anyhow!("ready export without an archive")));
    };
    if by_user && intent == Intent::Read {
        crate::leavers::downloaded(ctx, &export.id).await?;
    }
    Ok(Ready {
        key,
        size: u64::try_from(size).unwrap_or(0),
        sha256,
        file_name: format!("{}.{}", export.name, options.extension()),
        content_type: options.content_type(),
    })
}

/// The export the access opens.
pub(super) async fn export_for(
    ctx: &Context,
    access: Access<'_>,
    raw_id: &str,
) -> Result<mesdonnees_db::Export, Error> {
    Ok(match access {
        Access::Link(token) => linked(ctx, token, raw_id).await?,
        Access::Owner(actor) => owned(ctx, actor, raw_id).await?,
        Access::OwnerOrLink(actor, token) => match owned(ctx, actor, raw_id).await {
            Err(Error::NotFound(_)) => linked(ctx, token, raw_id).await?,
            other => other?,
        },
    })
}

/// The export a signed link's token opens.
async fn linked(ctx: &Context, token: &str, raw_id: &str) -> Result<mesdonnees_db::Export, Error> {
    let export_id = parse_id(raw_id)?;
    let signer = ctx.signer().await.map_err(Error::unexpected)?;
    // A short-lived link, or else a leaver's (which says why it no longer opens).
    if signer.verify_link(token, &export_id).is_err() {
        crate::leavers::check_link(ctx, &signer, token, &export_id).await?;
    }
    ctx.db.run(move |conn| exports::find(conn, &export_id)).await?.ok_or(Error::NotFound("export"))
}
