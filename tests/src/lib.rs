//! Test harness: the real service (API + worker) on a real database, a real object store and a
//! real queue, one of each per test, driven over HTTP.
//!
//! With no environment, a test gets a SQLite file, a local object store in a temp folder and the
//! in-process queue. With `TEST_DATABASE_URL` (a Postgres server URL) and `TEST_REDIS_URL`, it
//! gets its own Postgres database (dropped at the end) and its own Redis queue name. With
//! `TEST_S3_ENDPOINT` (an S3-compatible server, `.ci/with-s3` starts one), it gets its own
//! bucket there, emptied and removed at the end.

pub mod cahier;
mod cli;
pub mod copy_limit;
pub mod full_disk;
mod s3;
mod services;

use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use mesdonnees::{Roles, Running};
use mesdonnees_infra::{Config, Context};
use tempfile::TempDir;

pub use reqwest;
pub use services::{PgScratch, RedisQueue, setting};

/// A running service for one test.
pub struct TestApp {
    pub base: String,
    /// The `metrics.bind` listener, when the test configured one.
    pub metrics_base: Option<String>,
    pub client: reqwest::Client,
    pub ctx: Context,
    pub data_dir: TempDir,
    running: Option<Running>,
    postgres: Option<PgScratch>,
    redis_queue: Option<RedisQueue>,
    s3: Option<s3::S3Scratch>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the service with test-sized limits and timings, then `tweak` on top.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_roles(Roles { api: true, worker: true }, tweak, |_| {}).await
    }

    /// The service whose "now" for recurring exports is `clock`, with `tweak`.
    pub async fn spawn_clocked(
        clock: mesdonnees_infra::ManualClock,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        Self::spawn_roles(Roles { api: true, worker: true }, tweak, move |ctx| {
            ctx.clock = std::sync::Arc::new(clock);
        })
        .await
    }

    /// The API without a worker: jobs stay queued, for tests of what happens meanwhile.
    pub async fn spawn_api_only() -> Self {
        Self::spawn_roles(Roles { api: true, worker: false }, |_| {}, |_| {}).await
    }

    /// The service on a store whose disk `disk` fills and frees, with `tweak`; every object
    /// goes through the store, as on S3.
    pub async fn spawn_on_fullable_store(
        disk: &full_disk::DiskSwitch,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let disk = disk.clone();
        Self::spawn_roles(Roles { api: true, worker: true }, tweak, move |ctx| {
            let storage = &mut ctx.storage;
            let inner = storage.store.clone();
            storage.store = std::sync::Arc::new(full_disk::FullableStore::new(inner, disk));
            storage.local_root = None;
            storage.presigner = None;
        })
        .await
    }

    /// The service with `tweak`, whose store, when it is S3, refuses to copy an object above
    /// `storage.s3_single_copy_max_bytes` in one request, as S3 does above 5 GiB.
    pub async fn spawn_with_copy_limit(tweak: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_roles(Roles { api: true, worker: true }, tweak, |ctx| {
            if ctx.storage.local_root.is_none() {
                let max = ctx.config.storage.s3_single_copy_max_bytes;
                let inner = ctx.storage.store.clone();
                ctx.storage.store =
                    std::sync::Arc::new(copy_limit::CopyLimitedStore::new(inner, max));
            }
        })
        .await
    }

    async fn spawn_roles(
        roles: Roles,
        tweak: impl FnOnce(&mut Config),
        adapt: impl FnOnce(&mut Context),
    ) -> Self {
        // Warnings and errors of the service go to the test's captured output, so a failing
        // test shows the cause of an opaque 500.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
            .with_test_writer()
            .try_init();
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config { data_dir: data_dir.path().to_path_buf(), ..Config::default() };
        config.http.bind = SocketAddr::from(([127, 0, 0, 1], 0));
        config.http.workers = 2;
        config.http.shutdown_grace_secs = 5;
        config.database.pool_size = 6;
        config.documents.max_upload_bytes = 1024 * 1024;
        config.limits.user_quota_bytes = 4 * 1024 * 1024;
        config.imports.max_upload_bytes = 4 * 1024 * 1024;
        config.queue.heartbeat_secs = 1;
        config.queue.stale_after_secs = 3;
        config.queue.reconcile_interval_secs = 1;
        config.queue.poll_interval_ms = 100;
        config.queue.shutdown_grace_secs = 2;
        config.exports.progress_interval_ms = 50;
        config.exports.cleanup_interval_secs = 1;

        let postgres = setting("TEST_DATABASE_URL").map(|url| PgScratch::create(&url));
        if let Some(scratch) = &postgres {
            config.database.url = scratch.url.clone();
        }
        let redis_queue = setting("TEST_REDIS_URL").map(|url| RedisQueue::new(&url));
        if let Some(queue) = &redis_queue {
            config.queue.redis_url = queue.url.clone();
            config.queue.name = queue.name.clone();
        }
        let s3 = match setting("TEST_S3_ENDPOINT") {
            Some(endpoint) => {
                let scratch = s3::S3Scratch::create(&endpoint).await;
                scratch.configure(&mut config.storage);
                Some(scratch)
            }
            None => None,
        };
        tweak(&mut config);
        let figment = figment_from(&config);
        let config = Config::from_figment(&figment).expect("valid test configuration");
        let bind = config.http.bind;
        let mut ctx = Context::build(config).await.expect("context");
        adapt(&mut ctx);
        ctx.db.run_migrations().expect("migrations");
        let running = mesdonnees::start(&ctx, roles, bind).expect("start");
        let addr = running.addr.expect("the API listens");
        Self {
            base: format!("http://{addr}"),
            metrics_base: running.metrics_addr.map(|addr| format!("http://{addr}")),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            ctx,
            data_dir,
            running: Some(running),
            postgres,
            redis_queue,
            s3,
        }
    }

    /// Whether this test's objects live on the S3 server rather than in a local folder.
    pub fn on_s3(&self) -> bool {
        self.s3.is_some()
    }

    /// Keys of archives being written and not yet finished nor abandoned: multipart uploads
    /// still open on S3, staging files in a local store.
    pub fn pending_uploads(&self) -> Vec<String> {
        match (&self.s3, &self.ctx.storage.local_root) {
            (Some(s3), _) => s3.pending_uploads(),
            (None, Some(root)) => local_staging_files(root),
            // A wrapped local store (the full-disk one) has no root of its own: the data folder's.
            (None, None) => local_staging_files(&self.data_dir.path().join("objects")),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A valid token for `user`.
    pub fn token(&self, user: &str) -> String {
        self.ctx.keys.mint(user, Some(user), &[], 600).expect("token")
    }

    /// A valid token for `user` carrying `rights`.
    pub fn token_with_rights(&self, user: &str, rights: &[&str]) -> String {
        let rights: Vec<String> = rights.iter().map(|r| (*r).to_owned()).collect();
        self.ctx.keys.mint(user, Some(user), &rights, 600).expect("token")
    }

    pub fn get(&self, path: &str, user: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path)).bearer_auth(self.token(user))
    }

    pub fn post(&self, path: &str, user: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path)).bearer_auth(self.token(user))
    }

    pub fn delete(&self, path: &str, user: &str) -> reqwest::RequestBuilder {
        self.client.delete(self.url(path)).bearer_auth(self.token(user))
    }

    /// Stops the service gracefully as SIGTERM does, keeping its data for the test to inspect.
    pub async fn shut_down(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }

    /// Stops the service gracefully and removes what the test created outside its temp dir.
    pub async fn stop(mut self) {
        self.shut_down().await;
        if let Some(queue) = self.redis_queue.take() {
            queue.clear().await;
        }
        if let Some(s3) = self.s3.take() {
            s3.remove(&self.ctx.storage.store).await;
        }
    }
}

impl Drop for TestApp {
    /// The database goes first, before the service's own handles on it.
    fn drop(&mut self) {
        drop(self.postgres.take());
    }
}

/// A loopback address nobody listens on now, for a server the test starts later.
pub fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port")
}

/// Polls `check` until it returns `Some`, failing the test after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Keys of a local store's staging files, named `<key>#<suffix>` by the store and the export.
pub fn local_staging_files(root: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("store folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Some((key, _)) =
                path.strip_prefix(root).expect("under the root").to_string_lossy().split_once('#')
            {
                found.push(key.to_owned());
            }
        }
    }
    found
}

fn figment_from(config: &Config) -> figment::Figment {
    figment::Figment::from(figment::providers::Serialized::defaults(config))
}
