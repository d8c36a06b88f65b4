//! What operators do without HTTP (the `mesdonnees export`, `import` and `transfer`
//! subcommands): the same code paths as the routes, called with the service's context, so an
//! export or an import started here is the one the API would have made.

use actix_web::web;
use mesdonnees_db::Export;
use mesdonnees_infra::Context;
use mesdonnees_shared::UserId;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::{admin, exports};

/// Starts (or reuses, as `POST /exports` would) an archive export of `user`'s data.
pub async fn start_export(
    ctx: &Context,
    user: &UserId,
    apps: Option<Vec<String>>,
    name: Option<String>,
) -> Result<Export, ApiError> {
    let data = web::Data::new(ctx.clone());
    let owner = AuthUser { id: user.clone(), name: None, rights: Vec::new() };
    let made =
        exports::create_for(&data, &owner, exports::CreateExport::archive(apps, name)).await?;
    Ok(made.into_export())
}

/// Appends an operator's action to the audit log.
pub async fn record(
    ctx: &Context,
    actor: &str,
    action: &str,
    user: &UserId,
    resource: Option<&str>,
) -> Result<(), ApiError> {
    admin::record(ctx, actor, action, user.as_str(), resource).await
}
