//! Imports: an uploaded archive is received (stored under the limits and checks, then
//! analysed; an archive in parts gathers its other parts first) or a zip of the documents
//! space is taken where it is, launched with the apps the user chooses, cancelled, deleted; an operator's dry run
//! discards its import at once.

mod end;
mod from_document;
mod launch;
mod parts;
mod receive;

pub use end::{cancel, delete, discard};
pub use from_document::from_document;
pub use launch::{MAX_APPS, launch};
pub use parts::{add_part, get_with_parts};
pub use receive::{DEFAULT_NAME, Received, Upload, receive};

use mesdonnees_db::{Import, imports};
use mesdonnees_infra::Context;
use mesdonnees_shared::{ImportId, JobId, UserId};

use crate::listing::{self, Listed};
use crate::{Actor, Error};

/// The owner's import with this id; anything else, a malformed id included, is not found.
pub async fn get(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<Import, Error> {
    let id = ImportId::parse(raw_id).map_err(|_| Error::NotFound("import"))?.to_string();
    imports::lookup_owned(&ctx.db, &actor.owner().to_string(), &id)
        .await?
        .ok_or(Error::NotFound("import"))
}

/// A page of `owner`'s imports, newest first.
pub async fn list(
    ctx: &Context,
    owner: &UserId,
    number: Option<i64>,
    size: Option<i64>,
) -> Result<Listed<Import>, Error> {
    let page = listing::page(ctx, number, size)?;
    let owner = owner.to_string();
    let found = ctx.db.run(move |conn| imports::list(conn, &owner, page)).await?;
    Ok(Listed::of(page, found))
}

/// Queues a job the transaction that made it has committed; a queue that does not answer now
/// leaves it to the reconciler.
async fn enqueue(ctx: &Context, job: JobId, what: &str) {
    if let Err(e) = ctx.queue.push(job).await {
        tracing::warn!(job_id = %job, error = %e, "{what} job not enqueued now; the reconciler will");
    }
}
