//! The archive-signing keys this instance publishes, for anyone to verify its archives.

use mesdonnees_infra::Context;
use mesdonnees_infra::published_keys;
use mesdonnees_shared::keys::PublishedKeys;

use crate::Error;

/// The current key (generated at first use when none is configured) and the previous ones.
pub async fn published(ctx: &Context) -> Result<PublishedKeys, Error> {
    let signer = ctx.signer().await.map_err(Error::unexpected)?;
    Ok(published_keys::ours(&signer, &ctx.config.exports.previous_keys))
}
