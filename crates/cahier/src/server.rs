//! Starting and stopping the app: in-process for tests, or from the binary.

use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use tokio::task::JoinHandle;

use crate::auth::Keys;
use crate::config::{Config, ConfigError};
use crate::db::{Db, DbError};
use crate::problem::{Problem, codes};
use crate::state::State;
use crate::storage::{self, StorageError};
use crate::{connector, routes};

/// Largest JSON body of the user API: an entry's content and its other fields.
const MAX_JSON_BYTES: usize = 512 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot open the database")]
    Db(#[from] DbError),
    #[error("cannot open the object store")]
    Storage(#[from] StorageError),
    #[error("cannot listen on {0}")]
    Bind(SocketAddr, #[source] std::io::Error),
}

/// A running app.
pub struct Cahier {
    addr: SocketAddr,
    handle: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
}

impl std::fmt::Debug for Cahier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cahier").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Cahier {
    /// Opens and migrates the database, opens the store, binds and starts serving. Must be
    /// called inside a Tokio runtime.
    pub async fn start(config: Config) -> Result<Self, StartError> {
        config.validate()?;
        let db = {
            let path = config.database.clone();
            tokio::task::spawn_blocking(move || Db::open(&path))
                .await
                .map_err(|_| DbError::Cancelled)??
        };
        let store = storage::open(&config.storage)?;
        let listener =
            TcpListener::bind(config.bind).map_err(|e| StartError::Bind(config.bind, e))?;
        let addr = listener.local_addr().map_err(|e| StartError::Bind(config.bind, e))?;
        let (workers, grace) = (config.workers, config.shutdown_grace);
        let keys = Keys::new(&config);
        let state = web::Data::new(State { config, db, store, keys });
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(MAX_JSON_BYTES)
                        .error_handler(|e, _| json_error(&e).into()),
                )
                .app_data(
                    web::PathConfig::default()
                        .error_handler(|_, _| Problem::not_found("resource").into()),
                )
                .configure(routes::configure)
                .configure(connector::configure)
                .default_service(web::to(no_route))
                .wrap(from_fn(log_request))
        })
        .shutdown_timeout(grace.as_secs().max(1))
        .client_request_timeout(Duration::from_secs(30))
        .disable_signals();
        if workers > 0 {
            server = server.workers(workers);
        }
        let server = server.listen(listener).map_err(|e| StartError::Bind(addr, e))?.run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        tracing::info!(%addr, "cahier listening");
        Ok(Self { addr, handle, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`, the root of the user API.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://HOST:PORT/connector`, the base URL mesdonnees is configured with.
    pub fn connector_url(&self) -> String {
        format!("{}/connector", self.base_url())
    }

    /// Stops accepting, lets requests in flight finish (up to the shutdown grace), then returns.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }

    /// Stops at once, cutting connections in flight: what a crash looks like to a client.
    pub async fn kill(self) {
        self.handle.stop(false).await;
        let _ = self.task.await;
    }

    /// A handle to stop the server from elsewhere (a signal handler).
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Runs until the server stops.
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }
}

async fn no_route(req: HttpRequest) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        codes::NOT_FOUND,
        format!("no route for {} {}", req.method(), req.path()),
    )
}

fn json_error(e: &actix_web::error::JsonPayloadError) -> Problem {
    use actix_web::error::JsonPayloadError as E;
    match e {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => {
            Problem::too_large(codes::PAYLOAD_TOO_LARGE, "the JSON body is too large")
        }
        E::ContentType => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            "send application/json",
        ),
        E::Deserialize(err) if err.is_data() => Problem::invalid(format!("invalid body: {err}")),
        other => Problem::bad_request(codes::INVALID_REQUEST, format!("unreadable JSON: {other}")),
    }
}

/// One log line per request: method, path (ids of entries only, never users or tokens),
/// status and duration.
async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let res = next.call(req).await?;
    tracing::info!(
        %method,
        path,
        status = res.status().as_u16(),
        ms = started.elapsed().as_millis(),
        "request"
    );
    Ok(res)
}

impl actix_web::Responder for Problem {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}
