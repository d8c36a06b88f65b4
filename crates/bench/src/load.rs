//! `mesdonnees-bench load`: the release `mesdonnees api` on Postgres + Redis under `wrk`, with
//! thousands of distinct users. `POST /api/v1/exports` first (each request a user of its own,
//! as one export per user may be in progress), then `GET /api/v1/exports/{id}` over the exports
//! that phase created, each with its owner's token. Each run also runs pgbench on the same
//! server with as many clients (`pgbench.rs`), and the rates are given as ratios to pgbench's.

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use clap::Args;
use diesel::{Connection, ExpressionMethods, PgConnection, QueryDsl, RunQueryDsl};
use mesdonnees_infra::auth::TokenKeys;
use mesdonnees_infra::config::{Algorithm, AuthConfig};
use mesdonnees_infra::{Config, Mode};

use crate::pgbench::{PgBench, Script};
use crate::report::Spread;

/// Each phase's rate over pgbench's on the same server, and the GET phase's tail latency
/// (docs/BENCHMARKS.md).
const TARGET_RATIO: f64 = 0.6;
const GET_TARGET_P99_MS: f64 = 10.0;

const SECRET: &str = "load-test-secret-load-test-secret-0123456789";
const TOKEN_TTL_SECS: u64 = 3_600;

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// A Postgres server URL; a database of its own is created there and dropped at the end.
    #[arg(
        long,
        env = "TEST_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    database_url: String,
    #[arg(long, env = "TEST_REDIS_URL", default_value = "redis://127.0.0.1:6379")]
    redis_url: String,
    /// Seconds each phase runs.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=600))]
    seconds: u32,
    /// Open connections `wrk` keeps.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
    connections: u32,
    /// `wrk` threads (each takes CPU from the service on a small machine).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
    threads: u32,
    /// Distinct users the POST phase may use; each creates at most one export. The run fails
    /// if the phase needs more (raise it).
    #[arg(long, default_value_t = 40_000)]
    users: u32,
    /// `http.workers` of the API (0: one per core).
    #[arg(long, default_value_t = 0)]
    http_workers: u32,
    /// `database.pool_size` of the API. More connections than a few per core make Postgres
    /// backends, blocking threads and `wrk` queue for the same two cores: throughput stays,
    /// the tail latency grows (16 gave p99 from 7 ms to 430 ms from run to run, 8 up to 12 ms).
    #[arg(long, default_value_t = 6)]
    pool_size: u32,
    /// Runs of both sides, each going first in turn; with more than one, the medians.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=50))]
    runs: u32,
}

/// What one `wrk` run measured.
struct Phase {
    requests: u64,
    seconds: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    non_2xx: u64,
    socket_errors: u64,
}

impl Phase {
    fn rps(&self) -> f64 {
        crate::num::to_f64(self.requests) / self.seconds
    }
}

pub fn run(args: &LoadArgs) -> Result<()> {
    let wrk = which("wrk").context("wrk is needed: apt-get install wrk")?;
    let api_bin = std::env::current_exe()?.with_file_name("mesdonnees");
    ensure!(
        api_bin.exists(),
        "{} is missing: cargo build --release -p mesdonnees -p mesdonnees-bench",
        api_bin.display()
    );
    let pgbench = PgBench::create(&args.database_url, args.connections, args.seconds)?;
    println!(
        "load: mesdonnees api on Postgres + Redis, {} s per phase, wrk {} thread(s) x {} connections; \
         pgbench -M prepared -c {} -j 1 on the same server; {} run(s)",
        args.seconds, args.threads, args.connections, args.connections, args.runs
    );
    let mut runs = Vec::new();
    for run in 1..=args.runs {
        // Each side goes first in turn, so that neither always finds the other's leftovers
        // (dirty pages being written back, a cache warmed or cooled).
        let (api, reference) = if run % 2 == 1 {
            let api = api_run(args, &wrk, &api_bin, run)?;
            (api, reference_run(&pgbench)?)
        } else {
            let reference = reference_run(&pgbench)?;
            (api_run(args, &wrk, &api_bin, run)?, reference)
        };
        println!("\nrun {run}/{}:", args.runs);
        print_phase("POST /api/v1/exports", &api.post, api.created);
        print_ratio("pgbench tpcb-like", &api.post, reference.tpcb, None);
        print_phase("GET /api/v1/exports/{id}", &api.get, api.created);
        print_ratio("pgbench -S", &api.get, reference.select, Some(GET_TARGET_P99_MS));
        runs.push((api, reference));
    }
    if runs.len() > 1 {
        print_summary(&runs);
    }
    Ok(())
}

/// What one run of the API measured.
struct ApiRun {
    post: Phase,
    get: Phase,
    /// Exports the POST phase created, each for a user of its own.
    created: usize,
}

/// pgbench's rates in one run, in transactions a second.
struct Reference {
    tpcb: f64,
    select: f64,
}

fn reference_run(pgbench: &PgBench) -> Result<Reference> {
    eprintln!("pgbench: tpcb-like, then select-only…");
    let tpcb = pgbench.run(Script::TpcbLike)?;
    Ok(Reference { tpcb, select: pgbench.run(Script::SelectOnly)? })
}

/// The API on a database and a queue of its own (so that every user of the POST phase is new),
/// under `wrk`: POST, then GET over what the POST phase created.
fn api_run(args: &LoadArgs, wrk: &Path, api_bin: &Path, run: u32) -> Result<ApiRun> {
    eprintln!("api: POST, then GET…");
    let dir = tempfile::tempdir()?;
    let database = ScratchDatabase::create(&args.database_url, "load")?;
    let queue = ScratchQueue {
        url: args.redis_url.clone(),
        name: format!("mesdonnees-load-{}-{run}", std::process::id()),
    };
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let env = api_env(args, dir.path(), &database.url, &queue.name);
    let migrated = Command::new(api_bin).arg("migrate").envs(env.clone()).status()?;
    ensure!(migrated.success(), "mesdonnees migrate failed");
    let api = ApiProcess::start(api_bin, port, &env)?;
    wait_ready(port)?;

    let keys = token_keys(dir.path())?;
    let users: Vec<String> = (0..args.users).map(|i| format!("load-user-{i:06}")).collect();
    let tokens = mint_all(&keys, &users)?;
    let post_script = lua_script(
        "POST",
        Some(r#"{"apps":["workspace"]}"#),
        tokens.iter().map(|t| ("/api/v1/exports".to_owned(), t.as_str())),
        args.threads,
        false,
    );
    let post = run_wrk(wrk, dir.path(), "post", &post_script, args, port)?;
    ensure!(
        post.requests <= u64::from(args.users),
        "the POST phase made {} requests for {} users: some users created twice (raise --users)",
        post.requests,
        args.users
    );

    // The POST phase's writes reach the disk before the GET phase starts, so that their
    // writeback is not counted in the reads' latency.
    ensure!(Command::new("sync").status()?.success(), "sync failed");
    let created = created_exports(&database.url)?;
    ensure!(!created.is_empty(), "the POST phase created no export");
    let token_of: std::collections::HashMap<&str, &str> =
        users.iter().map(String::as_str).zip(tokens.iter().map(String::as_str)).collect();
    let get_script = lua_script(
        "GET",
        None,
        created
            .iter()
            .map(|(owner, id)| (format!("/api/v1/exports/{id}"), token_of[owner.as_str()])),
        args.threads,
        true,
    );
    let get = run_wrk(wrk, dir.path(), "get", &get_script, args, port)?;
    drop(api);
    ensure!(
        get.non_2xx == 0 && get.socket_errors == 0 && post.socket_errors == 0,
        "errors under load: GET non-2xx {}, socket errors GET {} POST {}",
        get.non_2xx,
        get.socket_errors,
        post.socket_errors
    );
    ensure!(
        post.non_2xx == 0,
        "{} POST answers were not 202 (rate limit or conflict: raise --users)",
        post.non_2xx
    );
    Ok(ApiRun { post, get, created: created.len() })
}

fn print_phase(label: &str, phase: &Phase, users: usize) {
    println!(
        "{label}: {:.0} req/s ({} requests in {:.1} s, {users} distinct users), p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, non-2xx {}, socket errors {}",
        phase.rps(),
        phase.requests,
        phase.seconds,
        phase.p50_ms,
        phase.p90_ms,
        phase.p99_ms,
        phase.p999_ms,
        phase.non_2xx,
        phase.socket_errors
    );
}

/// The phase's rate as a ratio to pgbench's, and its p99 when it has a target.
fn print_ratio(reference: &str, phase: &Phase, tps: f64, p99_target: Option<f64>) {
    let ratio = phase.rps() / tps;
    let mut line = format!(
        "  {reference}: {tps:.0} tps; ratio {ratio:.2} (target ≥ {TARGET_RATIO:.1}: {})",
        met(ratio >= TARGET_RATIO)
    );
    if let Some(p99) = p99_target {
        let _ = write!(
            line,
            "; p99 {:.2} ms (target ≤ {p99:.0} ms: {})",
            phase.p99_ms,
            met(phase.p99_ms <= p99)
        );
    }
    println!("{line}");
}

fn met(yes: bool) -> &'static str {
    if yes { "met" } else { "missed" }
}

/// Medians over the runs (and their ranges): each rate, each ratio, the GET phase's p99.
fn print_summary(runs: &[(ApiRun, Reference)]) {
    let (_, post) = spread(runs.iter().map(|(a, _)| a.post.rps()).collect(), 0);
    let (_, tpcb) = spread(runs.iter().map(|(_, r)| r.tpcb).collect(), 0);
    let (post_ratio_median, post_ratio) =
        spread(runs.iter().map(|(a, r)| a.post.rps() / r.tpcb).collect(), 2);
    let (_, get) = spread(runs.iter().map(|(a, _)| a.get.rps()).collect(), 0);
    let (_, select) = spread(runs.iter().map(|(_, r)| r.select).collect(), 0);
    let (get_ratio_median, get_ratio) =
        spread(runs.iter().map(|(a, r)| a.get.rps() / r.select).collect(), 2);
    let (p99_median, p99) = spread(runs.iter().map(|(a, _)| a.get.p99_ms).collect(), 2);
    println!("\nmedian of {} runs (range):", runs.len());
    println!("| phase | req/s | pgbench | tps | ratio | p99 ms | targets |");
    println!("|---|---:|---|---:|---:|---:|---|");
    println!(
        "| `POST /api/v1/exports` | {post} | tpcb-like | {tpcb} | {post_ratio} | — | ratio ≥ {TARGET_RATIO:.1} {} |",
        met(post_ratio_median >= TARGET_RATIO)
    );
    println!(
        "| `GET /api/v1/exports/{{id}}` | {get} | `-S` | {select} | {get_ratio} | {p99} | ratio ≥ {TARGET_RATIO:.1} {}; p99 ≤ {GET_TARGET_P99_MS:.0} ms {} |",
        met(get_ratio_median >= TARGET_RATIO),
        met(p99_median <= GET_TARGET_P99_MS)
    );
}

/// `median (min–max)` of a rate or a ratio.
fn spread(values: Vec<f64>, decimals: usize) -> (f64, String) {
    let s = Spread::of(values);
    (s.median, format!("{:.decimals$} ({:.decimals$}–{:.decimals$})", s.median, s.min, s.max))
}

/// The API's configuration: production mode on the given services, logs at `warn` so the
/// measure is of serving, not of writing logs.
fn api_env(args: &LoadArgs, data: &Path, database: &str, queue: &str) -> Vec<(String, String)> {
    [
        ("MESDONNEES__DATA_DIR", data.display().to_string()),
        ("MESDONNEES__DATABASE__URL", database.to_owned()),
        ("MESDONNEES__DATABASE__POOL_SIZE", args.pool_size.to_string()),
        ("MESDONNEES__QUEUE__REDIS_URL", args.redis_url.clone()),
        ("MESDONNEES__QUEUE__NAME", queue.to_owned()),
        ("MESDONNEES__HTTP__WORKERS", args.http_workers.to_string()),
        ("MESDONNEES__AUTH__HS256_SECRET", SECRET.to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(std::env::vars().filter(|(k, _)| k == "PATH"))
    .collect()
}

fn token_keys(data: &Path) -> Result<TokenKeys> {
    let defaults = Config::default();
    let auth = AuthConfig {
        algorithm: Algorithm::HS256,
        hs256_secret: Some(SECRET.to_owned()),
        ..defaults.auth
    };
    Ok(TokenKeys::load(&auth, Mode::Production, data)?)
}

fn mint_all(keys: &TokenKeys, users: &[String]) -> Result<Vec<String>> {
    users
        .iter()
        .map(|u| keys.mint(u, None, &[], TOKEN_TTL_SECS).context("minting a token"))
        .collect()
}

/// A `wrk` script cycling through `(path, token)` pairs: thread `t` of `threads` takes pairs
/// `t`, `t + threads`, … so no pair is used twice until all have been; past the end it wraps
/// (`wrap`) or repeats the last pair, which the POST phase then sees as a conflict.
fn lua_script<'a>(
    method: &str,
    body: Option<&str>,
    pairs: impl Iterator<Item = (String, &'a str)>,
    threads: u32,
    wrap: bool,
) -> String {
    let mut lua = String::from("local pairs_ = {\n");
    for (path, token) in pairs {
        let _ = writeln!(lua, "{{\"{path}\", \"Bearer {token}\"}},");
    }
    let body = body.map_or_else(|| "nil".to_owned(), |b| format!("'{b}'"));
    let _ = write!(
        lua,
        r#"}}
local next_thread = 0
function setup(thread)
  thread:set("first", next_thread)
  next_thread = next_thread + 1
end
-- Every request of this thread formatted once, before the clock starts: formatting them as
-- they go makes garbage whose collection pauses the thread that holds every connection, and
-- those pauses would be counted as the service's latency.
local requests_ = {{}}
function init(args)
  local i = first
  while i < #pairs_ do
    local p = pairs_[i + 1]
    requests_[#requests_ + 1] = wrk.format("{method}", p[1], {{["Authorization"] = p[2], ["Content-Type"] = "application/json"}}, {body})
    i = i + {threads}
  end
  pairs_ = nil
  collectgarbage()
end
local n = 0
function request()
  n = n + 1
  if n > #requests_ then
    if {wrap} then n = 1 else n = #requests_ end
  end
  return requests_[n]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk-result %d %d %.3f %.3f %.3f %.3f %d %d\n", summary.requests,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
"#
    );
    lua
}

fn run_wrk(
    wrk: &Path,
    dir: &Path,
    name: &str,
    script: &str,
    args: &LoadArgs,
    port: u16,
) -> Result<Phase> {
    let path = dir.join(format!("{name}.lua"));
    std::fs::write(&path, script)?;
    let output = Command::new(wrk)
        .arg(format!("-t{}", args.threads))
        .arg(format!("-c{}", args.connections))
        .arg(format!("-d{}s", args.seconds))
        .arg("-s")
        .arg(&path)
        .arg(format!("http://127.0.0.1:{port}"))
        .stderr(Stdio::inherit())
        .output()
        .context("running wrk")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(output.status.success(), "wrk failed:\n{stdout}");
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("wrk-result "))
        .with_context(|| format!("no result line from wrk:\n{stdout}"))?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    ensure!(fields.len() == 8, "unexpected wrk result line: {line}");
    let duration_us: f64 = fields[1].parse()?;
    Ok(Phase {
        requests: fields[0].parse()?,
        seconds: duration_us / 1e6,
        p50_ms: fields[2].parse()?,
        p90_ms: fields[3].parse()?,
        p99_ms: fields[4].parse()?,
        p999_ms: fields[5].parse()?,
        non_2xx: fields[6].parse()?,
        socket_errors: fields[7].parse()?,
    })
}

/// `(owner, export id)` of every export in the load database.
fn created_exports(url: &str) -> Result<Vec<(String, String)>> {
    use mesdonnees_db::schema::exports::dsl;
    let mut conn = PgConnection::establish(url)?;
    Ok(dsl::exports.select((dsl::owner_id, dsl::id)).order(dsl::id.asc()).load(&mut conn)?)
}

/// A database of its own on the server, dropped at the end.
pub struct ScratchDatabase {
    admin: String,
    name: String,
    pub url: String,
}

impl ScratchDatabase {
    /// `mesdonnees_<purpose>_<pid>`, made anew (one a crashed run left is dropped first).
    pub fn create(admin: &str, purpose: &str) -> Result<Self> {
        let name = format!("mesdonnees_{purpose}_{}", std::process::id());
        let mut conn = PgConnection::establish(admin)
            .with_context(|| format!("Postgres does not answer at {admin}"))?;
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn)?;
        let Some((server, _)) = admin.rsplit_once('/') else {
            bail!("the database URL must name a database")
        };
        Ok(Self { admin: admin.to_owned(), url: format!("{server}/{name}"), name })
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin) {
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = diesel::sql_query(drop).execute(&mut conn);
        }
    }
}

/// The queue's keys in Redis, removed at the end: each POST leaves a job there, and no worker
/// runs to take them.
struct ScratchQueue {
    url: String,
    name: String,
}

impl Drop for ScratchQueue {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        runtime.block_on(async {
            let Ok(client) = redis::Client::open(self.url.as_str()) else { return };
            let Ok(mut conn) = client.get_multiplexed_async_connection().await else { return };
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(format!("{}*", self.name))
                .query_async(&mut conn)
                .await
                .unwrap_or_default();
            for chunk in keys.chunks(1000) {
                let _: Result<(), _> = redis::cmd("DEL").arg(chunk).query_async(&mut conn).await;
            }
        });
    }
}

/// The `mesdonnees api` process, stopped with the bench.
struct ApiProcess(Child);

impl ApiProcess {
    fn start(bin: &Path, port: u16, env: &[(String, String)]) -> Result<Self> {
        let child = Command::new(bin)
            .args(["api", "--bind", &format!("127.0.0.1:{port}"), "--no-migrate"])
            .env_clear()
            .envs(env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting mesdonnees api")?;
        Ok(Self(child))
    }
}

fn wait_ready(port: u16) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            stream.write_all(b"GET /readyz HTTP/1.0\r\n\r\n")?;
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the API did not become ready within 30 s")
}

impl Drop for ApiProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}
