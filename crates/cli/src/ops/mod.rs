//! What operators run from the command line against the configured database, store and queue,
//! without the HTTP API: `export`, `import`, `transfer` and `leavers`. They go through the service's own
//! code (the use cases of `mesdonnees_core`, the worker's jobs),
//! so what they make is what the API would have made.
//!
//! With the in-process queue, the command starts a worker of its own (as `serve` does) that
//! runs the jobs, and stops it at the end; with Redis, it queues the jobs for the deployment's
//! workers and follows the rows until they end.

mod copy;
mod error;
mod export;
mod follow;
mod import;
mod leavers;
mod progress;
mod state;
mod transfer;
mod users_file;

use std::net::SocketAddr;

pub use error::{Exit, OpError};
pub use export::ExportArgs;
pub use import::ImportArgs;
pub use leavers::LeaversArgs;
pub use transfer::TransferArgs;

use figment::Figment;
use figment::providers::Serialized;
use mesdonnees_core::Actor;
use mesdonnees_infra::{Config, Context};
use mesdonnees_shared::UserId;

use crate::{Roles, Running};

/// The operators' subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum OperatorCommand {
    /// Export a user's data into an archive of theirs, optionally copied to a file.
    Export(ExportArgs),
    /// Import an archive into a user's account (or, with --dry-run, only analyse it).
    Import(ImportArgs),
    /// Move users from another mesdonnees instance to this one, resumably.
    Transfer(TransferArgs),
    /// Declare users leaving at a date: their export prepared, a link sent, reminders.
    Leavers(LeaversArgs),
}

/// Runs an operator subcommand to its end; the exit status to leave with.
pub fn main(command: OperatorCommand, figment: Figment, init_logging: fn(&Config)) -> u8 {
    // Jobs log what they do at `info`; at a terminal only problems matter. `RUST_LOG` still
    // says otherwise.
    let figment = figment.merge(Serialized::default("log.level", "warn"));
    let config = match Config::from_figment(&figment) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: cannot load the configuration: {e}");
            return Exit::Usage.code();
        }
    };
    init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Failed.code();
        }
    };
    let exit = runtime.block_on(async {
        let op = match Operator::connect(config).await {
            Ok(op) => op,
            Err(e) => return report(&e),
        };
        let result = match command {
            OperatorCommand::Export(args) => export::run(&op, args).await,
            OperatorCommand::Import(args) => import::run(&op, args).await,
            OperatorCommand::Transfer(args) => transfer::run(&op, args).await,
            OperatorCommand::Leavers(args) => leavers::run(&op, args).await,
        };
        op.close().await;
        result.unwrap_or_else(|e| report(&e))
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    exit.code()
}

fn report(e: &OpError) -> Exit {
    eprintln!("error: {e}");
    e.exit()
}

/// The help text's table of exit codes, shared by every operator subcommand.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  failed (the job failed, the archive was refused, the service could not be reached)
  2  usage or configuration error (bad arguments, unknown user id or app, missing file)
  3  done in part: an app could not be imported or exported whole, or items of it failed
  4  nothing importable: the archive holds none of the chosen apps in a form this instance reads";

/// A connection to the service's back end for one command, with its own worker when the queue
/// is in-process.
pub struct Operator {
    pub ctx: Context,
    /// The login running the command, which the audit log names as `cli:<login>`.
    pub login: String,
    worker: Option<Running>,
}

impl Operator {
    pub async fn connect(mut config: Config) -> Result<Self, OpError> {
        // The command serves nothing: a metrics listener would fight the service for its port.
        config.metrics.bind = None;
        let ctx = Context::build(config)
            .await
            .map_err(|e| OpError::Failed(format!("cannot reach the service's back end: {e}")))?;
        let worker = if ctx.config.uses_redis() {
            None
        } else {
            let unused = SocketAddr::from(([127, 0, 0, 1], 0));
            let roles = Roles { api: false, worker: true };
            Some(crate::start(&ctx, roles, unused).map_err(|e| OpError::Failed(e.to_string()))?)
        };
        Ok(Self { ctx, login: login(), worker })
    }

    /// The use cases' actor: this operator, acting for `user`.
    pub fn acting_for(&self, user: UserId) -> Actor {
        Actor::Operator { login: self.login.clone(), user }
    }

    /// Stops this command's worker, if it has one: jobs it still runs are handed back for
    /// the next worker.
    pub async fn close(self) {
        if let Some(worker) = self.worker {
            worker.stop().await;
        }
    }
}

/// The login running the command.
fn login() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}
