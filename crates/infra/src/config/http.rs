//! `[http]`: the API's listener.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// The HTTP API: where it listens and how it stops.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Address the API listens on (`--bind` sets it too).
    #[schema(value_type = String)]
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
    /// The ENT's address (`https://…`), where the page sends a signed-out user to sign in again.
    pub ent_url: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            shutdown_grace_secs: 30,
            workers: 0,
            web_page: true,
            ent_url: None,
        }
    }
}

/// Any address and thread count will do; the ENT's address is a link people follow, so an
/// absolute http(s) URL.
impl Section for HttpConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let Some(ent_url) = &self.ent_url else { return Ok(()) };
        match url::Url::parse(ent_url) {
            Ok(url) if matches!(url.scheme(), "https" | "http") && url.has_host() => Ok(()),
            _ => ConfigError::invalid(format!(
                "http.ent_url must be an absolute http(s) URL, not {ent_url:?}"
            )),
        }
    }
}
