//! Calls to a remote app: service token, timeouts, and bounded retries of a call that could not
//! start.
//!
//! No read timeout on the HTTP client: its timer would also run while the archive, not the
//! app, is slow to take the next chunk; the stream reader keeps its own idle timer, stopped
//! while the archive is behind. Connection errors are logged with their causes but shown to
//! the user as "cannot be reached": the causes name internal addresses.

use std::time::Duration;

use mesdonnees_infra::apps::{ConnectorsConfig, RemoteAppConfig};
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::connector::{AppInfo, AppProblem, ImportReport, NDJSON};
use reqwest::{RequestBuilder, Response, StatusCode};

use crate::apps::ConnectorError;

/// Largest error body read back from an app, to quote its problem.
const MAX_PROBLEM_BYTES: usize = 16 * 1024;

pub struct AppClient {
    http: reqwest::Client,
    pub app: RemoteAppConfig,
    pub limits: ConnectorsConfig,
    instance: String,
}

impl AppClient {
    pub fn new(
        app: RemoteAppConfig,
        limits: ConnectorsConfig,
        instance: String,
    ) -> Result<Self, ConnectorError> {
        // No read timeout on the client: its timer runs while the archive, not the app, is
        // slow to take the next chunk. The stream reader times the app's silences itself, and
        // every call has a deadline of its own.
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(limits.connect_timeout_secs))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                ConnectorError::new(ErrorCode::AppUnavailable, format!("HTTP client: {e}"))
            })?;
        Ok(Self { http, app, limits, instance })
    }

    pub fn url(&self, operation: &str) -> String {
        format!("{}/{operation}", self.app.base_url.trim_end_matches('/'))
    }

    fn token(&self) -> Result<String, ConnectorError> {
        self.app
            .mint_token(&self.instance, self.limits.token_ttl_secs)
            .map_err(|e| ConnectorError::new(ErrorCode::AppUnavailable, e.to_string()))
    }

    /// A request to `operation` with a fresh service token.
    pub fn request(
        &self,
        method: reqwest::Method,
        operation: &str,
    ) -> Result<RequestBuilder, ConnectorError> {
        Ok(self.http.request(method, self.url(operation)).bearer_auth(self.token()?))
    }

    /// Sends what `build` makes until the app answers with a success, retrying connection
    /// failures, 429 and 5xx answers up to `max_retries` times with a doubling pause. Only the
    /// head of the answer is awaited, within `request_timeout_secs`.
    pub async fn send(
        &self,
        build: impl Fn() -> Result<RequestBuilder, ConnectorError>,
    ) -> Result<Response, ConnectorError> {
        let mut pause = Duration::from_millis(self.limits.retry_backoff_ms);
        let head_timeout = Duration::from_secs(self.limits.request_timeout_secs);
        let mut attempt = 0;
        loop {
            let last = attempt >= self.limits.max_retries;
            attempt += 1;
            let outcome = tokio::time::timeout(head_timeout, build()?.send()).await;
            let error = match outcome {
                Err(_) => ConnectorError::new(
                    ErrorCode::AppTimeout,
                    format!("{} did not answer within {head_timeout:?}", self.app.id),
                ),
                Ok(Ok(response)) if response.status().is_success() => return Ok(response),
                Ok(Ok(response)) => {
                    let status = response.status();
                    let error = self.refusal(response).await;
                    if !retryable(status) {
                        return Err(error);
                    }
                    error
                }
                // The cause names internal addresses: logged, not shown to the user.
                Ok(Err(e)) if e.is_connect() || e.is_timeout() => {
                    tracing::warn!(app = %self.app.id, error = %error_chain(&e), "app unreachable");
                    ConnectorError::new(
                        if e.is_timeout() {
                            ErrorCode::AppTimeout
                        } else {
                            ErrorCode::AppUnavailable
                        },
                        format!("{} cannot be reached", self.app.id),
                    )
                }
                Ok(Err(e)) => {
                    tracing::warn!(app = %self.app.id, error = %error_chain(&e), "app call failed");
                    return Err(ConnectorError::new(
                        ErrorCode::AppUnavailable,
                        format!("calling {} failed", self.app.id),
                    ));
                }
            };
            if last {
                return Err(error);
            }
            tracing::warn!(app = %self.app.id, attempt, code = error.code.as_str(), "app call failed; retrying");
            tokio::time::sleep(pause).await;
            pause = pause.saturating_mul(2);
        }
    }

    /// `GET /info`, retried like any call: tells that the app is up and is the one configured.
    pub async fn info(&self) -> Result<AppInfo, ConnectorError> {
        let response = self.send(|| self.request(reqwest::Method::GET, "info")).await?;
        let body = read_limited(response, MAX_PROBLEM_BYTES).await.ok_or_else(|| {
            ConnectorError::new(
                ErrorCode::InvalidAnswer,
                format!("{}'s info is unreadable", self.app.id),
            )
        })?;
        let info: AppInfo = serde_json::from_slice(&body).map_err(|e| {
            ConnectorError::new(ErrorCode::InvalidAnswer, format!("{}'s info: {e}", self.app.id))
        })?;
        if info.app != self.app.id {
            return Err(ConnectorError::new(
                ErrorCode::AppRefused,
                format!("the app at {}'s address says it is {:?}", self.app.id, info.app),
            ));
        }
        Ok(info)
    }

    /// `POST /import` with `body`, sent once: the body is produced as it goes and cannot be
    /// replayed, so availability is checked with [`Self::info`] first.
    pub async fn import(
        &self,
        body: reqwest::Body,
        deadline: tokio::time::Instant,
    ) -> Result<ImportReport, ConnectorError> {
        let request = self
            .request(reqwest::Method::POST, "import")?
            .header(reqwest::header::CONTENT_TYPE, NDJSON)
            .body(body);
        let call = async {
            let response = request.send().await.map_err(|e| {
                tracing::warn!(app = %self.app.id, error = %error_chain(&e), "import call failed");
                ConnectorError::new(
                    if e.is_timeout() { ErrorCode::AppTimeout } else { ErrorCode::AppUnavailable },
                    format!("{} stopped answering during the import", self.app.id),
                )
            })?;
            if !response.status().is_success() {
                return Err(self.refusal(response).await);
            }
            let body =
                read_limited(response, self.limits.max_report_bytes).await.ok_or_else(|| {
                    ConnectorError::new(
                        ErrorCode::InvalidAnswer,
                        format!("{}'s import report is unreadable or too large", self.app.id),
                    )
                })?;
            serde_json::from_slice(&body).map_err(|e| {
                ConnectorError::new(
                    ErrorCode::InvalidAnswer,
                    format!("{}'s import report: {e}", self.app.id),
                )
            })
        };
        tokio::time::timeout_at(deadline, call).await.unwrap_or_else(|_| {
            Err(ConnectorError::new(
                ErrorCode::AppTimeout,
                format!("{}'s import took longer than allowed", self.app.id),
            ))
        })
    }

    /// An error answer, with the app's problem title and code when it sent one.
    async fn refusal(&self, response: Response) -> ConnectorError {
        let status = response.status();
        let body = read_limited(response, MAX_PROBLEM_BYTES).await.unwrap_or_default();
        let problem: AppProblem = serde_json::from_slice(&body).unwrap_or_default();
        let code = if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            ErrorCode::AppUnavailable
        } else {
            ErrorCode::AppRefused
        };
        let said = match (problem.code, problem.detail.or(Some(problem.title))) {
            (Some(c), Some(d)) if !d.is_empty() => format!(": {c}: {d}"),
            (Some(c), _) => format!(": {c}"),
            (None, Some(d)) if !d.is_empty() => format!(": {d}"),
            _ => String::new(),
        };
        ConnectorError::new(code, format!("{} answered {status}{said}", self.app.id))
    }
}

fn retryable(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
}

/// Reads at most `max` bytes of a body; `None` past that.
pub async fn read_limited(response: Response, max: usize) -> Option<Vec<u8>> {
    use futures_util::StreamExt;
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.ok()?;
        if body.len() + chunk.len() > max {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    Some(body)
}

/// The error with its causes: reqwest's own message rarely says what failed.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
