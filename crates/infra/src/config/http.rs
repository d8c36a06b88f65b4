//! `[http]`: the API's listener.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

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
    /// Origins whose pages may call the API (CORS), e.g. `https://ent.example`; empty, none.
    /// `*` allows every origin, in development mode only. Tokens travel in `Authorization`:
    /// no cookie and no credentials mode are involved.
    pub cors_allowed_origins: Vec<String>,
    /// How long a browser may keep a preflight's answer (`Access-Control-Max-Age`), seconds.
    pub cors_max_age_secs: usize,
    /// Who may show the page in a frame (CSP `frame-ancestors`): `'self'`, `'none'` or
    /// origins such as `https://portail.ent.example` (`https://*.ent.example` for subdomains).
    pub frame_ancestors: Vec<String>,
    /// Addresses (`10.0.0.5`) or networks (`10.0.0.0/24`) of the reverse proxies in front of
    /// the service. Only on a connection from one of them are `Forwarded`, `X-Forwarded-Proto`
    /// and `X-Forwarded-Host` believed, for the links the service writes when `public_url` is
    /// not set; empty, they are never believed.
    pub trusted_proxies: Vec<String>,
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
            cors_allowed_origins: Vec::new(),
            cors_max_age_secs: 3600,
            frame_ancestors: vec!["'self'".to_owned()],
            trusted_proxies: Vec::new(),
        }
    }
}

/// An origin is a scheme, a host and maybe a port, nothing else (RFC 6454); `*` is checked
/// against the mode by [`super::Config`]. The ENT's address is a link people follow, so an
/// absolute http(s) URL.
impl Section for HttpConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(ent_url) = &self.ent_url {
            let web = url::Url::parse(ent_url)
                .is_ok_and(|url| matches!(url.scheme(), "https" | "http") && url.has_host());
            if !web {
                return ConfigError::invalid(format!(
                    "http.ent_url must be an absolute http(s) URL, not {ent_url:?}"
                ));
            }
        }
        for origin in &self.cors_allowed_origins {
            if origin != "*" && !is_origin(origin) {
                return ConfigError::invalid(format!(
                    "http.cors_allowed_origins: {origin:?} is not an origin such as \
                     https://ent.example (a scheme, a host and maybe a port)"
                ));
            }
        }
        if self.frame_ancestors.is_empty()
            || (self.frame_ancestors.len() > 1
                && self.frame_ancestors.iter().any(|a| a == "'none'"))
        {
            return ConfigError::invalid(
                "http.frame_ancestors: list 'self' or origins, or 'none' alone",
            );
        }
        if let Some(bad) = self.frame_ancestors.iter().find(|a| !is_frame_ancestor(a)) {
            return ConfigError::invalid(format!(
                "http.frame_ancestors: {bad:?} is not 'self', 'none' or an origin such as \
                 https://portail.ent.example"
            ));
        }
        if let Some(bad) = self.trusted_proxies.iter().find(|p| network(p).is_none()) {
            return ConfigError::invalid(format!(
                "http.trusted_proxies: {bad:?} is neither an address such as 10.0.0.5 nor a \
                 network such as 10.0.0.0/24"
            ));
        }
        Ok(())
    }
}

impl HttpConfig {
    /// The networks of `trusted_proxies` (each checked when the configuration was read).
    pub fn trusted_proxy_networks(&self) -> Vec<IpNet> {
        self.trusted_proxies.iter().filter_map(|p| network(p)).collect()
    }
}

/// An address is the network of that one address.
fn network(value: &str) -> Option<IpNet> {
    value.parse::<IpNet>().ok().or_else(|| value.parse::<IpAddr>().ok().map(IpNet::from))
}

/// A CSP source a header can carry as it is: a keyword, or a scheme, `://` and a host (which
/// may start with `*.`) with maybe a port; nothing that could end the directive.
fn is_frame_ancestor(value: &str) -> bool {
    if value == "'self'" || value == "'none'" {
        return true;
    }
    let Some((scheme, host)) = value.split_once("://") else { return false };
    matches!(scheme, "http" | "https")
        && !host.is_empty()
        && host.len() <= 253
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '*'))
        && host.rfind('*').is_none_or(|at| at == 0 && host.starts_with("*."))
}

/// Whether `value` is exactly an origin, as browsers send it in `Origin`.
pub(crate) fn is_origin(value: &str) -> bool {
    url::Url::parse(value).is_ok_and(|url| {
        matches!(url.scheme(), "http" | "https")
            && url.host().is_some()
            && url.origin().ascii_serialization() == value
    })
}
