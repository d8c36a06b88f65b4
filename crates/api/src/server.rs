use std::net::SocketAddr;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{Condition, Next, from_fn};
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, HttpServer, web};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::cors;
use crate::edge::{self, KnownRoutes};
use crate::error::ApiError;
use crate::forwarded::TrustedProxies;
use crate::http_metrics::record_request;
use crate::openapi;
use crate::problem;
use crate::request_span::RequestSpan;
use crate::routes::metrics::get_metrics;

/// A running HTTP server: where it listens and the handle to stop it.
pub struct HttpServerHandle {
    pub addr: SocketAddr,
    pub server: Server,
}

/// Binds and starts the HTTP server; the returned [`Server`] future runs it.
pub fn start_http(ctx: Context, bind: SocketAddr) -> std::io::Result<HttpServerHandle> {
    let grace = ctx.config.http.shutdown_grace_secs;
    let workers = ctx.config.http.workers;
    let json_limit = ctx.config.limits.max_json_bytes;
    let web_page = ctx.config.http.web_page;
    let cors_origins = ctx.config.http.cors_allowed_origins.clone();
    let cors_max_age = ctx.config.http.cors_max_age_secs;
    let ctx_proxies = ctx.config.http.trusted_proxy_networks();
    let data = web::Data::new(ctx);
    let document = openapi();
    let known_routes = web::Data::new(KnownRoutes::new(&document, web_page));
    let proxies = web::Data::new(TrustedProxies(ctx_proxies));
    let mut server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .openapi(openapi::base())
            .app_data(data.clone())
            .app_data(known_routes.clone())
            .app_data(proxies.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(json_limit)
                    .error_handler(|e, _| json_error(&e).into()),
            )
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError::unprocessable(ErrorCode::InvalidRequest, format!("bad query string: {e}"))
                    .into()
            }))
            .app_data(
                web::PathConfig::default()
                    .error_handler(|_, _| ApiError::NotFound("resource").into()),
            )
            .configure(openapi::configure)
            .split_for_parts();
        // The complete document, with the answers every route shares, rather than the bare one
        // the registrations make.
        app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document.clone()))
            .service(web::redirect("/docs", "/docs/"))
            .configure(|cfg| {
                if web_page {
                    crate::web::configure(cfg);
                }
            })
            .default_service(web::to(route_not_found))
            .wrap(from_fn(edge::methods))
            .wrap(from_fn(edge::head))
            .wrap(from_fn(edge::explorer))
            .wrap(from_fn(edge::header_limits))
            .wrap(from_fn(problem::server_errors_as_problems))
            .wrap(from_fn(problem::in_request_language))
            .wrap(from_fn(request_id_header))
            .wrap(from_fn(record_request))
            // Outside the others, so that errors and preflights carry the CORS headers too.
            .wrap(Condition::new(!cors_origins.is_empty(), cors::cors(&cors_origins, cors_max_age)))
            .wrap(from_fn(cors::refusals))
            .wrap(TracingLogger::<RequestSpan>::new())
    })
    .shutdown_timeout(grace)
    .client_request_timeout(Duration::from_secs(30))
    .disable_signals();
    if workers > 0 {
        server = server.workers(workers);
    }
    let server = server.bind(bind)?;
    let addr = server.addrs().first().copied().unwrap_or(bind);
    Ok(HttpServerHandle { addr, server: server.run() })
}

/// A listener serving only `GET /metrics` (`metrics.bind`): how a worker process is scraped,
/// and a way to keep metrics off the public port.
pub fn start_metrics_http(ctx: Context, bind: SocketAddr) -> std::io::Result<HttpServerHandle> {
    let data = web::Data::new(ctx);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .service(get_metrics)
            .default_service(web::to(route_not_found))
            .wrap(from_fn(problem::in_request_language))
    })
    // A scrape is short; one thread is plenty and the stop need not wait.
    .workers(1)
    .shutdown_timeout(1)
    .disable_signals()
    .bind(bind)?;
    let addr = server.addrs().first().copied().unwrap_or(bind);
    Ok(HttpServerHandle { addr, server: server.run() })
}

/// 404, or 405 with `Allow` when the path is served with other methods.
pub(crate) async fn route_not_found(req: HttpRequest) -> HttpResponse {
    edge::no_route(&req)
}

fn json_error(e: &actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as E;
    match e {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => ApiError::PayloadTooLarge {
            code: ErrorCode::PayloadTooLarge,
            detail: "the JSON body is too large".into(),
        },
        E::ContentType => ApiError::UnsupportedMediaTypeJson,
        E::Deserialize(err) if err.is_data() => {
            ApiError::unprocessable(ErrorCode::InvalidRequest, format!("invalid body: {err}"))
        }
        // serde_json ends its message with the position, which the words say already.
        E::Deserialize(err) if err.line() > 0 => {
            let facts = err.to_string();
            let facts = facts.rsplit_once(" at line ").map_or(facts.as_str(), |(what, _)| what);
            ApiError::UnreadableJson {
                line: err.line(),
                column: err.column(),
                cut_short: err.is_eof(),
                facts: facts.to_owned(),
            }
        }
        other => ApiError::bad_request(
            ErrorCode::InvalidRequest,
            format!("unreadable JSON body: {other}"),
        ),
    }
}

/// Echoes the request id the tracing span carries, so a client can quote it in a report.
async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(ToString::to_string);
    let mut res = next.call(req).await?;
    if let Some(id) = id
        && let Ok(value) = HeaderValue::from_str(&id)
    {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}
