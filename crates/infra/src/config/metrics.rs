//! `[metrics]`: the Prometheus endpoint.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// The Prometheus endpoint, `GET /metrics`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// A listener of its own serving only `GET /metrics`, in every role: the one way to scrape
    /// a `worker` process, and a way to keep metrics off the public port.
    #[schema(value_type = Option<String>)]
    pub bind: Option<SocketAddr>,
    /// When set, `GET /metrics` requires `Authorization: Bearer <token>` (16 characters or
    /// more).
    pub token: Option<String>,
}

impl Section for MetricsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.token.as_deref().is_some_and(|t| t.trim().len() < 16) {
            return ConfigError::invalid("metrics.token, when set, must be at least 16 characters");
        }
        Ok(())
    }
}
