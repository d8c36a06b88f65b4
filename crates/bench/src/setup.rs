//! The service side of the bench: a `Context` on the embedded defaults under the bench folder
//! (SQLite + local object store), the corpus rows, and the export row the worker will build.

use std::path::Path;

use anyhow::{Context as _, Result, anyhow, ensure};
use figment::Figment;
use figment::providers::Serialized;
use mesdonnees_db::{Export, NewDocument, documents, export_parts, exports};
use mesdonnees_infra::{Config, Context};
use mesdonnees_shared::DocumentId;
use mesdonnees_shared::exports::ExportOptions;

use crate::corpus::OWNER;

/// The context a worker would build with no configuration but `data_dir`: the database is
/// `<dir>/mesdonnees.db` and the object store `file://<dir>/objects`. The environment is left
/// out on purpose, so that a developer's `MESDONNEES__…` cannot change what is measured.
pub async fn context(data_dir: &Path) -> Result<Context> {
    let config = Config { data_dir: data_dir.to_owned(), ..Config::default() };
    let config = Config::from_figment(&Figment::from(Serialized::defaults(config)))?;
    let ctx = Context::build(config).await.context("building the context")?;
    ctx.db.run_migrations().context("running the migrations")?;
    Ok(ctx)
}

pub async fn insert_documents(ctx: &Context, rows: Vec<NewDocument>) -> Result<()> {
    ctx.db
        .transaction(move |conn| rows.iter().try_for_each(|row| documents::insert(conn, row)))
        .await
        .context("inserting documents")
}

/// A queued export of the workspace app, as `POST /exports` creates it, in parts of
/// `part_size` bytes when given; returns its id.
pub async fn create_export(ctx: &Context, name: String, part_size: Option<u64>) -> Result<String> {
    let options = ExportOptions { part_size_bytes: part_size, ..ExportOptions::default() };
    let export = Export::queued(
        DocumentId::new().to_string(),
        OWNER.to_owned(),
        Some("Banc d'essai".to_owned()),
        name,
        serde_json::to_string(&["workspace"])?,
        serde_json::to_string(&options)?,
    );
    let id = export.id.clone();
    let inserted = ctx.db.run(move |conn| exports::insert(conn, &export)).await?;
    ensure!(inserted, "another export of {OWNER} is already queued or running");
    Ok(id)
}

/// The archive of a finished export: its object key and size. Anything but `ready` is an error.
pub async fn finished_archive(ctx: &Context, export_id: &str) -> Result<(String, u64)> {
    let id = export_id.to_owned();
    let export = ctx
        .db
        .run(move |conn| exports::find(conn, &id))
        .await?
        .ok_or_else(|| anyhow!("export {export_id} vanished"))?;
    ensure!(
        export.status == "ready",
        "export ended {} ({}: {})",
        export.status,
        export.error_code.as_deref().unwrap_or("-"),
        export.error_message.as_deref().unwrap_or("-"),
    );
    let key = export.object_key.ok_or_else(|| anyhow!("ready export without an object key"))?;
    let size = export.size.ok_or_else(|| anyhow!("ready export without a size"))?;
    Ok((key, u64::try_from(size).context("archive size")?))
}

/// The parts of a finished export in parts, in order: each one's object key and size.
pub async fn finished_parts(ctx: &Context, export_id: &str) -> Result<Vec<(String, u64)>> {
    let id = export_id.to_owned();
    let parts = ctx.db.run(move |conn| export_parts::list(conn, &id)).await?;
    ensure!(!parts.is_empty(), "export {export_id} has no parts");
    parts
        .into_iter()
        .map(|p| Ok((p.object_key, u64::try_from(p.size).context("part size")?)))
        .collect()
}
