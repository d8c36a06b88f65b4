//! The configuration of a test's service as a file, for a process of the `mesdonnees` binary
//! run as an operator runs it: the same database, store and queue.

use std::path::PathBuf;

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
