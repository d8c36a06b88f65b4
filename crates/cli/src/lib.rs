//! Wiring of the `mesdonnees` binary: which halves run in this process and how they stop.
//! The subcommands themselves are in `main.rs`; tests start the service through [`start`].

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
    stop: watch::Sender<bool>,
    http: Option<(actix_web::dev::ServerHandle, JoinHandle<std::io::Result<()>>)>,
    worker: Option<JoinHandle<()>>,
    grace: Duration,
}

/// Starts the API on `bind` and/or the worker (queue consumer + reconciler).
pub fn start(ctx: &Context, roles: Roles, bind: SocketAddr) -> anyhow::Result<Running> {
    let (stop, stopped) = watch::channel(false);
    let http = if roles.api {
        let handle = mesdonnees_api::start_http(ctx.clone(), bind)?;
        let server = handle.server;
        let server_handle = server.handle();
        Some((handle.addr, server_handle, tokio::spawn(server)))
    } else {
        None
    };
    let worker = roles.worker.then(|| {
        let name = worker_name();
        let consumer =
            mesdonnees_worker::run_consumer(ctx.clone(), name, wait_for(stopped.clone()));
        let reconciler = mesdonnees_worker::run_reconciler(ctx.clone(), wait_for(stopped.clone()));
        tokio::spawn(async move {
            let (consumed, ()) = tokio::join!(consumer, reconciler);
            if let Err(e) = consumed {
                tracing::error!(error = ?e, "the job consumer stopped with an error");
            }
        })
    });
    Ok(Running {
        addr: http.as_ref().map(|(addr, ..)| *addr),
        stop,
        http: http.map(|(_, handle, task)| (handle, task)),
        worker,
        grace: Duration::from_secs(ctx.config.http.shutdown_grace_secs),
    })
}

impl Running {
    /// Stops accepting work, lets in-flight requests and jobs finish within the grace period.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Some((handle, task)) = self.http {
            handle.stop(true).await;
            let _ = task.await;
        }
        if let Some(worker) = self.worker
            && tokio::time::timeout(self.grace, worker).await.is_err()
        {
            tracing::warn!(
                "jobs still running at the end of the grace period; they will be resumed"
            );
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
