//! `[http]`: the API's listener.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::Section;

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
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            shutdown_grace_secs: 30,
            workers: 0,
            web_page: true,
        }
    }
}

/// Any address and thread count will do.
impl Section for HttpConfig {}
