//! The reference app (`crates/cahier`) beside the service under test: its own SQLite database,
//! the same object store, a real HTTP server on a loopback port, declared in the service's
//! configuration as the remote app `cahier`.

use std::net::SocketAddr;
use std::time::Duration;

use mesdonnees_cahier::{Cahier, Config as CahierConfig, Secret, StorageConfig};
use mesdonnees_infra::Config;
use mesdonnees_infra::apps::{AppTableField, RemoteAppConfig};
use tempfile::TempDir;

use crate::{TestApp, free_addr};

/// The HS256 secret of user tokens, shared by the service and the app in these tests.
pub const USER_SECRET: &str = "test-user-token-secret-0123456789abcdef";
/// The secret of the service tokens the service mints for the app.
pub const SERVICE_SECRET: &str = "test-cahier-service-secret-0123456789ab";
/// The rights a user needs to import into the two apps.
pub const CREATE_RIGHTS: &[&str] = &["workspace.create", "cahier.create"];

/// The service and the app, wired to each other.
pub struct WithCahier {
    pub app: TestApp,
    pub cahier: Option<Cahier>,
    pub cahier_dir: TempDir,
    cahier_addr: SocketAddr,
    pace: Duration,
}

/// How the app is declared on the service's side.
pub fn declaration(addr: SocketAddr) -> RemoteAppConfig {
    RemoteAppConfig {
        id: "cahier".to_owned(),
        display_name: "Cahier de textes".to_owned(),
        display_names: [("en".to_owned(), "Homework book".to_owned())].into(),
        version: "1.0".parse().expect("a version"),
        upgrades_from: Vec::new(),
        create_right: "cahier.create".to_owned(),
        base_url: format!("http://{addr}/connector"),
        token_secret: SERVICE_SECRET.to_owned(),
        object_prefix: "cahier/".to_owned(),
        table_fields: vec![
            AppTableField { field: "subject".to_owned(), label: "Matière".to_owned() },
            AppTableField { field: "due_date".to_owned(), label: "Pour le".to_owned() },
        ],
        legacy_modules: Vec::new(),
    }
}

impl WithCahier {
    /// Starts the service with the app declared, then the app on the address declared.
    pub async fn spawn(tweak: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_paced(Duration::ZERO, tweak).await
    }

    /// The same, with the app pausing `pace` after each line it streams.
    pub async fn spawn_paced(pace: Duration, tweak: impl FnOnce(&mut Config)) -> Self {
        let cahier_addr = free_addr();
        let app = TestApp::spawn_with(|config| {
            config.auth.hs256_secret = Some(USER_SECRET.to_owned());
            config.apps = vec![declaration(cahier_addr)];
            config.connectors.retry_backoff_ms = 50;
            config.connectors.idle_timeout_secs = 10;
            tweak(config);
        })
        .await;
        let cahier_dir = tempfile::tempdir().expect("temp dir");
        let mut with = Self { app, cahier: None, cahier_dir, cahier_addr, pace };
        with.start_cahier().await;
        with
    }

    /// (Re)starts the app on its address, on the same database and store.
    pub async fn start_cahier(&mut self) {
        let mut config = CahierConfig::local(self.cahier_dir.path(), SERVICE_SECRET, USER_SECRET);
        config.bind = self.cahier_addr;
        config.storage = same_store(&self.app.ctx.config);
        config.export_pace = self.pace;
        config.shutdown_grace = Duration::from_secs(1);
        self.cahier = Some(Cahier::start(config).await.expect("the reference app starts"));
    }

    /// The app's own API, as `user`.
    pub fn cahier_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.cahier_addr)
    }

    pub fn cahier_get(&self, path: &str, user: &str) -> reqwest::RequestBuilder {
        self.app.client.get(self.cahier_url(path)).bearer_auth(self.app.token(user))
    }

    pub fn cahier_post(&self, path: &str, user: &str) -> reqwest::RequestBuilder {
        self.app.client.post(self.cahier_url(path)).bearer_auth(self.app.token(user))
    }

    /// Cuts the app off at once: connections in flight are dropped.
    pub async fn kill_cahier(&mut self) {
        if let Some(cahier) = self.cahier.take() {
            cahier.kill().await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(cahier) = self.cahier.take() {
            cahier.stop().await;
        }
        self.app.stop().await;
    }
}

/// The service's object store, as the app names it.
fn same_store(config: &Config) -> StorageConfig {
    let storage = &config.storage;
    StorageConfig {
        url: storage.url.clone(),
        s3_endpoint: storage.s3_endpoint.clone(),
        s3_region: storage.s3_region.clone(),
        s3_access_key_id: storage.s3_access_key_id.clone(),
        s3_secret_access_key: storage.s3_secret_access_key.clone().map(Secret::new),
        s3_allow_http: storage.s3_allow_http,
        s3_path_style: storage.s3_path_style,
    }
}
