use std::process::ExitCode;

use clap::Parser;
use mesdonnees_cahier::{Args, Cahier, Config, error_chain};
use tokio::signal::unix::{SignalKind, signal};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::from(Args::parse());
    let app = match Cahier::start(config).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %error_chain(&e), "cannot start");
            return ExitCode::FAILURE;
        }
    };
    let handle = app.handle();
    tokio::spawn(async move {
        wait_for_stop().await;
        tracing::info!("stopping");
        handle.stop(true).await;
    });
    match app.wait().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server failed");
            ExitCode::FAILURE
        }
    }
}

async fn wait_for_stop() {
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
