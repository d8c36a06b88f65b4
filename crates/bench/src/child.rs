//! The export runs in a child process (this binary, `run-export`), so that the peak RSS it
//! reports is the export's own, not the generator's or the parent's. This binary uses the
//! `mesdonnees` binary's allocator, so the RSS is the one a worker would show.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, ensure};
use serde::{Deserialize, Serialize};

use crate::setup;

/// What the child prints on its last stdout line.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ExportRun {
    /// Wall time of `export::run` alone, in seconds.
    pub wall_secs: f64,
    /// Peak resident set (VmHWM) of the child over its whole life, in KiB.
    pub peak_rss_kib: u64,
    /// Peak resident set once the context was built, before the export, in KiB.
    pub startup_rss_kib: u64,
    /// CPU time (user + system, all threads) of the export, in seconds: above the wall time
    /// when it kept both cores busy.
    #[serde(default)]
    pub cpu_secs: f64,
}

/// The child side: builds the context like a worker, runs the export (with the archive's
/// viewer unless `no_viewer`), reports.
pub fn run_export(
    runtime: &tokio::runtime::Runtime,
    dir: &Path,
    export_id: &str,
    no_viewer: bool,
) -> Result<()> {
    let ctx = runtime.block_on(setup::context(dir))?;
    let startup_rss_kib = peak_rss_kib()?;
    let export_id = export_id.to_owned();
    let cpu_before = cpu_secs()?;
    // Spawned, as the worker runs a job: on the runtime's worker threads, not on this one.
    let task = runtime.spawn(async move {
        let started = Instant::now();
        let interrupt = std::future::pending();
        let done = if no_viewer {
            mesdonnees_worker::export::run_without_viewer(&ctx, &export_id, interrupt).await
        } else {
            mesdonnees_worker::export::run(&ctx, &export_id, interrupt).await
        };
        done.map_err(|e| anyhow!("export failed: {e}"))?;
        Ok::<_, anyhow::Error>(started.elapsed())
    });
    let wall = runtime.block_on(task).context("the export task panicked")??;
    let report = ExportRun {
        wall_secs: wall.as_secs_f64(),
        peak_rss_kib: peak_rss_kib()?,
        startup_rss_kib,
        cpu_secs: cpu_secs()? - cpu_before,
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// The parent side: runs the child and reads its report; also returns the child's whole
/// process time (start, context, export, exit).
pub fn spawn_export(dir: &Path, export_id: &str, viewer: bool) -> Result<(ExportRun, Duration)> {
    let exe = std::env::current_exe().context("locating the bench binary")?;
    let started = Instant::now();
    let output = Command::new(exe)
        .arg("run-export")
        .arg("--dir")
        .arg(dir)
        .arg("--export-id")
        .arg(export_id)
        .args((!viewer).then_some("--no-viewer"))
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("starting run-export")?;
    let elapsed = started.elapsed();
    ensure!(output.status.success(), "run-export failed ({})", output.status);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line =
        stdout.lines().last().ok_or_else(|| anyhow!("run-export printed nothing on stdout"))?;
    let run = serde_json::from_str(line)
        .with_context(|| format!("reading run-export's report {line:?}"))?;
    Ok((run, elapsed))
}

/// VmHWM of this process, in KiB (Linux).
pub fn peak_rss_kib() -> Result<u64> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    parse_vm_hwm(&status).ok_or_else(|| anyhow!("no VmHWM in /proc/self/status"))
}

/// User + system time of this process so far, from /proc/self/stat (in USER_HZ ticks, 100 a
/// second on Linux whatever the kernel's own tick).
pub fn cpu_secs() -> Result<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").context("reading /proc/self/stat")?;
    // Fields after the command name (which may hold spaces) start with the state, field 3.
    let rest = stat.rsplit_once(')').map(|(_, rest)| rest).ok_or_else(|| anyhow!("bad stat"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> Result<f64> {
        let value: u32 = fields.get(i).ok_or_else(|| anyhow!("short stat"))?.parse()?;
        Ok(f64::from(value))
    };
    // utime and stime are fields 14 and 15, so 11 and 12 after the state.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

pub fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut fields = line.split_whitespace().skip(1);
    let value = fields.next()?.parse().ok()?;
    match fields.next() {
        Some("kB") => Some(value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_hwm() {
        let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    4321 kB\nVmRSS:\t 100 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(4321));
        assert_eq!(parse_vm_hwm("VmRSS: 1 kB\n"), None);
    }
}
