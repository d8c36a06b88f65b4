//! `mesdonnees-bench`: measures the real export path (workspace app → zip → local object store)
//! against Info-ZIP's `zip` on generated corpora. How to run it and what it found:
//! docs/BENCHMARKS.md.

mod child;
mod corpus;
mod import_bench;
mod json_doc;
mod load;
mod num;
mod parts_bench;
mod pgbench;
mod report;
mod rng;
mod serve_bench;
mod setup;
mod table_bench;
mod zip_tool;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, ensure};
use clap::{Args, Parser, Subcommand, ValueEnum};
use mesdonnees_infra::Context;
use tokio::runtime::Runtime;

use corpus::{Kind, Spec};
use report::{CorpusResult, OurRun};

#[derive(Debug, Parser)]
#[command(
    name = "mesdonnees-bench",
    about = "Export and import paths vs zip and unzip; the API under load"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate the corpora, export them with the real export path, and compare with zip.
    Export(ExportArgs),
    /// Export a corpus once, then import the archive with the real import path (analysis and
    /// import job) into another user, and compare with `unzip -q`.
    Import(ExportArgs),
    /// Start the release `mesdonnees api` on Postgres + Redis and measure `POST /exports` and
    /// `GET /exports/{id}` under `wrk` with thousands of distinct users.
    Load(load::LoadArgs),
    /// Start the release `mesdonnees serve` on the embedded defaults over corpus A, and report
    /// its peak RSS during one export, then during many requested at once.
    Serve(serve_bench::ServeArgs),
    /// Write a table export (csv, xlsx, ods) of a user with many documents with the real
    /// export path, and report wall time and peak RSS.
    Table(table_bench::TableArgs),
    /// Run one import in this process and print its times and peak RSS (used by `import`).
    #[command(hide = true)]
    RunImport {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        import_id: String,
    },
    /// Run one export in this process and print its wall time and peak RSS (used by `export`).
    #[command(hide = true)]
    RunExport {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        export_id: String,
        #[arg(long)]
        no_viewer: bool,
    },
}

#[derive(Debug, Args)]
struct ExportArgs {
    #[arg(long, value_enum, default_value_t = CorpusChoice::Both)]
    corpus: CorpusChoice,
    /// Multiplies the file count (and so the bytes); below 1 for quick runs.
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
    scale: f64,
    /// Where the corpora, databases and archives go (kept); a temporary folder when absent
    /// (removed at the end).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Timed runs of each side, alternating; the median is reported (a 2-core machine is
    /// noisy: use 5 before drawing conclusions).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=50))]
    runs: u32,
    /// Export without the archive's viewer (its pages for people), to measure what the viewer
    /// costs; `export` only.
    #[arg(long)]
    no_viewer: bool,
    /// Also export the corpus in parts of this many bytes, alternating with the export in one
    /// archive, and compare the two; `export` only.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1_048_576..))]
    part_size: Option<u64>,
    /// Also export each corpus at this larger scale, and compare its peak RSS with the one at
    /// `--scale` (memory flat with the file count); `export` only.
    #[arg(long, value_parser = parse_scale)]
    flat_at: Option<f64>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CorpusChoice {
    A,
    B,
    Both,
}

impl CorpusChoice {
    fn kinds(self) -> Vec<Kind> {
        match self {
            Self::A => vec![Kind::A],
            Self::B => vec![Kind::B],
            Self::Both => vec![Kind::A, Kind::B],
        }
    }
}

fn parse_scale(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(scale) if scale.is_finite() && scale > 0.0 && scale <= 100.0 => Ok(scale),
        _ => Err("a number above 0 (and at most 100)".to_owned()),
    }
}

fn main() -> Result<()> {
    // The same allocator settings as the `mesdonnees` binary: the export's RSS depends on them.
    mesdonnees_infra::memory::limit_allocator_arenas();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    match cli.command {
        Command::Export(args) => export(&runtime, &args),
        Command::RunExport { dir, export_id, no_viewer } => {
            child::run_export(&runtime, &dir, &export_id, no_viewer)
        }
        Command::Import(args) => import(&runtime, &args),
        Command::Load(args) => load::run(&args),
        Command::Table(args) => table_bench::run(&runtime, &args),
        Command::Serve(args) => serve_bench::run(&runtime, &args),
        Command::RunImport { dir, import_id } => {
            import_bench::run_child(&runtime, &dir, &import_id)
        }
    }
}

/// The bench folder: the one asked for (kept), or a temporary one removed when dropped.
fn bench_root(dir: Option<&Path>) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    if let Some(dir) = dir {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        return Ok((dir.canonicalize()?, None));
    }
    let temp = tempfile::Builder::new().prefix("mesdonnees-bench-").tempdir()?;
    Ok((temp.path().to_owned(), Some(temp)))
}

fn import(runtime: &Runtime, args: &ExportArgs) -> Result<()> {
    ensure!(
        !args.no_viewer && args.part_size.is_none() && args.flat_at.is_none(),
        "--no-viewer, --part-size and --flat-at are for `export` only"
    );
    let (root, _temp) = bench_root(args.dir.as_deref())?;
    println!("bench folder {} (scale {}, {} run(s))", root.display(), args.scale, args.runs);
    for kind in args.corpus.kinds() {
        import_bench::bench(runtime, &root, &Spec::new(kind, args.scale), args.runs)?;
    }
    Ok(())
}

fn export(runtime: &Runtime, args: &ExportArgs) -> Result<()> {
    let (root, _temp) = bench_root(args.dir.as_deref())?;
    println!(
        "bench folder {} (scale {}, {} run(s){}{})",
        root.display(),
        args.scale,
        args.runs,
        if args.no_viewer { ", without the viewer" } else { "" },
        args.part_size.map_or_else(String::new, |size| format!(", also in parts of {size} bytes"))
    );
    let sides = Sides { runs: args.runs, viewer: !args.no_viewer, part_size: args.part_size };
    let scales = std::iter::once(args.scale).chain(args.flat_at);
    let mut results = Vec::new();
    for scale in scales {
        for kind in args.corpus.kinds() {
            let result = bench_corpus(runtime, &root, &Spec::new(kind, scale), &sides)?;
            print!("\n{result}");
            results.push(result);
        }
    }
    println!("\n{}", report::SummaryTable(&results));
    if args.flat_at.is_some() {
        let (small, large) = results.split_at(results.len() / 2);
        for (small, large) in small.iter().zip(large) {
            print!("{}", report::Flatness { small, large });
        }
    }
    Ok(())
}

/// What each run of a corpus does.
struct Sides {
    runs: u32,
    viewer: bool,
    /// Also the export in parts of this size.
    part_size: Option<u64>,
}

/// Generates one corpus, then times the export (in a child process), the export in parts when
/// asked, and `zip` on it, in turn.
fn bench_corpus(
    runtime: &Runtime,
    root: &Path,
    spec: &Spec,
    sides: &Sides,
) -> Result<CorpusResult> {
    let (runs, viewer) = (sides.runs, sides.viewer);
    let label = spec.label().to_lowercase();
    let bench = CorpusDirs {
        data: root.join(format!("data-{label}")),
        tree: root.join(format!("tree-{label}")),
        zip_out: root.join(format!("zip-{label}.zip")),
    };
    // A kept folder may hold an earlier run: start from nothing, so that the export holds this
    // corpus only.
    for dir in [&bench.data, &bench.tree] {
        if dir.exists() {
            fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
        }
    }
    let ctx = runtime.block_on(setup::context(&bench.data))?;
    let objects = ctx.storage.local_root.clone().context("the bench store is a local folder")?;
    eprintln!("corpus {}: generating {} files…", spec.label(), spec.files);
    let generated = corpus::generate(spec, &objects, &bench.tree, &mut |rows| {
        runtime.block_on(setup::insert_documents(&ctx, rows))
    })?;
    let mut result = CorpusResult {
        spec: spec.clone(),
        generated,
        ours: vec![],
        zip: vec![],
        checked: false,
        viewer: None,
        parts: sides.part_size.map(|part_size| report::PartsResult {
            part_size,
            runs: vec![],
            parts: 0,
            checked: false,
        }),
    };
    for run in 1..=runs {
        eprintln!("corpus {}: run {run}/{runs}: exporting, then zipping…", spec.label());
        let keep_archive = run == runs;
        let exported =
            time_export(runtime, &ctx, &objects, &bench.data, spec, keep_archive, viewer)?;
        result.ours.push(exported.run);
        result.checked = exported.checked;
        result.viewer = exported.viewer;
        if let Some(parts) = &mut result.parts {
            let side = parts_bench::PartsSide {
                part_size: parts.part_size,
                generated: &result.generated,
                viewer,
            };
            let dirs = (objects.as_path(), bench.data.as_path());
            let run = parts_bench::time_export(runtime, &ctx, dirs, spec, &side, keep_archive)?;
            parts.runs.push(run.run);
            parts.parts = run.parts;
            parts.checked = run.checked;
        }
        // Both sides start with no writes pending and their input in the page cache.
        zip_tool::settle()?;
        zip_tool::warm(&bench.tree)?;
        result.zip.push(zip_tool::run_zip(&bench.tree, &bench.zip_out, spec.kind == Kind::A)?);
    }
    Ok(result)
}

struct CorpusDirs {
    /// The service's data folder: database and object store.
    data: PathBuf,
    /// The same files as a plain folder tree, for `zip`.
    tree: PathBuf,
    zip_out: PathBuf,
}

/// What one export gave: its measures, whether `unzip -t` checked it, its viewer's pages.
struct Exported {
    run: OurRun,
    checked: bool,
    viewer: Option<zip_tool::ViewerPages>,
}

/// One export of the whole corpus: a fresh export row, built by a child process from a warm
/// page cache. The archive is checked, then removed unless kept (the last run's is), so that
/// runs do not fill the disk.
fn time_export(
    runtime: &Runtime,
    ctx: &Context,
    objects: &Path,
    data_dir: &Path,
    spec: &Spec,
    keep_archive: bool,
    viewer: bool,
) -> Result<Exported> {
    let export_id =
        runtime.block_on(setup::create_export(ctx, format!("Corpus {}", spec.label()), None))?;
    zip_tool::settle()?;
    zip_tool::warm(&objects.join("documents"))?;
    let (export, process) = child::spawn_export(data_dir, &export_id, viewer)?;
    let (key, archive_bytes) = runtime.block_on(setup::finished_archive(ctx, &export_id))?;
    let archive = objects.join(&key);
    let on_disk =
        fs::metadata(&archive).with_context(|| format!("reading {}", archive.display()))?;
    ensure!(on_disk.len() == archive_bytes, "the export row and the archive disagree on its size");
    let checked = zip_tool::check_archive(&archive)?;
    let pages = if checked { zip_tool::viewer_pages(&archive)? } else { None };
    ensure!(
        pages.is_some() == (viewer && checked),
        "the archive's viewer is {} though it was {}",
        if pages.is_some() { "there" } else { "missing" },
        if viewer { "asked for" } else { "turned off" }
    );
    if !keep_archive {
        fs::remove_file(&archive).with_context(|| format!("removing {}", archive.display()))?;
    }
    Ok(Exported { run: OurRun { export, process, archive_bytes }, checked, viewer: pages })
}
