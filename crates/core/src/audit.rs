//! The audit log: what an administrator or an operator did for a user. A user acting on their
//! own data is not recorded.

use mesdonnees_db::{AuditEntry, audit};
use mesdonnees_infra::Context;
use mesdonnees_shared::{DocumentId, ErrorCode, UserId};

use crate::listing::{self, Listed};
use crate::{Actor, Error};

/// Appends one entry: the actor did `action` for the user it acts for, on `resource` if any.
/// Called once the action has happened, so a failure here is the request's failure rather
/// than silence.
pub async fn record(
    ctx: &Context,
    actor: &Actor,
    action: &str,
    resource: Option<&str>,
) -> Result<(), Error> {
    let Some(actor_id) = actor.audit_name() else { return Ok(()) };
    let entry = AuditEntry {
        id: DocumentId::new().to_string(),
        actor_id,
        action: action.to_owned(),
        target_user_id: Some(actor.owner().to_string()),
        resource_id: resource.map(str::to_owned),
        created_at: mesdonnees_db::models::now(),
    };
    ctx.db.transaction(move |conn| audit::record(conn, &entry)).await?;
    Ok(())
}

/// The log, newest first, optionally only what was done for `user`.
pub async fn list(
    ctx: &Context,
    user: Option<String>,
    number: Option<i64>,
    size: Option<i64>,
) -> Result<Listed<AuditEntry>, Error> {
    let page = listing::page(ctx, number, size)?;
    // A filter that names no possible user is a mistake to say, not an empty page.
    if let Some(raw) = &user {
        UserId::parse(raw)
            .map_err(|e| Error::invalid(ErrorCode::InvalidId, format!("user_id: {e}")))?;
    }
    let found = ctx.db.run(move |conn| audit::list(conn, user.as_deref(), page)).await?;
    Ok(Listed::of(page, found))
}
