//! `[log]`: what the process writes on stderr.

use serde::{Deserialize, Serialize};

use super::Section;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

/// What the process writes on stderr.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` for people, `json` (one object a line) for collectors.
    pub format: LogFormat,
    /// A `tracing` filter, e.g. `info` or `mesdonnees=debug,info`. `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { format: LogFormat::Text, level: "info".to_owned() }
    }
}

/// A filter that does not parse falls back to `info`.
impl Section for LogConfig {}
