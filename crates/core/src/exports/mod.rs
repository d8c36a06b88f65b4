//! Exports: create one (or reuse an identical one), follow it, list its files, link and
//! download its archive, cancel or delete it. Another user's export is "no such export".
//! An administrator's or an operator's action is recorded in the audit log.

mod create;
mod delete;
mod download;
mod entries;
mod estimate;
mod link;
mod parts;
mod read;
mod settings;
mod size;

pub(crate) use create::{Claim, Occurrence, clock_now, create_claimed};
pub use create::{Made, Request, create};
pub use delete::{Removed, delete};
pub use download::{Access, Intent, Ready, download};
pub use entries::entries;
pub use estimate::{Estimate, estimate};
pub use link::{Link, link, part_link};
pub use parts::{download_part, parts};
pub use read::{get, list};
pub(crate) use settings::check_folders;
pub use settings::{Settings, Settled};
pub use size::AppSize;

use mesdonnees_db::{Export, exports};
use mesdonnees_infra::Context;
use mesdonnees_shared::DocumentId;

use crate::{Actor, Error};

/// The export's id as a route or a command gives it; a malformed one is no such export.
fn parse_id(raw: &str) -> Result<String, Error> {
    Ok(DocumentId::parse(raw).map_err(|_| Error::NotFound("export"))?.to_string())
}

/// The owner's export with this id; anything else is no such export.
async fn owned(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<Export, Error> {
    let id = parse_id(raw_id)?;
    exports::lookup_owned(&ctx.db, &actor.owner().to_string(), &id)
        .await?
        .ok_or(Error::NotFound("export"))
}
