//! Layered configuration: embedded defaults → optional TOML file → `MESDONNEES__…` environment
//! variables → command-line flags (applied by the binary on top). One file per section, each
//! with its defaults and its own checks; loading happens here only.

mod apps;
mod auth;
mod claims;
mod connectors;
mod database;
mod documents;
mod exports;
mod http;
mod imports;
mod leavers;
mod limits;
mod locale;
mod log;
mod metrics;
mod operator;
mod queue;
mod reference;
mod smtp;
mod storage;

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub use apps::{AppTableField, RemoteAppConfig};
pub use auth::{Algorithm, AuthConfig, IdentityProvider, ProviderConfig};
pub use claims::ClaimsConfig;
pub use connectors::ConnectorsConfig;
pub use database::DatabaseConfig;
pub use documents::DocumentsConfig;
pub use exports::{ExportsConfig, PreviousKey};
pub use http::HttpConfig;
pub use imports::{ImportsConfig, TrustedKey};
pub use leavers::LeaversConfig;
pub use limits::LimitsConfig;
pub use locale::LocaleConfig;
pub use log::{LogConfig, LogFormat};
pub use metrics::MetricsConfig;
pub use operator::OperatorConfig;
pub use queue::QueueConfig;
pub use reference::reference;
pub use smtp::SmtpConfig;
pub use storage::StorageConfig;

/// Prefix of every configuration environment variable; `__` separates nested keys, so
/// `MESDONNEES__DATABASE__URL` sets `database.url`.
pub const ENV_PREFIX: &str = "MESDONNEES__";

/// Keys that were renamed, with their new name: refused with a message naming it, rather than
/// as an unknown key.
const RENAMED: [(&str, &str); 1] = [("limits.max_upload_bytes", "documents.max_upload_bytes")];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Embedded defaults allowed: a generated signing key under the data folder.
    Development,
    /// Refuses to start without a configured signing key.
    Production,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `development` accepts a generated token key under the data folder; `production`
    /// refuses to start without a configured one.
    pub mode: Mode,
    /// Where the embedded defaults live: SQLite file, local objects, development key.
    #[schema(value_type = String)]
    pub data_dir: PathBuf,
    pub http: HttpConfig,
    pub database: DatabaseConfig,
    pub storage: StorageConfig,
    pub queue: QueueConfig,
    pub auth: AuthConfig,
    pub limits: LimitsConfig,
    pub documents: DocumentsConfig,
    pub exports: ExportsConfig,
    pub imports: ImportsConfig,
    pub smtp: SmtpConfig,
    pub log: LogConfig,
    pub locale: LocaleConfig,
    pub metrics: MetricsConfig,
    /// Remote ENT apps, beside the built-in `workspace` (`[[apps]]` tables).
    #[serde(default)]
    pub apps: Vec<RemoteAppConfig>,
    #[serde(default)]
    pub connectors: ConnectorsConfig,
    #[serde(default)]
    pub operator: OperatorConfig,
    #[serde(default)]
    pub leavers: LeaversConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            mode: Mode::Development,
            data_dir: PathBuf::from("./data"),
            http: HttpConfig::default(),
            database: DatabaseConfig::default(),
            storage: StorageConfig::default(),
            queue: QueueConfig::default(),
            auth: AuthConfig::default(),
            limits: LimitsConfig::default(),
            documents: DocumentsConfig::default(),
            exports: ExportsConfig::default(),
            imports: ImportsConfig::default(),
            smtp: SmtpConfig::default(),
            log: LogConfig::default(),
            locale: LocaleConfig::default(),
            metrics: MetricsConfig::default(),
            apps: Vec::new(),
            connectors: ConnectorsConfig::default(),
            operator: OperatorConfig::default(),
            leavers: LeaversConfig::default(),
        }
    }
}

/// One `[section]` of the configuration: its checks of values serde accepts.
trait Section {
    /// Checks what the types alone do not (ranges, relations between keys).
    fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error(
        "invalid configuration: {old} was renamed {new} (environment variable {}); set that instead",
        env_var(new)
    )]
    Renamed { old: &'static str, new: &'static str },
    #[error(transparent)]
    Figment(#[from] Box<figment::Error>),
}

impl ConfigError {
    fn invalid<T>(message: impl Into<String>) -> Result<T, Self> {
        Err(Self::Invalid(message.into()))
    }
}

/// The environment variable that sets a dotted key: `queue.name` is `MESDONNEES__QUEUE__NAME`.
pub fn env_var(key: &str) -> String {
    format!("{ENV_PREFIX}{}", key.replace('.', "__").to_uppercase())
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
        if let Some(&(old, new)) = RENAMED.iter().find(|(old, _)| figment.contains(old)) {
            return Err(ConfigError::Renamed { old, new });
        }
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
        if self.mode == Mode::Production && self.http.cors_allowed_origins.iter().any(|o| o == "*")
        {
            return ConfigError::invalid(
                "http.cors_allowed_origins: `*` is refused in production mode; name the origins",
            );
        }
        self.http.validate()?;
        self.database.validate()?;
        self.storage.validate()?;
        self.queue.validate()?;
        self.auth.validate()?;
        self.limits.validate()?;
        self.documents.validate()?;
        self.exports.validate()?;
        self.imports.validate()?;
        self.smtp.validate()?;
        self.log.validate()?;
        self.locale.validate()?;
        self.metrics.validate()?;
        apps::validate_apps(&self.apps)?;
        self.connectors.validate()?;
        self.operator.validate()?;
        self.leavers.validate()
    }

    pub fn uses_redis(&self) -> bool {
        !self.queue.redis_url.is_empty()
    }
}

#[cfg(test)]
mod tests;
