//! Saved export templates: a named set of apps, filters, kind and table a user reuses when
//! creating an export. Owner-only: another user's template is "no such template".

use mesdonnees_db::ExportTemplate;
use mesdonnees_db::templates::{self, Saved};
use mesdonnees_infra::Context;
use mesdonnees_shared::exports::ExportOptions;
use mesdonnees_shared::{DocumentId, ErrorCode};

use crate::exports::{Settings, Settled, check_folders};
use crate::listing::{self, Listed};
use crate::{Actor, Error, names};

/// Longest template name, in characters.
pub const NAME_MAX_CHARS: usize = 80;

/// A template to save: its name and what exports made from it are of.
#[derive(Debug)]
pub struct Draft {
    /// 1 to [`NAME_MAX_CHARS`] characters once trimmed, unique among the owner's templates.
    pub name: String,
    pub settings: Settings,
}

/// Saves a new template of the owner's.
pub async fn create(ctx: &Context, actor: &Actor, draft: Draft) -> Result<ExportTemplate, Error> {
    let row = into_row(draft, ctx, actor, DocumentId::new().to_string()).await?;
    let saved = row.clone();
    match ctx.db.transaction(move |conn| templates::insert(conn, &row)).await? {
        Saved::Done => Ok(saved),
        other => Err(refused(&other)),
    }
}

/// Replaces a template's name and settings.
pub async fn update(
    ctx: &Context,
    actor: &Actor,
    raw_id: &str,
    draft: Draft,
) -> Result<ExportTemplate, Error> {
    let existing = owned(ctx, actor, raw_id).await?;
    let mut row = into_row(draft, ctx, actor, existing.id).await?;
    row.created_at = existing.created_at;
    let saved = row.clone();
    match ctx.db.transaction(move |conn| templates::update(conn, &row)).await? {
        Saved::Done => Ok(saved),
        other => Err(refused(&other)),
    }
}

/// Deletes a template; exports made from it stay as they are.
pub async fn delete(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<(), Error> {
    let template = owned(ctx, actor, raw_id).await?;
    let owner = actor.owner().to_string();
    if ctx.db.run(move |conn| templates::delete(conn, &owner, &template.id)).await? {
        Ok(())
    } else {
        Err(Error::NotFound("template"))
    }
}

/// One template of the owner's.
pub async fn get(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<ExportTemplate, Error> {
    owned(ctx, actor, raw_id).await
}

/// A page of the owner's templates, by name.
pub async fn list(
    ctx: &Context,
    actor: &Actor,
    number: Option<i64>,
    size: Option<i64>,
) -> Result<Listed<ExportTemplate>, Error> {
    let page = listing::page(ctx, number, size)?;
    let owner = actor.owner().to_string();
    let found = ctx.db.run(move |conn| templates::list(conn, &owner, page)).await?;
    Ok(Listed::of(page, found))
}

/// The owner's template with this id; anything else is no such template.
pub(crate) async fn owned(
    ctx: &Context,
    actor: &Actor,
    raw_id: &str,
) -> Result<ExportTemplate, Error> {
    let id = DocumentId::parse(raw_id).map_err(|_| Error::NotFound("template"))?.to_string();
    let owner = actor.owner().to_string();
    ctx.db
        .read(move |conn| templates::find_owned(conn, &owner, &id))
        .await?
        .ok_or(Error::NotFound("template"))
}

/// What a template gives an export request.
pub(crate) fn settings_of(template: &ExportTemplate) -> Result<Settings, Error> {
    let options = template.export_options()?;
    Ok(Settings {
        apps: Some(template.app_ids()?),
        filters: Some(options.filters),
        kind: Some(options.kind),
        table: options.table,
    })
}

/// The row a draft makes, settled like an export request.
async fn into_row(
    draft: Draft,
    ctx: &Context,
    actor: &Actor,
    id: String,
) -> Result<ExportTemplate, Error> {
    let name = draft.name.trim().to_owned();
    if !names::acceptable(&name, NAME_MAX_CHARS) {
        return Err(Error::invalid(
            ErrorCode::InvalidName,
            format!(
                "a template name has 1 to {NAME_MAX_CHARS} characters and no control character"
            ),
        ));
    }
    let Settled { apps, filters, kind, table } = draft.settings.settle(ctx)?;
    check_folders(ctx, actor, &filters).await?;
    let options = ExportOptions { filters, notify_email: None, kind, table, ..Default::default() };
    let now = mesdonnees_db::models::now();
    Ok(ExportTemplate {
        id,
        owner_id: actor.owner().to_string(),
        name,
        apps: serde_json::to_string(&apps).map_err(Error::unexpected)?,
        options: serde_json::to_string(&options).map_err(Error::unexpected)?,
        created_at: now,
        updated_at: now,
    })
}

/// The answer to a save the database refused.
fn refused(saved: &Saved) -> Error {
    match saved {
        Saved::NameTaken => {
            Error::conflict(ErrorCode::TemplateNameTaken, "another of your templates has this name")
        }
        Saved::TooMany => Error::invalid(
            ErrorCode::QuotaExceeded,
            format!("at most {} templates per user", templates::MAX_PER_OWNER),
        ),
        Saved::Missing | Saved::Done => Error::NotFound("template"),
    }
}
