//! Wiring of the `mesdonnees` binary: which halves run in this process and how they stop.
//! The service's subcommands are in `main.rs`, the operators' in [`ops`]; tests start the
//! service through [`start`].

pub mod ops;
pub mod verify;

use std::net::SocketAddr;
use std::time::Duration;

use mesdonnees_infra::Context;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Which halves of the service this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    pub api: bool,
    pub worker: bool,
}

/// A started service; [`Running::stop`] shuts it down gracefully.
pub struct Running {
    pub addr: Option<SocketAddr>,
    /// Where the `metrics.bind` listener answers, when configured.
    pub metrics_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    http: Option<(actix_web::dev::ServerHandle, JoinHandle<std::io::Result<()>>)>,
    metrics: Option<(actix_web::dev::ServerHandle, JoinHandle<std::io::Result<()>>)>,
    worker: Option<JoinHandle<()>>,
    worker_grace: Duration,
}

/// What a worker gets on top of its grace period: interrupted jobs let go of their uploads and
/// are handed back (bounded by the runner), and the database must answer for that.
const HAND_BACK_MARGIN: Duration = Duration::from_secs(15);

/// Starts the API on `bind` and/or the worker (queue consumer, reconciler, recurring exports,
/// leavers' steps), and the metrics listener when `metrics.bind` is set.
pub fn start(ctx: &Context, roles: Roles, bind: SocketAddr) -> anyhow::Result<Running> {
    let (stop, stopped) = watch::channel(false);
    let http = if roles.api {
        let handle = mesdonnees_api::start_http(ctx.clone(), bind)?;
        let server = handle.server;
        Some((handle.addr, server.handle(), tokio::spawn(server)))
    } else {
        None
    };
    let metrics = match ctx.config.metrics.bind {
        Some(addr) => {
            let handle = mesdonnees_api::start_metrics_http(ctx.clone(), addr)?;
            let server = handle.server;
            Some((handle.addr, server.handle(), tokio::spawn(server)))
        }
        None => None,
    };
    let worker = roles.worker.then(|| {
        let name = worker_name();
        let consumer =
            mesdonnees_worker::run_consumer(ctx.clone(), name, wait_for(stopped.clone()));
        let reconciler = mesdonnees_worker::run_reconciler(ctx.clone(), wait_for(stopped.clone()));
        let schedules =
            mesdonnees_core::schedules::run_periodically(ctx.clone(), wait_for(stopped.clone()));
        let leavers =
            mesdonnees_core::leavers::run_periodically(ctx.clone(), wait_for(stopped.clone()));
        tokio::spawn(async move {
            let (consumed, (), (), ()) = tokio::join!(consumer, reconciler, schedules, leavers);
            if let Err(e) = consumed {
                tracing::error!(error = ?e, "the job consumer stopped with an error");
            }
        })
    });
    Ok(Running {
        addr: http.as_ref().map(|(addr, ..)| *addr),
        metrics_addr: metrics.as_ref().map(|(addr, ..)| *addr),
        stop,
        http: http.map(|(_, handle, task)| (handle, task)),
        metrics: metrics.map(|(_, handle, task)| (handle, task)),
        worker,
        worker_grace: Duration::from_secs(ctx.config.queue.shutdown_grace_secs) + HAND_BACK_MARGIN,
    })
}

impl Running {
    /// Stops accepting requests and claiming jobs at once. In-flight requests get
    /// `http.shutdown_grace_secs`; running jobs get `queue.shutdown_grace_secs`, then are
    /// interrupted and handed back. The metrics listener goes last, so the end can be scraped.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let http = async {
            if let Some((handle, task)) = self.http {
                handle.stop(true).await;
                let _ = task.await;
            }
        };
        let worker = async {
            if let Some(worker) = self.worker
                && tokio::time::timeout(self.worker_grace, worker).await.is_err()
            {
                tracing::warn!(
                    "jobs still running after the grace period; they will be taken over"
                );
            }
        };
        tokio::join!(http, worker);
        if let Some((handle, task)) = self.metrics {
            handle.stop(false).await;
            let _ = task.await;
        }
    }

    /// Resolves when the HTTP server or the worker ends by itself (a fatal error).
    pub async fn finished(&mut self) {
        let http = async {
            match &mut self.http {
                Some((_, task)) => {
                    let _ = task.await;
                }
                None => std::future::pending().await,
            }
        };
        let worker = async {
            match &mut self.worker {
                Some(task) => {
                    let _ = task.await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = http => {}
            () = worker => {}
        }
    }
}

async fn wait_for(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// Unique per process, so two workers on one Redis never share an identity.
fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".to_owned());
    format!("{host}-{}-{}", std::process::id(), uuid_suffix())
}

fn uuid_suffix() -> String {
    mesdonnees_shared::JobId::new().to_string()[24..].to_owned()
}
