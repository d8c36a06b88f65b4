//! The `mesdonnees` binary run as an operator runs it, against a test's service: the same
//! database, store and queue, through a configuration file written from the test's own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::TestApp;

impl TestApp {
    /// Writes this service's configuration as a TOML file for a process of the binary; `tweak`
    /// changes the copy only.
    pub fn config_file(&self, tweak: impl FnOnce(&mut mesdonnees_infra::Config)) -> PathBuf {
        let mut config = (*self.ctx.config).clone();
        // A process of its own must not take the test service's metrics port.
        config.metrics.bind = None;
        tweak(&mut config);
        let text = toml::to_string(&config).expect("configuration as TOML");
        let path = self.data_dir.path().join(format!("cli-{}.toml", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, text).expect("write configuration");
        path
    }
}

/// A command of the binary at `bin` with `config`, none of the environment's configuration
/// leaking in.
pub fn command(bin: &str, config: &Path) -> Command {
    let mut cmd = Command::new(bin);
    for (key, _) in std::env::vars() {
        if key.starts_with("MESDONNEES") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "warn").env("USER", "operator").arg("--config").arg(config);
    cmd
}

/// Runs the command to its end on a blocking thread, so the test's service goes on serving.
pub async fn run(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
        .await
        .expect("the command's thread")
}
