//! `mesdonnees-bench table`: the real `table` export path — the workspace walked from the
//! database, one row per document, written by the table writer and uploaded to the local store —
//! for a user with many documents, in each format, each in a child process that reports its wall
//! time and peak RSS. Objects are not written: a table export never reads them.

use std::path::PathBuf;

use anyhow::{Context as _, Result, ensure};
use clap::Args;
use mesdonnees_db::{DocumentKind, Export, NewDocument, exports};
use mesdonnees_shared::DocumentId;
use mesdonnees_shared::exports::ExportOptions;
use mesdonnees_shared::tables::{ExportKind, TableFormat, TableSpec};
use tokio::runtime::Runtime;

use crate::child;
use crate::corpus::OWNER;
use crate::setup;

/// Peak RSS the table path must stay under, whatever the row count.
const TARGET_RSS_MIB: f64 = 64.0;

#[derive(Debug, Args)]
pub struct TableArgs {
    /// Documents of the user, hence rows of each table.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    rows: u32,
    /// Keep everything in DIR (a temporary folder otherwise).
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub fn run(runtime: &Runtime, args: &TableArgs) -> Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    let ctx = runtime.block_on(setup::context(&dir))?;
    runtime.block_on(insert_rows(&ctx, args.rows))?;
    println!("table: {} documents of one user in 100 folders (SQLite, local store)", args.rows);
    println!(
        "| format | rows | wall s | rows/s | file MB | peak RSS MiB | start RSS MiB | CPU s | target |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for format in [TableFormat::Csv, TableFormat::Xlsx, TableFormat::Ods] {
        let id = runtime.block_on(create_table_export(&ctx, format))?;
        let (run, _) = child::spawn_export(&dir, &id, true)?;
        let (key, size) = runtime.block_on(setup::finished_archive(&ctx, &id))?;
        let path = dir.join("objects").join(&key);
        ensure!(std::fs::metadata(&path)?.len() == size, "{key}: the stored size differs");
        if format == TableFormat::Csv {
            let text = std::fs::read_to_string(&path)?;
            let lines = csv::ReaderBuilder::new().from_reader(text.as_bytes()).records().count();
            ensure!(lines == args.rows as usize, "the CSV holds {lines} rows, not {}", args.rows);
        }
        #[expect(clippy::cast_precision_loss, reason = "figures for people")]
        let (peak, start, mb) = (
            run.peak_rss_kib as f64 / 1024.0,
            run.startup_rss_kib as f64 / 1024.0,
            size as f64 / 1e6,
        );
        println!(
            "| {} | {} | {:.2} | {:.0} | {mb:.1} | {peak:.1} | {start:.1} | {:.2} | peak RSS ≤ {TARGET_RSS_MIB} MiB {} |",
            format.extension(),
            args.rows,
            run.wall_secs,
            f64::from(args.rows) / run.wall_secs,
            run.cpu_secs,
            if peak <= TARGET_RSS_MIB { "ok" } else { "MISS" },
        );
    }
    Ok(())
}

async fn insert_rows(ctx: &mesdonnees_infra::Context, rows: u32) -> Result<()> {
    let now = mesdonnees_db::models::now();
    let folders: Vec<NewDocument> = (0..100)
        .map(|n| NewDocument {
            id: DocumentId::new().to_string(),
            owner_id: OWNER.to_owned(),
            parent_id: None,
            kind: DocumentKind::Folder.as_str().to_owned(),
            name: format!("Séquence {n:02}"),
            object_key: None,
            content_type: None,
            size: 0,
            sha256: None,
            created_at: now,
            updated_at: now,
        })
        .collect();
    let parents: Vec<String> = folders.iter().map(|f| f.id.clone()).collect();
    setup::insert_documents(ctx, folders).await?;
    let mut batch = Vec::with_capacity(10_000);
    for n in 0..rows {
        let id = DocumentId::new().to_string();
        batch.push(NewDocument {
            object_key: Some(format!("documents/{id}")),
            id,
            owner_id: OWNER.to_owned(),
            parent_id: Some(parents[n as usize % parents.len()].clone()),
            kind: DocumentKind::File.as_str().to_owned(),
            name: format!("Évaluation n°{n}, « classe » {}.odt", n % 7),
            content_type: Some("application/vnd.oasis.opendocument.text".to_owned()),
            size: i64::from(n % 50_000) * 37,
            sha256: Some(format!("{:064x}", u128::from(n) * 0x9e37_79b9_7f4a_7c15)),
            created_at: now,
            updated_at: now,
        });
        if batch.len() == batch.capacity() {
            setup::insert_documents(ctx, std::mem::take(&mut batch)).await?;
        }
    }
    setup::insert_documents(ctx, batch).await.context("inserting the documents")
}

async fn create_table_export(
    ctx: &mesdonnees_infra::Context,
    format: TableFormat,
) -> Result<String> {
    let options = ExportOptions {
        kind: ExportKind::Table,
        table: Some(serde_json::from_value::<TableSpec>(serde_json::json!({"format": format}))?),
        ..ExportOptions::default()
    };
    let export = Export::queued(
        DocumentId::new().to_string(),
        OWNER.to_owned(),
        None,
        format!("Table {}", format.extension()),
        serde_json::to_string(&["workspace"])?,
        serde_json::to_string(&options)?,
    );
    let id = export.id.clone();
    ensure!(ctx.db.run(move |conn| exports::insert(conn, &export)).await?, "an export is active");
    Ok(id)
}
