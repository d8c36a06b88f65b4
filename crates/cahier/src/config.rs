//! Configuration: the command line (each flag also an environment variable `CAHIER_<NAME>`), or
//! [`Config::local`] for tests and embedding.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use mesdonnees_shared::connector::DEFAULT_MAX_LINE_BYTES;

/// Shortest HS256 secret accepted (RFC 7518 §3.2: at least the hash size).
pub const MIN_SECRET_BYTES: usize = 32;

/// A secret that never shows in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// Where attachment bytes live; in a deployment, the store mesdonnees uses.
#[derive(Debug, Clone)]
pub struct StorageConfig {
    /// `file://PATH` or `s3://BUCKET[/PREFIX]`.
    pub url: String,
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<Secret>,
    pub s3_allow_http: bool,
    /// Path-style requests (`endpoint/bucket/key`), what MinIO and most self-hosted servers want.
    pub s3_path_style: bool,
}

impl StorageConfig {
    pub fn local(root: &Path) -> Self {
        Self {
            url: format!("file://{}", root.display()),
            s3_endpoint: None,
            s3_region: "us-east-1".to_owned(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_allow_http: false,
            s3_path_style: true,
        }
    }
}

/// How the ENT's user tokens are checked (the same tokens mesdonnees accepts).
#[derive(Debug, Clone)]
pub struct UserTokenConfig {
    pub secret: Secret,
    pub issuer: String,
    pub audience: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `127.0.0.1:0` picks a free port; [`crate::Cahier::addr`] tells which.
    pub bind: SocketAddr,
    /// The SQLite file; its folder is created.
    pub database: PathBuf,
    pub storage: StorageConfig,
    /// The audience of service tokens, and what `/connector/info` answers.
    pub app_id: String,
    /// HS256 secret of the service tokens mesdonnees mints for this app.
    pub service_secret: Secret,
    pub user_tokens: UserTokenConfig,
    /// Longest import body.
    pub max_import_bytes: u64,
    /// Longest NDJSON line of an import body.
    pub max_line_bytes: usize,
    /// Largest attachment, uploaded or imported.
    pub max_upload_bytes: u64,
    /// A pause after each exported line, to see how mesdonnees copes with a slow app.
    pub export_pace: Duration,
    /// Entries read from the database per page of an export.
    pub export_page_entries: i64,
    /// HTTP worker threads; 0 lets actix take one per core.
    pub workers: usize,
    /// How long a graceful stop waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Config {
    /// Everything under `data_dir` (database and local object store), listening on a free
    /// loopback port, default limits.
    pub fn local(data_dir: &Path, service_secret: &str, user_token_secret: &str) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: data_dir.join("cahier.db"),
            storage: StorageConfig::local(&data_dir.join("objects")),
            app_id: "cahier".to_owned(),
            service_secret: Secret::new(service_secret),
            user_tokens: UserTokenConfig {
                secret: Secret::new(user_token_secret),
                issuer: "mesdonnees".to_owned(),
                audience: "mesdonnees".to_owned(),
            },
            max_import_bytes: 1024 * 1024 * 1024,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_upload_bytes: 100 * 1024 * 1024,
            export_pace: Duration::ZERO,
            export_page_entries: 200,
            workers: 2,
            shutdown_grace: Duration::from_secs(10),
        }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.service_secret.expose().len() < MIN_SECRET_BYTES {
            return Err(ConfigError::WeakSecret("service secret"));
        }
        if self.user_tokens.secret.expose().len() < MIN_SECRET_BYTES {
            return Err(ConfigError::WeakSecret("user token secret"));
        }
        if self.app_id.is_empty() {
            return Err(ConfigError::EmptyAppId);
        }
        if self.export_page_entries < 1 {
            return Err(ConfigError::PageSize);
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the {0} must be at least {MIN_SECRET_BYTES} bytes")]
    WeakSecret(&'static str),
    #[error("the app id is empty")]
    EmptyAppId,
    #[error("an export page holds at least one entry")]
    PageSize,
}

/// The command line of `mesdonnees-cahier`.
#[derive(Debug, Parser)]
#[command(
    name = "mesdonnees-cahier",
    version,
    about = "Cahier de textes, an ENT app with a mesdonnees connector"
)]
pub struct Args {
    #[arg(long, env = "CAHIER_BIND", default_value = "127.0.0.1:8090")]
    pub bind: SocketAddr,
    /// SQLite database file (its folder is created).
    #[arg(long, env = "CAHIER_DATABASE", default_value = "./data-cahier/cahier.db")]
    pub database: PathBuf,
    /// `file://PATH` or `s3://BUCKET[/PREFIX]`: in a deployment, the store mesdonnees uses.
    #[arg(long, env = "CAHIER_STORAGE_URL", default_value = "file://./data-cahier/objects")]
    pub storage_url: String,
    #[arg(long, env = "CAHIER_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    #[arg(long, env = "CAHIER_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    #[arg(long, env = "CAHIER_S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,
    #[arg(long, env = "CAHIER_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,
    /// Allow plain-HTTP endpoints (a local MinIO).
    #[arg(long, env = "CAHIER_S3_ALLOW_HTTP")]
    pub s3_allow_http: bool,
    /// Virtual-hosted-style requests (`bucket.endpoint/key`) instead of path style.
    #[arg(long, env = "CAHIER_S3_VIRTUAL_HOSTED")]
    pub s3_virtual_hosted: bool,
    #[arg(long, env = "CAHIER_APP_ID", default_value = "cahier")]
    pub app_id: String,
    /// HS256 secret shared with mesdonnees for service tokens (at least 32 bytes).
    #[arg(long, env = "CAHIER_SERVICE_SECRET", hide_env_values = true)]
    pub service_secret: String,
    /// HS256 secret of the ENT user tokens (at least 32 bytes).
    #[arg(long, env = "CAHIER_USER_TOKEN_SECRET", hide_env_values = true)]
    pub user_token_secret: String,
    #[arg(long, env = "CAHIER_USER_TOKEN_ISSUER", default_value = "mesdonnees")]
    pub user_token_issuer: String,
    #[arg(long, env = "CAHIER_USER_TOKEN_AUDIENCE", default_value = "mesdonnees")]
    pub user_token_audience: String,
    #[arg(long, env = "CAHIER_MAX_IMPORT_BYTES", default_value_t = 1024 * 1024 * 1024)]
    pub max_import_bytes: u64,
    #[arg(long, env = "CAHIER_MAX_LINE_BYTES", default_value_t = DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
    #[arg(long, env = "CAHIER_MAX_UPLOAD_BYTES", default_value_t = 100 * 1024 * 1024)]
    pub max_upload_bytes: u64,
    /// Milliseconds to wait after each exported line.
    #[arg(long, env = "CAHIER_EXPORT_PACE_MS", default_value_t = 0)]
    pub export_pace_ms: u64,
    /// HTTP worker threads (0: one per core).
    #[arg(long, env = "CAHIER_WORKERS", default_value_t = 0)]
    pub workers: usize,
}

impl From<Args> for Config {
    fn from(args: Args) -> Self {
        Self {
            bind: args.bind,
            database: args.database,
            storage: StorageConfig {
                url: args.storage_url,
                s3_endpoint: args.s3_endpoint,
                s3_region: args.s3_region,
                s3_access_key_id: args.s3_access_key_id,
                s3_secret_access_key: args.s3_secret_access_key.map(Secret::from),
                s3_allow_http: args.s3_allow_http,
                s3_path_style: !args.s3_virtual_hosted,
            },
            app_id: args.app_id,
            service_secret: Secret::from(args.service_secret),
            user_tokens: UserTokenConfig {
                secret: Secret::from(args.user_token_secret),
                issuer: args.user_token_issuer,
                audience: args.user_token_audience,
            },
            max_import_bytes: args.max_import_bytes,
            max_line_bytes: args.max_line_bytes,
            max_upload_bytes: args.max_upload_bytes,
            export_pace: Duration::from_millis(args.export_pace_ms),
            export_page_entries: 200,
            workers: args.workers,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}
