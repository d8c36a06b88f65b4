use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get};
use mesdonnees_infra::metrics::{CONTENT_TYPE, QUEUE_STATUSES};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::routes::Ctx;

/// This process's metrics, for Prometheus.
///
/// OpenMetrics text. Counters and histograms are this process's; the queue gauges are read from
/// the database at each scrape, so every process reports the same queue. When `metrics.token`
/// is configured, it is required as a bearer token.
#[utoipa::path(
    tag = "metrics",
    responses(
        (status = 200, body = String, content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8"),
        (status = 401, body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
    ),
    security((), ("metrics_token" = []))
)]
#[get("/metrics")]
pub async fn get_metrics(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = &ctx.config.metrics.token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Digests compared rather than the tokens: the time taken says nothing about how much
        // of the token was right.
        if Sha256::digest(given.trim()) != Sha256::digest(expected.trim()) {
            return Err(ApiError::Unauthenticated("the metrics token is missing or wrong"));
        }
    }
    let counts =
        ctx.db.run(|conn| mesdonnees_db::jobs::count_by_status(conn, &QUEUE_STATUSES)).await;
    match counts {
        Ok(counts) => ctx.metrics.set_queue_depth(&counts),
        Err(e) => {
            tracing::warn!(error = ?e, "queue depth not read; its gauges are left out");
            ctx.metrics.forget_queue_depth();
        }
    }
    let text = ctx.metrics.encode().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().content_type(CONTENT_TYPE).body(text))
}
