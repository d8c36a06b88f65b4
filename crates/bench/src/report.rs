//! What a corpus run measured, the targets it is held to, and how both are printed.

use std::fmt;
use std::time::Duration;

use crate::child::ExportRun;
use crate::corpus::{Generated, Kind, Spec};
use crate::num::{kib_to_mib, mb, to_f64};
use crate::zip_tool::{ViewerPages, ZipRun};

/// Peak RSS the export may reach, whatever the corpus.
const RSS_TARGET_MIB: f64 = 64.0;
/// Size no page of the archive's viewer may reach, whatever a folder holds.
const VIEWER_PAGE_LIMIT: u64 = 1_000_000;
/// Peak RSS of an export of a larger corpus at most this times the smaller one's: memory flat
/// with the file count.
const FLAT_RSS_TARGET: f64 = 1.1;

pub struct CorpusResult {
    pub spec: Spec,
    pub generated: Generated,
    pub ours: Vec<OurRun>,
    pub zip: Vec<ZipRun>,
    /// Whether `unzip -t` checked the archives (it is an error when it rejects one).
    pub checked: bool,
    /// The last archive's viewer; `None` when it was turned off (or `unzip` is missing).
    pub viewer: Option<ViewerPages>,
    /// The same export in parts, when asked (`--part-size`).
    pub parts: Option<PartsResult>,
}

/// The export in parts, run after each export in one archive.
pub struct PartsResult {
    pub part_size: u64,
    pub runs: Vec<OurRun>,
    /// Parts of the last run.
    pub parts: usize,
    /// Whether `unzip` checked every part and the files they hold.
    pub checked: bool,
}

/// Wall time of the export in parts at most this times the one in one archive's.
const PARTS_WALL_TARGET: f64 = 1.1;
/// Its peak RSS at most this times the one in one archive's: the same, give or take noise.
const PARTS_RSS_TARGET: f64 = 1.1;

impl PartsResult {
    fn wall(&self) -> Spread {
        Spread::of(self.runs.iter().map(|r| r.export.wall_secs).collect())
    }

    fn peak_rss_mib(&self) -> f64 {
        kib_to_mib(self.runs.iter().map(|r| r.export.peak_rss_kib).max().unwrap_or(0))
    }

    fn bytes(&self) -> u64 {
        self.runs.iter().map(|r| r.archive_bytes).max().unwrap_or(0)
    }
}

/// One timed export.
pub struct OurRun {
    pub export: ExportRun,
    /// The child's whole life: start, context, export, exit.
    pub process: Duration,
    pub archive_bytes: u64,
}

/// Several timings of one thing, summed up by their median (a 2-core machine is noisy).
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    runs: usize,
}

impl Spread {
    pub fn of(mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        let runs = values.len();
        let median = match runs {
            0 => f64::NAN,
            n if !n.is_multiple_of(2) => values[n / 2],
            n => f64::midpoint(values[n / 2 - 1], values[n / 2]),
        };
        let min = values.first().copied().unwrap_or(f64::NAN);
        let max = values.last().copied().unwrap_or(f64::NAN);
        Self { median, min, max, runs }
    }

    /// The spread, when there is one to tell.
    fn range(&self) -> String {
        if self.runs > 1 {
            format!(" (median of {}: {:.2}–{:.2} s)", self.runs, self.min, self.max)
        } else {
            String::new()
        }
    }
}

struct Target {
    what: String,
    held: bool,
    measured: String,
}

impl CorpusResult {
    fn input_mb(&self) -> f64 {
        mb(self.generated.bytes)
    }

    fn ours_wall(&self) -> Spread {
        Spread::of(self.ours.iter().map(|r| r.export.wall_secs).collect())
    }

    fn process_wall(&self) -> Spread {
        Spread::of(self.ours.iter().map(|r| r.process.as_secs_f64()).collect())
    }

    fn zip_wall(&self) -> Spread {
        Spread::of(self.zip.iter().map(|r| r.wall.as_secs_f64()).collect())
    }

    fn zip_command(&self) -> &str {
        self.zip.first().map_or("zip", |z| z.command.as_str())
    }

    /// Every run writes the same entries: the archives differ only in their dates.
    fn archive_bytes(&self) -> u64 {
        self.ours.iter().map(|r| r.archive_bytes).max().unwrap_or(0)
    }

    fn zip_bytes(&self) -> u64 {
        self.zip.iter().map(|r| r.archive_bytes).max().unwrap_or(0)
    }

    fn wall_ratio(&self) -> f64 {
        self.ours_wall().median / self.zip_wall().median
    }

    fn size_ratio(&self) -> f64 {
        to_f64(self.archive_bytes()) / to_f64(self.zip_bytes())
    }

    /// The highest peak of all runs.
    fn peak_rss_mib(&self) -> f64 {
        kib_to_mib(self.ours.iter().map(|r| r.export.peak_rss_kib).max().unwrap_or(0))
    }

    /// Median CPU time of the export runs.
    fn export_cpu_secs(&self) -> f64 {
        let mut cpu: Vec<f64> = self.ours.iter().map(|r| r.export.cpu_secs).collect();
        cpu.sort_by(f64::total_cmp);
        cpu.get(cpu.len() / 2).copied().unwrap_or(0.0)
    }

    fn startup_rss_mib(&self) -> f64 {
        kib_to_mib(self.ours.iter().map(|r| r.export.startup_rss_kib).max().unwrap_or(0))
    }

    fn targets(&self) -> Vec<Target> {
        let wall = self.wall_ratio();
        let mut targets = vec![];
        match self.spec.kind {
            Kind::A => {
                // At eight times the corpus each side writes 3.2 GB, and the page cache's
                // writeback weighs on both: the target is looser there.
                let limit = if self.spec.scale >= 8.0 { 0.6 } else { 0.45 };
                targets.push(Target {
                    what: format!("wall ≤ {limit:.2}× {}", self.zip_command()),
                    held: wall <= limit,
                    measured: format!("{wall:.2}×"),
                });
            }
            Kind::B => {
                targets.push(Target {
                    what: format!("wall ≤ 0.35× {}", self.zip_command()),
                    held: wall <= 0.35,
                    measured: format!("{wall:.2}×"),
                });
                let size = self.size_ratio();
                targets.push(Target {
                    what: "size ≤ 1.00× zip's".to_owned(),
                    held: size <= 1.0,
                    measured: format!("{size:.3}×"),
                });
            }
        }
        let rss = self.peak_rss_mib();
        targets.push(Target {
            what: format!("peak RSS ≤ {RSS_TARGET_MIB:.0} MiB"),
            held: rss <= RSS_TARGET_MIB,
            measured: format!("{rss:.1} MiB"),
        });
        if let Some(parts) = &self.parts {
            let wall = parts.wall().median / self.ours_wall().median;
            targets.push(Target {
                what: format!("parts wall ≤ {PARTS_WALL_TARGET:.1}× one archive's"),
                held: wall <= PARTS_WALL_TARGET,
                measured: format!("{wall:.2}×"),
            });
            let rss = parts.peak_rss_mib() / self.peak_rss_mib();
            targets.push(Target {
                what: format!("parts peak RSS ≤ {PARTS_RSS_TARGET:.1}× one archive's"),
                held: rss <= PARTS_RSS_TARGET,
                measured: format!("{rss:.2}×"),
            });
        }
        if let Some(viewer) = &self.viewer {
            targets.push(Target {
                what: "each viewer page < 1 MB".to_owned(),
                held: viewer.largest_bytes < VIEWER_PAGE_LIMIT,
                measured: format!("largest {:.3} MB", mb(viewer.largest_bytes)),
            });
        }
        targets
    }
}

/// The per-corpus block, printed as soon as the corpus is done.
impl fmt::Display for CorpusResult {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files = to_f64(self.generated.files);
        let (ours, zip) = (self.ours_wall(), self.zip_wall());
        writeln!(
            out,
            "corpus {}: {} files, {:.1} MB, {}",
            self.spec.label(),
            self.generated.files,
            self.input_mb(),
            self.spec.content_type()
        )?;
        writeln!(
            out,
            "  {:<18} {:>7.2} s {:>7.1} MB/s {:>7.0} files/s   archive {:>8.2} MB   peak RSS {:.1} MiB{}",
            "mesdonnees export",
            ours.median,
            self.input_mb() / ours.median,
            files / ours.median,
            mb(self.archive_bytes()),
            self.peak_rss_mib(),
            ours.range(),
        )?;
        writeln!(
            out,
            "  {:<18} (child process {:.2} s; export CPU {:.2} s; peak RSS before the export {:.1} MiB; {})",
            "",
            self.process_wall().median,
            self.export_cpu_secs(),
            self.startup_rss_mib(),
            if self.checked { "archive passes unzip -t" } else { "unzip not installed: unchecked" },
        )?;
        writeln!(
            out,
            "  {:<18} {:>7.2} s {:>7.1} MB/s {:>7.0} files/s   archive {:>8.2} MB{}",
            self.zip_command(),
            zip.median,
            self.input_mb() / zip.median,
            files / zip.median,
            mb(self.zip_bytes()),
            zip.range(),
        )?;
        if let Some(parts) = &self.parts {
            let wall = parts.wall();
            writeln!(
                out,
                "  {:<18} {:>7.2} s {:>7.1} MB/s {:>7.0} files/s   {} parts {:>8.2} MB   peak RSS {:.1} MiB{}",
                "in parts",
                wall.median,
                self.input_mb() / wall.median,
                files / wall.median,
                parts.parts,
                mb(parts.bytes()),
                parts.peak_rss_mib(),
                wall.range(),
            )?;
            writeln!(
                out,
                "  {:<18} (parts of {} bytes; {}; wall {:.2}×, peak RSS {:.2}× one archive's)",
                "",
                parts.part_size,
                if parts.checked {
                    "each part passes unzip -t, all the files are there"
                } else {
                    "unzip not installed: unchecked"
                },
                wall.median / ours.median,
                parts.peak_rss_mib() / self.peak_rss_mib(),
            )?;
        }
        match &self.viewer {
            Some(v) => writeln!(
                out,
                "  {:<18} {} pages, the largest {} ({} bytes)",
                "viewer", v.count, v.largest_path, v.largest_bytes
            )?,
            None if self.checked => writeln!(out, "  {:<18} turned off", "viewer")?,
            None => {}
        }
        writeln!(
            out,
            "  {:<18} wall {:.2}×   size {:.3}×",
            "ours / zip",
            self.wall_ratio(),
            self.size_ratio()
        )?;
        for (i, target) in self.targets().iter().enumerate() {
            writeln!(
                out,
                "  {:<18} {}: {} ({})",
                if i == 0 { "targets" } else { "" },
                target.what,
                if target.held { "ok" } else { "MISS" },
                target.measured,
            )?;
        }
        Ok(())
    }
}

/// All corpora as one Markdown table, ready for docs/BENCHMARKS.md.
pub struct SummaryTable<'a>(pub &'a [CorpusResult]);

impl fmt::Display for SummaryTable<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            out,
            "| corpus | files | input MB | ours s | MB/s | files/s | archive MB | peak RSS MiB \
             | zip | zip s | zip archive MB | wall ours/zip | size ours/zip | targets |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|"
        )?;
        for r in self.0 {
            let (ours, zip) = (r.ours_wall().median, r.zip_wall().median);
            let targets: Vec<String> = r
                .targets()
                .iter()
                .map(|t| format!("{} {}", t.what, if t.held { "ok" } else { "MISS" }))
                .collect();
            writeln!(
                out,
                "| {} | {} | {:.1} | {ours:.2} | {:.1} | {:.0} | {:.2} | {:.1} | `{}` | {zip:.2} | {:.2} | {:.2} | {:.3} | {} |",
                r.spec.label(),
                r.generated.files,
                r.input_mb(),
                r.input_mb() / ours,
                to_f64(r.generated.files) / ours,
                mb(r.archive_bytes()),
                r.peak_rss_mib(),
                r.zip_command(),
                mb(r.zip_bytes()),
                r.wall_ratio(),
                r.size_ratio(),
                targets.join("; "),
            )?;
        }
        Ok(())
    }
}

/// The same corpus at two scales: whether the export's peak memory stayed flat.
pub struct Flatness<'a> {
    pub small: &'a CorpusResult,
    pub large: &'a CorpusResult,
}

impl fmt::Display for Flatness<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (small, large) = (self.small.peak_rss_mib(), self.large.peak_rss_mib());
        let ratio = large / small;
        writeln!(
            out,
            "corpus {}: peak RSS {large:.1} MiB at scale {} against {small:.1} MiB at scale {}: \
             {ratio:.2}× (target ≤ {FLAT_RSS_TARGET:.1}×: {})",
            self.small.spec.label(),
            self.large.spec.scale,
            self.small.spec.scale,
            if ratio <= FLAT_RSS_TARGET { "ok" } else { "MISS" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_takes_the_median() {
        let odd = Spread::of(vec![3.0, 1.0, 2.0]);
        assert!((odd.median - 2.0).abs() < 1e-9 && odd.min < 1.5 && odd.max > 2.5);
        assert!((Spread::of(vec![4.0, 1.0, 2.0, 3.0]).median - 2.5).abs() < 1e-9);
        assert!(Spread::of(vec![1.0]).range().is_empty());
    }
}
