//! `import`: a corpus exported by the real export path, then imported by the real import path
//! (analysis, then the import job) into another user, timed in a child process against
//! `unzip -q` of the same archive.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, ensure};
use mesdonnees_db::{Import, documents, imports};
use mesdonnees_infra::Context;
use mesdonnees_shared::ImportId;
use mesdonnees_shared::imports::{ImportReport, ImportStatus, upload_key};
use serde::{Deserialize, Serialize};
use tokio::runtime::Runtime;

use crate::corpus::{self, Kind, Spec};
use crate::{child, num, setup, zip_tool};

/// Who the corpus is imported into.
const IMPORTER: &str = "bench-import";

/// What the child prints on its last stdout line.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ImportRun {
    /// Wall time of the analysis job, then of the import job, in seconds.
    pub analyse_secs: f64,
    pub import_secs: f64,
    pub peak_rss_kib: u64,
    pub cpu_secs: f64,
}

/// The child side: analyses, launches and imports one uploaded archive, like a worker.
pub fn run_child(runtime: &Runtime, dir: &Path, import_id: &str) -> Result<()> {
    let ctx = runtime.block_on(setup::context(dir))?;
    let cpu_before = child::cpu_secs()?;
    let id = import_id.to_owned();
    let task = runtime.spawn(async move {
        let started = Instant::now();
        mesdonnees_worker::import::analyse::run(&ctx, &id)
            .await
            .map_err(|e| anyhow!("analysis failed: {e}"))?;
        let analysed = started.elapsed();
        let launch_id = id.clone();
        let launched = ctx
            .db
            .run(move |conn| imports::launch(conn, &launch_id, r#"["workspace"]"#, 0, 0))
            .await?;
        ensure!(
            matches!(launched, imports::Launch::Queued),
            "the analysed import could not be launched"
        );
        let started = Instant::now();
        mesdonnees_worker::import::run::run(&ctx, &id)
            .await
            .map_err(|e| anyhow!("import failed: {e}"))?;
        Ok::<_, anyhow::Error>((analysed, started.elapsed()))
    });
    let (analysed, imported) = runtime.block_on(task).context("the import task panicked")??;
    let report = ImportRun {
        analyse_secs: analysed.as_secs_f64(),
        import_secs: imported.as_secs_f64(),
        peak_rss_kib: child::peak_rss_kib()?,
        cpu_secs: child::cpu_secs()? - cpu_before,
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn spawn_child(dir: &Path, import_id: &str) -> Result<ImportRun> {
    let exe = std::env::current_exe().context("locating the bench binary")?;
    let output = Command::new(exe)
        .args(["run-import", "--import-id", import_id, "--dir"])
        .arg(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("starting run-import")?;
    ensure!(output.status.success(), "run-import failed ({})", output.status);
    let stdout = String::from_utf8(output.stdout).context("run-import output")?;
    let last = stdout.lines().last().ok_or_else(|| anyhow!("run-import printed nothing"))?;
    serde_json::from_str(last).context("reading run-import's report")
}

/// The parent side for one corpus: generate, export once, then `runs` times import and unzip.
pub fn bench(runtime: &Runtime, root: &Path, spec: &Spec, runs: u32) -> Result<()> {
    let label = spec.label().to_lowercase();
    let data = root.join(format!("import-data-{label}"));
    let tree = root.join(format!("import-tree-{label}"));
    let unzipped = root.join(format!("unzip-{label}"));
    for dir in [&data, &tree, &unzipped] {
        if dir.exists() {
            fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
        }
    }
    let ctx = runtime.block_on(setup::context(&data))?;
    let objects = ctx.storage.local_root.clone().context("the bench store is a local folder")?;
    eprintln!("corpus {}: generating {} files…", spec.label(), spec.files);
    let generated = corpus::generate(spec, &objects, &tree, &mut |rows| {
        runtime.block_on(setup::insert_documents(&ctx, rows))
    })?;
    fs::remove_dir_all(&tree)?;
    eprintln!("corpus {}: exporting…", spec.label());
    let export_id = runtime.block_on(setup::create_export(&ctx, "Import".to_owned(), None))?;
    child::spawn_export(&data, &export_id, true)?;
    let (key, archive_bytes) = runtime.block_on(setup::finished_archive(&ctx, &export_id))?;
    let archive = objects.join(&key);

    let mut ours = Vec::new();
    let mut unzip = Vec::new();
    for run in 1..=runs {
        eprintln!("corpus {}: run {run}/{runs}: importing, then unzipping…", spec.label());
        let import_id = runtime.block_on(upload(&ctx, &objects, &archive, archive_bytes))?;
        zip_tool::settle()?;
        zip_tool::warm(&objects.join("imports"))?;
        let measured = spawn_child(&data, &import_id)?;
        let report = runtime.block_on(finished(&ctx, &import_id))?;
        let app = report.apps.get("workspace").ok_or_else(|| anyhow!("no workspace report"))?;
        ensure!(
            app.failed == 0 && app.bytes == generated.bytes,
            "the import brought {} bytes with {} failures, the corpus holds {}",
            app.bytes,
            app.failed,
            generated.bytes
        );
        ours.push(measured);
        fs::create_dir_all(&unzipped)?;
        zip_tool::settle()?;
        zip_tool::warm(&archive)?;
        unzip.push(run_unzip(&archive, &unzipped.join(format!("run-{run}")))?);
    }
    // Removed only now: on a file system that does not reuse an inode freed in the last minute
    // (ext4 without a journal), files deleted between runs made the next run's creations scan
    // past them, slower in the one folder where the store keeps documents than in unzip's
    // fresh folders; neither side deletes anything while the other is timed.
    runtime.block_on(remove_imported(&ctx, &objects))?;
    fs::remove_dir_all(&unzipped)?;
    print_result(spec, generated.files, generated.bytes, archive_bytes, &ours, &unzip);
    Ok(())
}

/// What `POST /imports` leaves: the archive under an upload key and an `analysing` row.
async fn upload(ctx: &Context, objects: &Path, archive: &Path, size: u64) -> Result<String> {
    let id = ImportId::new().to_string();
    let key = upload_key(&id);
    let target = objects.join(&key);
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)?;
    }
    // A link, not a copy: the import removes its upload when it ends.
    fs::hard_link(archive, &target).context("linking the archive as an upload")?;
    let mut row = Import::uploaded(
        id.clone(),
        IMPORTER.to_owned(),
        None,
        r#"["workspace.create"]"#.to_owned(),
        "archive.zip".to_owned(),
        key,
        i64::try_from(size)?,
    );
    row.status = ImportStatus::Analysing.as_str().to_owned();
    let inserted = ctx.db.run(move |conn| imports::insert(conn, &row)).await?;
    ensure!(inserted, "another import of {IMPORTER} is in progress");
    Ok(id)
}

async fn finished(ctx: &Context, import_id: &str) -> Result<ImportReport> {
    let id = import_id.to_owned();
    let import = ctx
        .db
        .run(move |conn| imports::find(conn, &id))
        .await?
        .ok_or_else(|| anyhow!("import {import_id} vanished"))?;
    ensure!(
        import.status == "done",
        "import ended {} ({}: {})",
        import.status,
        import.error_code.as_deref().unwrap_or("-"),
        import.error_message.as_deref().unwrap_or("-"),
    );
    let report = import.report.ok_or_else(|| anyhow!("a done import without a report"))?;
    Ok(serde_json::from_str(&report)?)
}

/// Deletes what the runs imported, so that the disk does not fill.
async fn remove_imported(ctx: &Context, objects: &Path) -> Result<()> {
    let roots = ctx
        .db
        .run(|conn| {
            documents::list_children(
                conn,
                Some(IMPORTER),
                None,
                mesdonnees_db::Page::new(None, Some(200), 200),
            )
        })
        .await?;
    for root in roots {
        let keys = ctx.db.transaction(move |conn| documents::delete_tree(conn, &root.id)).await?;
        for key in keys {
            let _ = fs::remove_file(objects.join(key));
        }
    }
    Ok(())
}

fn run_unzip(archive: &Path, out: &Path) -> Result<Duration> {
    let started = Instant::now();
    let status = Command::new("unzip")
        .arg("-q")
        .arg(archive)
        .arg("-d")
        .arg(out)
        .stdin(Stdio::null())
        .status()
        .context("running unzip (is it installed?)")?;
    let wall = started.elapsed();
    ensure!(status.success(), "unzip failed ({status})");
    Ok(wall)
}

/// The import's wall time at most, as a share of `unzip -q`'s: corpus A, large files whose
/// copies can overlap, is held to half; corpus B, many small ones, to as fast.
fn import_wall_target(kind: Kind) -> f64 {
    match kind {
        Kind::A => 0.5,
        Kind::B => 1.0,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn print_result(
    spec: &Spec,
    files: u64,
    bytes: u64,
    archive_bytes: u64,
    ours: &[ImportRun],
    unzip: &[Duration],
) {
    let wall = median(ours.iter().map(|r| r.analyse_secs + r.import_secs).collect());
    let analyse = median(ours.iter().map(|r| r.analyse_secs).collect());
    let cpu = median(ours.iter().map(|r| r.cpu_secs).collect());
    let rss = ours.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0);
    let unzip = median(unzip.iter().map(Duration::as_secs_f64).collect());
    let mb = num::mb(bytes);
    println!(
        "\ncorpus {}: {files} files, {mb:.1} MB, archive {:.1} MB",
        spec.label(),
        num::mb(archive_bytes)
    );
    println!(
        "  mesdonnees import  {wall:>7.2} s {:>7.1} MB/s (analysis {analyse:.2} s; CPU {cpu:.2} s)   peak RSS {:.1} MiB",
        mb / wall,
        num::kib_to_mib(rss)
    );
    println!("  unzip -q           {unzip:>7.2} s {:>7.1} MB/s", mb / unzip);
    let ratio = wall / unzip;
    let rss_mib = num::kib_to_mib(rss);
    let limit = import_wall_target(spec.kind);
    println!(
        "  ours / unzip       wall {ratio:.2}×\n  targets            wall ≤ {limit:.2}× unzip -q: {}\n                     peak RSS ≤ 64 MiB: {} ({rss_mib:.1} MiB)",
        if ratio <= limit { "ok" } else { "MISS" },
        if rss_mib <= 64.0 { "ok" } else { "MISS" },
    );
    println!(
        "\n| corpus | files | input MB | import s | analysis s | peak RSS MiB | unzip -q s | ours/unzip |\n|---|---:|---:|---:|---:|---:|---:|---:|\n| {} | {files} | {mb:.1} | {wall:.2} | {analyse:.2} | {rss_mib:.1} | {unzip:.2} | {ratio:.2} |",
        spec.label()
    );
}
