//! What operators do without HTTP (the `mesdonnees import` and `transfer` subcommands): the
//! same code paths as the routes, called with the service's context, so an import started
//! here is the one the API would have made.

use actix_web::web;
use bytes::Bytes;
use futures_util::Stream;
use mesdonnees_db::{Import, imports};
use mesdonnees_infra::Context;
use mesdonnees_shared::UserId;
use mesdonnees_shared::imports::AppChoice;
use object_store::ObjectStoreExt;
use object_store::path::Path;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::{admin, imports as import_routes};

/// Starts an import into `user`'s account of the zip `body` streams, named `file_name`: stored
/// like an upload (the same limits and checks), then analysed; with `auto`, launched with
/// those apps by the analysis. The import holds every app's create right.
pub async fn start_import(
    ctx: &Context,
    user: &UserId,
    file_name: String,
    body: impl Stream<Item = Result<Bytes, ApiError>>,
    auto: Option<&AppChoice>,
) -> Result<Import, ApiError> {
    let data = web::Data::new(ctx.clone());
    let owner = AuthUser { id: user.clone(), name: None, rights: admin::operator_rights(ctx) };
    let max = ctx.config.imports.max_upload_bytes;
    import_routes::create_for(&data, &owner, auto, |key| {
        let data = &data;
        async move { Ok((file_name, import_routes::store_zip(data, &key, body, max).await?)) }
    })
    .await
}

/// Removes an import that is not running and its upload at once, leaving no trace but its
/// creation in the rate limit's count (what a dry run leaves behind). `false` when it runs.
pub async fn discard_import(ctx: &Context, import: &Import) -> Result<bool, ApiError> {
    let id = import.id.clone();
    if !ctx.db.transaction(move |conn| imports::delete(conn, &id)).await? {
        return Ok(false);
    }
    if let Some(key) = &import.object_key {
        match ctx.storage.store.delete(&Path::from(key.as_str())).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(ApiError::internal(e)),
        }
    }
    Ok(true)
}
