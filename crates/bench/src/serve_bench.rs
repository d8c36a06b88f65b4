//! `mesdonnees-bench serve`: the release `mesdonnees serve` (API and worker in one process) on
//! the embedded defaults (SQLite, local store, in-process queue) over corpus A's data, and its
//! peak RSS (`VmHWM`, read from /proc) during exports requested over HTTP: one export of the
//! whole corpus, then, in a process started afresh, many exports requested at once, the corpus's
//! files shared out among as many users (one export in progress per user).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail, ensure};
use clap::Args;
use diesel::RunQueryDsl;
use mesdonnees_infra::auth::TokenKeys;
use mesdonnees_infra::{Config, Mode};
use serde_json::Value;

use crate::corpus::{self, Kind, OWNER, Spec};
use crate::setup;

/// Targets of docs/BENCHMARKS.md, in MiB.
const ONE_TARGET_MIB: f64 = 64.0;
const MANY_TARGET_MIB: f64 = 128.0;

/// Longest a phase may take before the bench gives up.
const PHASE_LIMIT: Duration = Duration::from_secs(1800);

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Multiplies corpus A's file count (and so its bytes).
    #[arg(long, default_value_t = 1.0, value_parser = crate::parse_scale)]
    scale: f64,
    /// Where the data goes (kept); a temporary folder when absent (removed at the end).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Exports requested at once in the second phase, each by a user of its own.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
    at_once: u32,
}

/// What one phase measured.
struct Phase {
    exports: usize,
    wall: Duration,
    ready_rss_kib: u64,
    peak_rss_kib: u64,
    /// Most exports seen `running` at the same time by the polling.
    most_running: usize,
}

pub fn run(runtime: &tokio::runtime::Runtime, args: &ServeArgs) -> Result<()> {
    let bin = std::env::current_exe()?.with_file_name("mesdonnees");
    ensure!(
        bin.exists(),
        "{} is missing: cargo build --release -p mesdonnees -p mesdonnees-bench",
        bin.display()
    );
    let (root, _temp) = crate::bench_root(args.dir.as_deref())?;
    let data = root.join("data-serve");
    let tree = root.join("tree-serve");
    for dir in [&data, &tree] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
        }
    }
    let spec = Spec::new(Kind::A, args.scale);
    let ctx = runtime.block_on(setup::context(&data))?;
    let objects = ctx.storage.local_root.clone().context("the bench store is a local folder")?;
    eprintln!("serve: generating corpus A ({} files)…", spec.files);
    corpus::generate(&spec, &objects, &tree, &mut |rows| {
        runtime.block_on(setup::insert_documents(&ctx, rows))
    })?;
    // The plain tree is `zip`'s side of the export bench; nothing here reads it.
    std::fs::remove_dir_all(&tree)?;
    let keys = TokenKeys::load(&Config::default().auth, Mode::Development, &data)?;
    println!("serve: mesdonnees serve on the embedded defaults, corpus A at scale {}", args.scale);

    let one = phase(&bin, &data, &keys, &[OWNER.to_owned()])?;
    print_phase("one export of the corpus", &one, ONE_TARGET_MIB);

    let users: Vec<String> = (0..args.at_once).map(|i| format!("serve-{i:04}")).collect();
    runtime.block_on(share_out(&ctx, args.at_once))?;
    drop(ctx);
    let many = phase(&bin, &data, &keys, &users)?;
    let label = format!("{} exports at once, the corpus shared out", args.at_once);
    print_phase(&label, &many, MANY_TARGET_MIB);
    Ok(())
}

/// Gives every file of the corpus to one of `users` users, at the root of their documents, so
/// that their exports together hold the corpus.
async fn share_out(ctx: &mesdonnees_infra::Context, users: u32) -> Result<()> {
    ctx.db
        .run(move |conn| {
            let sql = format!(
                "UPDATE documents SET owner_id = printf('serve-%04d', rowid % {users}), \
                 parent_id = NULL WHERE kind = 'file'"
            );
            diesel::sql_query(sql).execute(conn)?;
            Ok(())
        })
        .await
        .context("sharing the corpus out")
}

/// Starts `mesdonnees serve`, asks one export per user at once, waits for them all to be
/// ready, and reads the process's peak RSS.
fn phase(bin: &Path, data: &Path, keys: &TokenKeys, users: &[String]) -> Result<Phase> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let server = Server::start(bin, data, port)?;
    server.wait_ready()?;
    let ready_rss_kib = vm_hwm_kib(server.child.id())?;
    let tokens = users
        .iter()
        .map(|u| keys.mint(u, None, &[], 3600).context("minting a token"))
        .collect::<Result<Vec<_>>>()?;
    let started = Instant::now();
    let mut exports = Vec::with_capacity(tokens.len());
    for token in &tokens {
        let (status, body) =
            request(port, "POST", "/api/v1/exports", token, Some(r#"{"apps":["workspace"]}"#))?;
        ensure!(status == 202, "POST /api/v1/exports answered {status}: {body}");
        let id = body["id"].as_str().ok_or_else(|| anyhow!("no id in {body}"))?.to_owned();
        exports.push((id, token));
    }
    let mut most_running = 0;
    let mut waiting = exports;
    while !waiting.is_empty() {
        ensure!(started.elapsed() < PHASE_LIMIT, "the exports did not finish in time");
        std::thread::sleep(Duration::from_millis(200));
        let mut running = 0;
        let mut still = Vec::with_capacity(waiting.len());
        for (id, token) in waiting {
            let (status, body) =
                request(port, "GET", &format!("/api/v1/exports/{id}"), token, None)?;
            ensure!(status == 200, "GET /api/v1/exports/{id} answered {status}: {body}");
            match body["status"].as_str() {
                Some("ready") => {}
                Some("queued") => still.push((id, token)),
                Some("running") => {
                    running += 1;
                    still.push((id, token));
                }
                _ => bail!("export {id} ended {body}"),
            }
        }
        most_running = most_running.max(running);
        waiting = still;
    }
    let wall = started.elapsed();
    let peak_rss_kib = vm_hwm_kib(server.child.id())?;
    Ok(Phase { exports: users.len(), wall, ready_rss_kib, peak_rss_kib, most_running })
}

fn print_phase(label: &str, phase: &Phase, target_mib: f64) {
    let mib = |kib: u64| crate::num::to_f64(kib) / 1024.0;
    let peak = mib(phase.peak_rss_kib);
    println!(
        "  {label}: {} export(s) in {:.2} s, at most {} running at once; peak RSS {peak:.1} MiB \
         (ready: {:.1} MiB); peak RSS ≤ {target_mib} MiB {}; load average {}",
        phase.exports,
        phase.wall.as_secs_f64(),
        phase.most_running,
        mib(phase.ready_rss_kib),
        if peak <= target_mib { "ok" } else { "MISS" },
        load_average(),
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "?".to_owned(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// VmHWM of process `pid`, in KiB (Linux).
fn vm_hwm_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    crate::child::parse_vm_hwm(&status).ok_or_else(|| anyhow!("no VmHWM for {pid}"))
}

/// One HTTP/1.0 request with a bearer token; the status and the JSON body.
fn request(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> Result<(u16, Value)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n").ok_or_else(|| anyhow!("no HTTP answer"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("bad status line in {head}"))?;
    Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

/// The `mesdonnees serve` process, stopped with the phase.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(bin: &Path, data: &Path, port: u16) -> Result<Self> {
        let child = Command::new(bin)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env_clear()
            .env("MESDONNEES__DATA_DIR", data)
            .env("RUST_LOG", "warn")
            .envs(std::env::vars().filter(|(k, _)| k == "PATH"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting mesdonnees serve")?;
        Ok(Self { child, port })
    }

    fn wait_ready(&self) -> Result<()> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok((200, _)) = request(self.port, "GET", "/readyz", "", None) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("mesdonnees serve did not become ready within 60 s")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
