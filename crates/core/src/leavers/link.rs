//! A leaver's link at download time: signed by this instance for this export, carrying the
//! leaver's current link id (a revocation changes it), and before the closing date by the
//! service's clock. The link's own end is checked here rather than by the token library, which
//! reads the system's time and would answer an expired link with the vague `invalid_link`.

use mesdonnees_db::{audit, leavers};
use mesdonnees_infra::Context;
use mesdonnees_infra::signing::InstanceSigner;
use mesdonnees_shared::ErrorCode;

use super::{SYSTEM, entry};
use crate::Error;

/// Whether `token` is a leaver's link that opens `export_id` now.
pub async fn check_link(
    ctx: &Context,
    signer: &InstanceSigner,
    token: &str,
    export_id: &str,
) -> Result<(), Error> {
    let invalid = || Error::Forbidden {
        code: ErrorCode::InvalidLink,
        detail: "this download link is invalid or has expired; ask for a new one".into(),
    };
    let claims = signer.read_leaver_link(token, export_id).map_err(|_| invalid())?;
    let id = export_id.to_owned();
    let leaver =
        ctx.db.run(move |conn| leavers::find_by_export(conn, &id)).await?.ok_or_else(invalid)?;
    if claims.jti != leaver.link_id {
        return Err(Error::Forbidden {
            code: ErrorCode::LinkRevoked,
            detail: "this link was revoked; the school can send a new one".into(),
        });
    }
    let now = ctx.clock.now();
    if leaver.expired_at.is_some()
        || now.naive_utc() >= leaver.until_at
        || now.timestamp() >= claims.exp
    {
        return Err(Error::Gone {
            code: ErrorCode::LeaveWindowClosed,
            detail: "the account has closed; this link no longer works".into(),
        });
    }
    Ok(())
}

/// Records that a leaver's export was downloaded (the first time only), which ends their
/// reminders; nothing for any other export.
pub async fn downloaded(ctx: &Context, export_id: &str) -> Result<(), Error> {
    let id = export_id.to_owned();
    let at = ctx.clock.now().naive_utc();
    ctx.db
        .transaction(move |conn| {
            if let Some(user) = leavers::mark_downloaded(conn, &id, at)? {
                audit::record(conn, &entry(SYSTEM, "leaver.download", &user, Some(&id)))?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}
