//! Layered configuration: embedded defaults → optional TOML file → `MESDONNEES__…` environment
//! variables → command-line flags (applied by the binary on top).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use mesdonnees_shared::imports::SignaturePolicy;
use serde::{Deserialize, Serialize};

pub use crate::apps::{ConnectorsConfig, RemoteAppConfig};
pub use crate::operator::OperatorConfig;

/// Prefix of every configuration environment variable; `__` separates nested keys, so
/// `MESDONNEES__DATABASE__URL` sets `database.url`.
pub const ENV_PREFIX: &str = "MESDONNEES__";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Embedded defaults allowed: a generated signing key under the data folder.
    Development,
    /// Refuses to start without a configured signing key.
    Production,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub mode: Mode,
    /// Where the embedded defaults live: SQLite file, local objects, development key.
    pub data_dir: PathBuf,
    pub http: HttpConfig,
    pub database: DatabaseConfig,
    pub storage: StorageConfig,
    pub queue: QueueConfig,
    pub auth: AuthConfig,
    pub limits: LimitsConfig,
    pub exports: ExportsConfig,
    pub imports: ImportsConfig,
    pub smtp: SmtpConfig,
    pub log: LogConfig,
    pub metrics: MetricsConfig,
    /// Remote ENT apps, beside the built-in `workspace` (`[[apps]]` tables).
    #[serde(default)]
    pub apps: Vec<RemoteAppConfig>,
    #[serde(default)]
    pub connectors: ConnectorsConfig,
    #[serde(default)]
    pub operator: OperatorConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    pub bind: SocketAddr,
    /// The URL clients reach this service at (e.g. `https://ent.example/mesdonnees`), for links
    /// in notifications and e-mails; links are relative when absent.
    pub public_url: Option<String>,
    /// Seconds in-flight requests get to finish on shutdown; connections still open then are
    /// closed.
    pub shutdown_grace_secs: u64,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// Serve the « Mes données » page at `/`; off where the ENT's own SPA is the only client.
    pub web_page: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `postgres://…` or `sqlite://PATH`; empty means `sqlite://<data_dir>/mesdonnees.db`.
    pub url: String,
    pub pool_size: u32,
    pub acquire_timeout_secs: u64,
    /// Apply pending migrations when `serve` or `api` start.
    pub run_migrations: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// `file://PATH` or `s3://BUCKET[/PREFIX]`; empty means `file://<data_dir>/objects`.
    pub url: String,
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    /// Needed for a plain-HTTP endpoint such as a local MinIO.
    pub s3_allow_http: bool,
    /// Path-style addressing (`endpoint/bucket/key`), what MinIO expects.
    pub s3_path_style: bool,
    /// Export download links point at the store itself (presigned URLs), so that archives do
    /// not pass through the API; only when clients can reach `s3_endpoint`.
    pub s3_presigned_links: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// `redis://…`; empty means the in-process queue (recovered from the database at start).
    pub redis_url: String,
    /// Redis key namespace of the queue; set explicitly on producer and consumer.
    pub name: String,
    /// Jobs one worker process runs at once; further messages wait for a free place, neither
    /// lost nor failed. Also what a Redis worker fetches in one batch.
    pub max_concurrent_jobs: usize,
    /// How often a running job proves it is alive.
    pub heartbeat_secs: u64,
    /// A running job whose heartbeat is older than this is taken over by another worker.
    pub stale_after_secs: u64,
    /// How often the reconciler looks for lost jobs.
    pub reconcile_interval_secs: u64,
    /// How often a Redis worker looks for new jobs, in milliseconds (50 to 10000).
    pub poll_interval_ms: u64,
    /// Attempts before a job is marked failed.
    pub max_attempts: i32,
    /// Finished job rows are removed after this many hours.
    pub keep_finished_hours: u64,
    /// Seconds running jobs get to finish on shutdown; a job still running then is interrupted
    /// (an export aborts its upload) and handed back to the queue for any worker to resume.
    pub shutdown_grace_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Algorithm {
    HS256,
    RS256,
    EdDSA,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// The one algorithm tokens must use; any other `alg` is refused.
    pub algorithm: Algorithm,
    /// Shared secret for HS256 (at least 32 bytes).
    pub hs256_secret: Option<String>,
    /// PEM public key (RS256 or EdDSA), inline.
    pub public_key_pem: Option<String>,
    /// PEM public key (RS256 or EdDSA), from a file.
    pub public_key_file: Option<PathBuf>,
    pub issuer: String,
    pub audience: String,
    /// Clock skew tolerated on `exp`, in seconds.
    pub leeway_secs: u64,
    /// The right a token needs for the admin API (`/api/v1/admin/…`).
    #[serde(default = "default_admin_right")]
    pub admin_right: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest single document upload, in bytes.
    pub max_upload_bytes: u64,
    /// Total bytes of documents one user may own.
    pub user_quota_bytes: u64,
    /// Largest JSON request body, in bytes.
    pub max_json_bytes: usize,
    /// Default page size of listings (the maximum is 200).
    pub default_page_size: i64,
    /// Longest token lifetime `mesdonnees token` will mint, in seconds.
    pub max_token_ttl_secs: u64,
    /// Exports and imports, counted together, one user may create in any 60 seconds.
    pub creations_per_minute: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportsConfig {
    /// This instance's name in archive manifests and signatures.
    pub instance_name: String,
    /// A ready archive can be downloaded for this long.
    pub expires_after_hours: u64,
    /// Bytes of ready archives one user may keep, the new one included.
    pub user_archive_quota_bytes: u64,
    /// Most entries (files and folders) one archive may hold.
    pub max_entries: u64,
    /// Lifetime of a signed download link.
    pub link_ttl_secs: u64,
    /// How often a running export writes its progress, in milliseconds.
    pub progress_interval_ms: u64,
    /// How often expired archives and stuck exports are cleaned up.
    pub cleanup_interval_secs: u64,
    /// PKCS#8 PEM Ed25519 key signing archives and download links; when absent, one is
    /// generated at first use and kept in the database, shared by every process.
    pub signing_key_pem: Option<String>,
    /// An export asked again with the same settings while the first is in progress, or this
    /// many seconds after it became ready, is that one (0: never reused).
    #[serde(default = "default_reuse_window")]
    pub reuse_window_secs: u64,
}

fn default_admin_right() -> String {
    "mesdonnees.admin".to_owned()
}

fn default_reuse_window() -> u64 {
    300
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportsConfig {
    /// Largest archive a user may upload, in bytes.
    pub max_upload_bytes: u64,
    /// Most entries (files and folders) an uploaded archive may hold.
    pub max_entries: u64,
    /// Most bytes an archive's entries may add up to once uncompressed.
    pub max_total_uncompressed_bytes: u64,
    /// Largest compression ratio (uncompressed / compressed) of one entry; beyond it the entry
    /// is taken for a zip bomb.
    pub max_entry_ratio: u64,
    /// Entries smaller than this, uncompressed, are not held to the ratio: a small text or
    /// JSON file can shrink far without being a danger.
    pub ratio_exempt_below_bytes: u64,
    /// What to do with an archive whose manifest is unsigned or signed by an unknown key.
    pub signature_policy: SignaturePolicy,
    /// Keys of other instances whose archives are accepted as theirs; this instance's own key
    /// is always trusted.
    pub trusted_keys: Vec<TrustedKey>,
    /// An upload analysed but never launched, or whose import has finished, is removed after
    /// this many hours.
    pub keep_uploads_hours: u64,
}

/// The public key of an instance whose archives this one trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedKey {
    /// The instance's name, as its manifests and signatures carry it (its
    /// `exports.instance_name`).
    pub instance: String,
    /// Its raw Ed25519 public key in base64, as `InstanceSigner::public_key_base64` prints it.
    pub public_key: String,
}

impl TrustedKey {
    /// The 32 bytes of the key; `None` when the configured text is not one (refused at start).
    pub fn key_bytes(&self) -> Option<[u8; 32]> {
        STANDARD.decode(self.public_key.trim()).ok()?.try_into().ok()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// `smtp://[user:password@]host[:port]` (add `?tls=required` for STARTTLS) or `smtps://…`;
    /// empty disables e-mail (the timeline still gets every notification).
    pub url: String,
    /// Sender, e.g. `Mes Données <no-reply@ent.example>`.
    pub from: String,
    pub timeout_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A `tracing` filter, e.g. `info` or `mesdonnees=debug,info`. `RUST_LOG` overrides it.
    pub level: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// A listener of its own serving only `GET /metrics`, in every role: the one way to scrape
    /// a `worker` process, and a way to keep metrics off the public port.
    pub bind: Option<SocketAddr>,
    /// When set, `GET /metrics` requires `Authorization: Bearer <token>`.
    pub token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            mode: Mode::Development,
            data_dir: PathBuf::from("./data"),
            http: HttpConfig {
                bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
                public_url: None,
                shutdown_grace_secs: 30,
                workers: 0,
                web_page: true,
            },
            database: DatabaseConfig {
                url: String::new(),
                pool_size: 10,
                acquire_timeout_secs: 10,
                run_migrations: true,
            },
            storage: StorageConfig {
                url: String::new(),
                s3_endpoint: None,
                s3_region: "us-east-1".to_owned(),
                s3_access_key_id: None,
                s3_secret_access_key: None,
                s3_allow_http: false,
                s3_path_style: true,
                s3_presigned_links: true,
            },
            queue: QueueConfig {
                redis_url: String::new(),
                name: "mesdonnees-jobs".to_owned(),
                max_concurrent_jobs: 4,
                heartbeat_secs: 5,
                stale_after_secs: 30,
                reconcile_interval_secs: 15,
                poll_interval_ms: 250,
                max_attempts: 5,
                keep_finished_hours: 24 * 7,
                shutdown_grace_secs: 20,
            },
            auth: AuthConfig {
                algorithm: Algorithm::HS256,
                hs256_secret: None,
                public_key_pem: None,
                public_key_file: None,
                issuer: "mesdonnees".to_owned(),
                audience: "mesdonnees".to_owned(),
                leeway_secs: 30,
                admin_right: default_admin_right(),
            },
            limits: LimitsConfig {
                max_upload_bytes: 1024 * 1024 * 1024,
                user_quota_bytes: 10 * 1024 * 1024 * 1024,
                max_json_bytes: 64 * 1024,
                default_page_size: 50,
                max_token_ttl_secs: 30 * 24 * 3600,
                creations_per_minute: 10,
            },
            exports: ExportsConfig {
                instance_name: "mesdonnees".to_owned(),
                expires_after_hours: 24 * 7,
                user_archive_quota_bytes: 20 * 1024 * 1024 * 1024,
                max_entries: 200_000,
                link_ttl_secs: 300,
                progress_interval_ms: 500,
                cleanup_interval_secs: 300,
                signing_key_pem: None,
                reuse_window_secs: default_reuse_window(),
            },
            imports: ImportsConfig {
                max_upload_bytes: 4 * 1024 * 1024 * 1024,
                max_entries: 100_000,
                max_total_uncompressed_bytes: 20 * 1024 * 1024 * 1024,
                max_entry_ratio: 200,
                ratio_exempt_below_bytes: 1024 * 1024,
                signature_policy: SignaturePolicy::Warn,
                trusted_keys: Vec::new(),
                keep_uploads_hours: 48,
            },
            smtp: SmtpConfig {
                url: String::new(),
                from: "Mes Données <no-reply@localhost>".to_owned(),
                timeout_secs: 20,
            },
            log: LogConfig { format: LogFormat::Text, level: "info".to_owned() },
            metrics: MetricsConfig { bind: None, token: None },
            apps: Vec::new(),
            connectors: ConnectorsConfig::default(),
            operator: OperatorConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error(transparent)]
    Figment(#[from] Box<figment::Error>),
}

impl Config {
    /// Defaults, then the file if given, then the environment. Flags are applied by the caller
    /// through [`Config::figment`] so that every layer goes through the same parsing.
    pub fn figment(file: Option<&Path>) -> Figment {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        figment.merge(Env::prefixed(ENV_PREFIX).split("__").lowercase(true))
    }

    pub fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        let mut config: Config = figment.extract().map_err(Box::new)?;
        config.fill_embedded_defaults();
        config.validate()?;
        Ok(config)
    }

    /// Empty URLs point at the embedded defaults under `data_dir`.
    fn fill_embedded_defaults(&mut self) {
        if self.database.url.is_empty() {
            self.database.url =
                format!("sqlite://{}", self.data_dir.join("mesdonnees.db").display());
        }
        if self.storage.url.is_empty() {
            self.storage.url = format!("file://{}", self.data_dir.join("objects").display());
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |msg: &str| Err(ConfigError::Invalid(msg.to_owned()));
        if self.queue.max_concurrent_jobs == 0 {
            return invalid("queue.max_concurrent_jobs must be at least 1");
        }
        if self.limits.creations_per_minute == 0 {
            return invalid("limits.creations_per_minute must be at least 1");
        }
        if self.queue.heartbeat_secs == 0
            || self.queue.stale_after_secs <= self.queue.heartbeat_secs
        {
            return invalid("queue.stale_after_secs must be greater than queue.heartbeat_secs > 0");
        }
        if !(50..=10_000).contains(&self.queue.poll_interval_ms) {
            return invalid("queue.poll_interval_ms must be between 50 and 10000");
        }
        if self.queue.max_attempts < 1 {
            return invalid("queue.max_attempts must be at least 1");
        }
        if self.limits.max_upload_bytes == 0 || self.limits.user_quota_bytes == 0 {
            return invalid("limits.max_upload_bytes and limits.user_quota_bytes must be positive");
        }
        if !(1..=mesdonnees_db::MAX_PAGE_SIZE).contains(&self.limits.default_page_size) {
            return invalid("limits.default_page_size must be between 1 and 200");
        }
        let e = &self.exports;
        if e.instance_name.is_empty() || e.expires_after_hours == 0 || e.max_entries == 0 {
            return invalid(
                "exports.instance_name, expires_after_hours and max_entries must be set",
            );
        }
        if e.max_entries > 1_048_575 {
            // An archive's xlsx index has a row per entry, and xlsx stops there.
            return invalid("exports.max_entries is at most 1048575");
        }
        if e.reuse_window_secs > 24 * 3600 {
            return invalid("exports.reuse_window_secs is at most 86400");
        }
        if !(10..=3600).contains(&e.link_ttl_secs) {
            return invalid("exports.link_ttl_secs must be between 10 and 3600");
        }
        if e.progress_interval_ms == 0 || e.cleanup_interval_secs == 0 {
            return invalid(
                "exports.progress_interval_ms and cleanup_interval_secs must be positive",
            );
        }
        if self.auth.issuer.is_empty()
            || self.auth.audience.is_empty()
            || self.auth.admin_right.is_empty()
        {
            return invalid("auth.issuer, auth.audience and auth.admin_right must not be empty");
        }
        if self.metrics.token.as_deref().is_some_and(|t| t.trim().len() < 16) {
            return invalid("metrics.token, when set, must be at least 16 characters");
        }
        self.connectors.validate()?;
        self.operator.validate()?;
        crate::apps::validate_apps(&self.apps)?;
        self.imports.validate()
    }

    pub fn uses_redis(&self) -> bool {
        !self.queue.redis_url.is_empty()
    }
}

impl ImportsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |msg: String| Err(ConfigError::Invalid(msg));
        if [
            self.max_upload_bytes,
            self.max_entries,
            self.max_total_uncompressed_bytes,
            self.max_entry_ratio,
            self.keep_uploads_hours,
        ]
        .contains(&0)
        {
            return invalid(
                "imports.max_upload_bytes, max_entries, max_total_uncompressed_bytes, \
                 max_entry_ratio and keep_uploads_hours must be positive"
                    .to_owned(),
            );
        }
        for key in &self.trusted_keys {
            if key.instance.is_empty() {
                return invalid("imports.trusted_keys: every key needs its instance".to_owned());
            }
            if key.key_bytes().is_none() {
                return invalid(format!(
                    "imports.trusted_keys: the key of {} is not a base64 Ed25519 public key \
                     (32 bytes)",
                    key.instance
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[expect(clippy::result_large_err, reason = "figment::Jail fixes the closure's error type")]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_at_the_data_folder() {
        let figment = Figment::from(Serialized::defaults(Config::default()))
            .merge(Serialized::default("data_dir", "/tmp/md"));
        let config = Config::from_figment(&figment).expect("valid");
        assert_eq!(config.database.url, "sqlite:///tmp/md/mesdonnees.db");
        assert_eq!(config.storage.url, "file:///tmp/md/objects");
        assert!(!config.uses_redis());
        assert_eq!(config.mode, Mode::Development);
    }

    #[test]
    fn layers_apply_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "md.toml",
                "mode = \"production\"\n[database]\nurl = \"postgres://file/db\"\npool_size = 3\n",
            )?;
            jail.set_env("MESDONNEES__DATABASE__URL", "postgres://env/db");
            jail.set_env("MESDONNEES__QUEUE__REDIS_URL", "redis://127.0.0.1:6379");
            let config = Config::from_figment(&Config::figment(Some(Path::new("md.toml"))))
                .map_err(|e| e.to_string())?;
            assert_eq!(config.mode, Mode::Production);
            assert_eq!(config.database.url, "postgres://env/db");
            assert_eq!(config.database.pool_size, 3);
            assert!(config.uses_redis());
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        for (key, value) in [
            ("MESDONNEES__DATABASE__NOPE", "1"),
            ("MESDONNEES__QUEUE__MAX_CONCURRENT_JOBS", "0"),
            ("MESDONNEES__LIMITS__CREATIONS_PER_MINUTE", "0"),
            // The key's name before `queue.max_concurrent_jobs` is refused, not ignored.
            ("MESDONNEES__QUEUE__CONCURRENCY", "2"),
            ("MESDONNEES__METRICS__TOKEN", "short"),
        ] {
            figment::Jail::expect_with(|jail| {
                jail.set_env(key, value);
                assert!(Config::from_figment(&Config::figment(None)).is_err(), "{key}={value}");
                Ok(())
            });
        }
    }

    #[test]
    fn remote_apps_and_connector_settings_come_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "MESDONNEES__APPS",
                r#"[{id = "cahier", display_name = "Cahier de textes", display_names = {en = "Homework book"}, version = "1.2", create_right = "cahier.create", base_url = "http://cahier:8090/connector", token_secret = "0123456789abcdef0123456789abcdef"}]"#,
            );
            jail.set_env("MESDONNEES__CONNECTORS__MAX_RETRIES", "1");
            let config = Config::from_figment(&Config::figment(None)).map_err(|e| e.to_string())?;
            let app = &config.apps[0];
            assert_eq!((app.id.as_str(), app.version.to_string()), ("cahier", "1.2".to_owned()));
            assert_eq!(app.display_names["en"], "Homework book");
            assert_eq!(app.object_prefix(), "cahier/");
            assert_eq!(config.connectors.max_retries, 1);
            assert_eq!(config.connectors.export_deadline_secs, 900);
            jail.set_env("MESDONNEES__CONNECTORS__MAX_RETRIES", "11");
            assert!(Config::from_figment(&Config::figment(None)).is_err());
            Ok(())
        });
    }

    #[test]
    fn metrics_and_shutdown_settings() {
        figment::Jail::expect_with(|jail| {
            let defaults =
                Config::from_figment(&Config::figment(None)).map_err(|e| e.to_string())?;
            assert_eq!((defaults.metrics.bind, defaults.metrics.token), (None, None));
            assert_eq!(defaults.queue.shutdown_grace_secs, 20);
            assert_eq!(defaults.queue.max_concurrent_jobs, 4);
            assert_eq!(defaults.limits.creations_per_minute, 10);
            jail.set_env("MESDONNEES__METRICS__BIND", "127.0.0.1:9464");
            jail.set_env("MESDONNEES__METRICS__TOKEN", "a-scraper-secret-of-some-length");
            jail.set_env("MESDONNEES__QUEUE__SHUTDOWN_GRACE_SECS", "0");
            let config = Config::from_figment(&Config::figment(None)).map_err(|e| e.to_string())?;
            assert_eq!(config.metrics.bind, Some(SocketAddr::from(([127, 0, 0, 1], 9464))));
            assert_eq!(config.metrics.token.as_deref(), Some("a-scraper-secret-of-some-length"));
            assert_eq!(config.queue.shutdown_grace_secs, 0);
            Ok(())
        });
    }

    /// The public test key of docs/ARCHIVE_FORMAT.md §4.3.
    const EXAMPLE_KEY: &str = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";

    #[test]
    fn imports_defaults() {
        let figment = Figment::from(Serialized::defaults(Config::default()));
        let config = Config::from_figment(&figment).expect("valid");
        let imports = &config.imports;
        assert_eq!(imports.max_upload_bytes, 4 << 30);
        assert_eq!(imports.max_total_uncompressed_bytes, 20 << 30);
        assert_eq!((imports.max_entries, imports.max_entry_ratio), (100_000, 200));
        assert_eq!(imports.ratio_exempt_below_bytes, 1 << 20);
        assert_eq!(imports.signature_policy, SignaturePolicy::Warn);
        assert!(imports.trusted_keys.is_empty());
        assert_eq!(imports.keep_uploads_hours, 48);
    }

    #[test]
    fn trusted_keys_come_from_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "md.toml",
                &format!(
                    "[imports]\nsignature_policy = \"require\"\n\
                     [[imports.trusted_keys]]\ninstance = \"ent.lycee-exemple.fr\"\n\
                     public_key = \"{EXAMPLE_KEY}\"\n"
                ),
            )?;
            jail.set_env("MESDONNEES__IMPORTS__KEEP_UPLOADS_HOURS", "6");
            let config = Config::from_figment(&Config::figment(Some(Path::new("md.toml"))))
                .map_err(|e| e.to_string())?;
            assert_eq!(config.imports.signature_policy, SignaturePolicy::Require);
            assert_eq!(config.imports.keep_uploads_hours, 6);
            let [key] = config.imports.trusted_keys.as_slice() else {
                return Err("one trusted key".into());
            };
            assert_eq!(key.instance, "ent.lycee-exemple.fr");
            assert_eq!(key.key_bytes().map(|k| k[0]), Some(0x03));
            Ok(())
        });
    }

    #[test]
    fn trusted_keys_come_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "MESDONNEES__IMPORTS__TRUSTED_KEYS",
                format!("[{{instance=\"ent-b\", public_key=\"{EXAMPLE_KEY}\"}}]"),
            );
            let config = Config::from_figment(&Config::figment(None)).map_err(|e| e.to_string())?;
            let instances: Vec<&str> =
                config.imports.trusted_keys.iter().map(|k| k.instance.as_str()).collect();
            assert_eq!(instances, ["ent-b"]);
            Ok(())
        });
    }

    #[test]
    fn bad_import_settings_are_refused() {
        let refused = |toml: &str| {
            figment::Jail::expect_with(|jail| {
                jail.create_file("md.toml", toml)?;
                let config = Config::from_figment(&Config::figment(Some(Path::new("md.toml"))));
                assert!(config.is_err(), "{toml}");
                Ok(())
            });
        };
        refused("[imports]\nsignature_policy = \"sometimes\"\n");
        refused("[imports]\nmax_entry_ratio = 0\n");
        refused("[imports]\nkeep_uploads_hours = 0\n");
        refused("[imports]\nnope = 1\n");
        refused("[[imports.trusted_keys]]\ninstance = \"a\"\npublic_key = \"bm90IGEga2V5\"\n");
        refused(&format!(
            "[[imports.trusted_keys]]\ninstance = \"\"\npublic_key = \"{EXAMPLE_KEY}\"\n"
        ));
        refused(&format!(
            "[[imports.trusted_keys]]\ninstance = \"a\"\npublic_key = \"{EXAMPLE_KEY}\"\nkid = \"x\"\n"
        ));
    }
}
