//! `mesdonnees`: one binary, several roles.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use figment::providers::Serialized;
use mesdonnees::{Roles, start};
use mesdonnees_infra::auth::{KeySource, TokenKeys};
use mesdonnees_infra::config::LogFormat;
use mesdonnees_infra::{Config, Context};
use mesdonnees_shared::UserId;

#[derive(Debug, Parser)]
#[command(name = "mesdonnees", version, about = "Export and import of a user's data for ENTs")]
struct Cli {
    /// TOML configuration file (layered over the defaults, under the environment).
    #[arg(long, global = true, env = "MESDONNEES_CONFIG")]
    config: Option<PathBuf>,
    /// Folder of the embedded defaults: SQLite database, local objects, development key.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// API and worker in one process (the default).
    Serve(ServeArgs),
    /// The HTTP API alone (needs a Redis queue for the workers).
    Api(ServeArgs),
    /// The job worker alone (needs a Redis queue).
    Worker,
    /// Apply the embedded database migrations.
    Migrate,
    /// Print the OpenAPI document.
    Openapi(OpenapiArgs),
    /// Print the reference of failure codes (docs/ERRORS.md).
    Errors,
    /// About the configuration itself.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a bearer token this instance accepts (HS256 key: configured or development).
    Token(TokenArgs),
    /// Check an archive offline: structure, signature, every file. Exit 0 valid, 1 altered,
    /// 2 usage, 3 intact but signed by no trusted key.
    Verify(mesdonnees::verify::VerifyArgs),
    #[command(flatten)]
    Operator(mesdonnees::ops::OperatorCommand),
}

#[derive(Debug, clap::Args, Default)]
struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Do not apply migrations at start.
    #[arg(long)]
    no_migrate: bool,
}

#[derive(Debug, clap::Args)]
struct TokenArgs {
    /// The user id (`sub`).
    #[arg(long)]
    user: String,
    /// Display name (`name`).
    #[arg(long)]
    name: Option<String>,
    /// A right (`rights`); repeat for several.
    #[arg(long = "right")]
    rights: Vec<String>,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    ttl: u64,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print the reference of every key, with its default (docs/CONFIGURATION.md).
    Reference,
}

#[derive(Debug, clap::Args)]
struct OpenapiArgs {
    /// The app connector contract (openapi/connector.json) instead of this service's API.
    #[arg(long)]
    connector: bool,
}

fn main() -> anyhow::Result<()> {
    mesdonnees_infra::memory::limit_allocator_arenas();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    if let Command::Verify(args) = &command {
        std::process::exit(mesdonnees::verify::main(args).into());
    }
    if let Command::Operator(command) = command {
        let figment = figment_of(cli.config.as_deref(), cli.data_dir);
        std::process::exit(mesdonnees::ops::main(command, figment, init_logging).into());
    }
    if let Command::Openapi(args) = &command {
        let doc = if args.connector {
            mesdonnees_shared::connector::contract_document().to_pretty_json()?
        } else {
            mesdonnees_api::openapi().to_pretty_json()?
        };
        println!("{doc}");
        return Ok(());
    }
    if let Command::Errors = command {
        print!("{}", mesdonnees_shared::error_code::reference());
        return Ok(());
    }
    if let Command::Config(ConfigCommand::Reference) = &command {
        print!("{}", mesdonnees_infra::config::reference());
        return Ok(());
    }
    let config = load_config(cli.config.as_deref(), cli.data_dir, &command)?;
    init_logging(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Blocking threads read and compress export entries and run database queries; more
        // than this only adds memory, the work is bounded by the cores.
        .max_blocking_threads(64)
        .build()?;
    let result = runtime.block_on(run(command, config));
    // A blocking task still busy (a query, a file being read) must not hold the exit: whatever
    // it served has been handed back by now.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    result
}

fn load_config(
    file: Option<&std::path::Path>,
    data_dir: Option<PathBuf>,
    command: &Command,
) -> anyhow::Result<Config> {
    let mut figment = figment_of(file, data_dir);
    if let Command::Serve(args) | Command::Api(args) = command {
        if let Some(bind) = args.bind {
            figment = figment.merge(Serialized::default("http.bind", bind.to_string()));
        }
        if args.no_migrate {
            figment = figment.merge(Serialized::default("database.run_migrations", false));
        }
    }
    Config::from_figment(&figment).context("cannot load the configuration")
}

/// The configuration's layers with the global flags on top.
fn figment_of(file: Option<&std::path::Path>, data_dir: Option<PathBuf>) -> figment::Figment {
    let figment = Config::figment(file);
    match data_dir {
        Some(dir) => figment.merge(Serialized::default("data_dir", dir)),
        None => figment,
    }
}

fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log.format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).init(),
        LogFormat::Text => builder.init(),
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Openapi(_) | Command::Errors | Command::Config(_) => unreachable_openapi(),
        Command::Token(args) => token(&config, &args),
        Command::Migrate => {
            // Only the database: migrating must not need the queue or the signing key.
            let db = mesdonnees_db::Database::connect(
                &config.database.url,
                1,
                std::time::Duration::from_secs(config.database.acquire_timeout_secs),
            )?;
            let applied = db.run_migrations()?;
            tracing::info!(applied, "migrations applied");
            Ok(())
        }
        Command::Serve(_) => serve(config, Roles { api: true, worker: true }).await,
        Command::Api(_) => serve(config, Roles { api: true, worker: false }).await,
        Command::Worker => serve(config, Roles { api: false, worker: true }).await,
        Command::Operator(_) | Command::Verify(_) => {
            anyhow::bail!("operator commands and verify are run before the runtime starts")
        }
    }
}

fn unreachable_openapi() -> anyhow::Result<()> {
    anyhow::bail!("documents are printed before the runtime starts")
}

fn token(config: &Config, args: &TokenArgs) -> anyhow::Result<()> {
    let user = UserId::parse(&args.user).context("--user is not a valid user id")?;
    anyhow::ensure!(
        args.ttl > 0 && args.ttl <= config.limits.max_token_ttl_secs,
        "--ttl must be between 1 and {} seconds",
        config.limits.max_token_ttl_secs
    );
    let keys = TokenKeys::load(&config.auth, config.mode, &config.data_dir)?;
    let token = keys.mint(user.as_str(), args.name.as_deref(), &args.rights, args.ttl)?;
    println!("{token}");
    // On stderr, so that `TOKEN=$(mesdonnees token …)` still captures the token alone.
    if config.http.web_page {
        eprintln!("« Mes données » for this user: {}", page_url(config, config.http.bind, &token));
    }
    Ok(())
}

/// The page's address carrying a token in its fragment, which browsers never send to a server.
fn page_url(config: &Config, bind: SocketAddr, token: &str) -> String {
    let base = config.http.public_url.as_deref().map_or_else(
        || {
            // A wildcard bind is reached on loopback from this machine.
            let host = if bind.ip().is_unspecified() {
                SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), bind.port())
            } else {
                bind
            };
            format!("http://{host}")
        },
        |url| url.trim_end_matches('/').to_owned(),
    );
    format!("{base}/#token={token}")
}

/// On the development key only: a token for a demonstration user holding every app's create
/// right, printed (on stdout, never in the logs) as a ready-to-open address of the page.
fn print_demo_page(ctx: &Context, addr: SocketAddr) {
    const DEMO_TTL_SECS: u64 = 12 * 3600;
    let rights: Vec<String> = ctx.apps().into_iter().map(|app| app.create_right).collect();
    let ttl = DEMO_TTL_SECS.min(ctx.config.limits.max_token_ttl_secs);
    match ctx.keys.mint("demo", Some("Camille Démo"), &rights, ttl) {
        // On stdout: the logs are on stderr, and a token must never be in them.
        Ok(token) => println!(
            "\n  « Mes données », as the demonstration user `demo` (token valid {}h):\n  {}\n",
            ttl / 3600,
            page_url(&ctx.config, addr, &token)
        ),
        Err(e) => tracing::warn!(error = %e, "no demonstration token"),
    }
}

async fn serve(config: Config, roles: Roles) -> anyhow::Result<()> {
    if !roles.api || !roles.worker {
        anyhow::ensure!(
            config.uses_redis(),
            "running the API and the worker as separate processes needs a shared queue: \
             set MESDONNEES__QUEUE__REDIS_URL (or use `serve`)"
        );
    }
    let bind = config.http.bind;
    let run_migrations = config.database.run_migrations && roles.api;
    let ctx = Context::build(config).await?;
    if run_migrations {
        let applied = ctx.db.run_migrations()?;
        tracing::info!(applied, "migrations applied");
    }
    if let Some(KeySource::Development(path)) = ctx.keys.source() {
        tracing::warn!(
            key = %path.display(),
            "using a development signing key; mint a token with `mesdonnees token --user ID`"
        );
    }
    let mut running = start(&ctx, roles, bind)?;
    if let Some(addr) = running.addr {
        tracing::info!(%addr, docs = %format!("http://{addr}/docs/"), "listening");
        if matches!(ctx.keys.source(), Some(KeySource::Development(_))) && ctx.config.http.web_page
        {
            print_demo_page(&ctx, addr);
        }
    }
    tokio::select! {
        () = shutdown_signal() => tracing::info!("shutting down"),
        () = running.finished() => tracing::error!("a part of the service stopped by itself"),
    }
    running.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
