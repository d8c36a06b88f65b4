//! The admin API: what an administrator (a token holding `auth.admin_right`) does for a user
//! it names — export their data, follow and link an export, list their exports and imports,
//! import an archive into their account, cancel or delete an export, cancel an import — and
//! the audit log every such action is written to; and the leavers' window ([`leavers`]).

mod cancel_user_import;
mod create_user_export;
mod create_user_export_link;
mod create_user_import;
mod delete_user_export;
mod get_user_export;
pub mod leavers;
mod list_audit;
mod list_user_exports;
mod list_user_imports;

pub use cancel_user_import::*;
pub use create_user_export::*;
pub use create_user_export_link::*;
pub use create_user_import::*;
pub use delete_user_export::*;
pub use get_user_export::*;
pub use list_audit::*;
pub use list_user_exports::*;
pub use list_user_imports::*;

use mesdonnees_core::Actor;
use mesdonnees_shared::UserId;

use crate::auth::{AdminUser, AuthUser};
use crate::error::ApiError;
use crate::routes::Ctx;

/// `/admin/users/{user_id}/exports/{id}`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserExportPath {
    /// The export's owner.
    user_id: String,
    /// Export id.
    id: String,
}

/// `/admin/users/{user_id}/imports/{id}`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserImportPath {
    /// The import's owner.
    user_id: String,
    /// Import id.
    id: String,
}

/// The user a route names, parsed like a token's `sub`.
fn target(raw: &str) -> Result<AuthUser, ApiError> {
    let id = UserId::parse(raw).map_err(|_| ApiError::NotFound("user"))?;
    Ok(AuthUser { id, name: None, email: None, rights: Vec::new() })
}

/// The administrator acting for the user a route names.
fn acting(admin: &AdminUser, raw_user: &str) -> Result<Actor, ApiError> {
    Ok(admin.acting_for(target(raw_user)?.id))
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
    Ok(mesdonnees_core::audit::record(ctx, &acting(admin, user)?, action, resource).await?)
}
