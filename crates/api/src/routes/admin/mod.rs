//! The admin API: what an administrator (a token holding `auth.admin_right`) does for a user
//! it names — export their data, list their exports and imports, cancel or delete an export —
//! and the audit log every such action is written to.

mod create_user_export;
mod delete_user_export;
mod list_audit;
mod list_user_exports;
mod list_user_imports;

pub use create_user_export::*;
pub use delete_user_export::*;
pub use list_audit::*;
pub use list_user_exports::*;
pub use list_user_imports::*;

use mesdonnees_db::{AuditEntry, audit};
use mesdonnees_shared::{DocumentId, UserId};

use crate::auth::{AdminUser, AuthUser};
use crate::error::ApiError;
use crate::routes::Ctx;

/// The user a route names, parsed like a token's `sub`.
fn target(raw: &str) -> Result<AuthUser, ApiError> {
    let id = UserId::parse(raw).map_err(|_| ApiError::NotFound("user"))?;
    Ok(AuthUser { id, name: None, rights: Vec::new() })
}

/// The create rights of every app this instance has.
pub(crate) fn operator_rights(ctx: &mesdonnees_infra::Context) -> Vec<String> {
    let mut rights: Vec<String> = ctx.apps().into_iter().map(|a| a.create_right).collect();
    rights.sort();
    rights.dedup();
    rights
}

/// Writes what the administrator did; the action has happened, so a failure here is an
/// error of the request (logged, 500) rather than silence.
async fn audit(
    ctx: &Ctx,
    admin: &AdminUser,
    action: &'static str,
    user: &str,
    resource: Option<&str>,
) -> Result<(), ApiError> {
    record(ctx, &admin.0.id.to_string(), action, user, resource).await
}

/// Appends one entry to the audit log: `actor` did `action` for `user`.
pub(crate) async fn record(
    ctx: &mesdonnees_infra::Context,
    actor: &str,
    action: &str,
    user: &str,
    resource: Option<&str>,
) -> Result<(), ApiError> {
    let entry = AuditEntry {
        id: DocumentId::new().to_string(),
        actor_id: actor.to_owned(),
        action: action.to_owned(),
        target_user_id: Some(user.to_owned()),
        resource_id: resource.map(str::to_owned),
        created_at: mesdonnees_db::models::now(),
    };
    ctx.db.transaction(move |conn| audit::record(conn, &entry)).await?;
    Ok(())
}
