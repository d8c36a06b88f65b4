//! `[connectors]`: how remote apps are called (timeouts, retries, sizes of what they send).

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// How remote apps are called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectorsConfig {
    /// Time to open a connection to an app.
    pub connect_timeout_secs: u64,
    /// Longest an app may take to answer `info` or to start its export stream (the head of its
    /// answer).
    pub request_timeout_secs: u64,
    /// Longest silence inside an export stream.
    pub idle_timeout_secs: u64,
    /// Longest one app's whole export stream, or its whole import call, may last.
    pub export_deadline_secs: u64,
    /// Further tries of a call that could not start (connection refused, 5xx, 429), each after
    /// a doubled pause; a stream cut once started is not tried again.
    pub max_retries: u32,
    /// Pause before the first retry.
    pub retry_backoff_ms: u64,
    /// Longest line of an export stream.
    pub max_line_bytes: usize,
    /// Most bytes of JSON lines one app's export stream may send.
    pub max_stream_bytes: u64,
    /// Largest import report an app may answer.
    pub max_report_bytes: usize,
    /// Lifetime of a service token.
    pub token_ttl_secs: u64,
}

impl Default for ConnectorsConfig {
    fn default() -> Self {
        Self {
            connect_timeout_secs: 5,
            request_timeout_secs: 60,
            idle_timeout_secs: 30,
            export_deadline_secs: 900,
            max_retries: 3,
            retry_backoff_ms: 250,
            max_line_bytes: mesdonnees_shared::connector::DEFAULT_MAX_LINE_BYTES,
            max_stream_bytes: 1024 * 1024 * 1024,
            max_report_bytes: 4 * 1024 * 1024,
            token_ttl_secs: 300,
        }
    }
}

impl Section for ConnectorsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if [
            self.connect_timeout_secs,
            self.request_timeout_secs,
            self.idle_timeout_secs,
            self.export_deadline_secs,
            self.retry_backoff_ms,
            self.max_stream_bytes,
            self.token_ttl_secs,
        ]
        .contains(&0)
            || self.max_line_bytes < 1024
            || self.max_report_bytes < 1024
        {
            return ConfigError::invalid(
                "connectors: timeouts, backoff, max_stream_bytes and token_ttl_secs must be \
                 positive, max_line_bytes and max_report_bytes at least 1024",
            );
        }
        if self.max_retries > 10 || self.token_ttl_secs > 3600 {
            return ConfigError::invalid(
                "connectors: max_retries is at most 10, token_ttl_secs at most 3600",
            );
        }
        Ok(())
    }
}
