//! Counts every request and times it to its response's head, labelled by the route pattern
//! that matched (`/api/v1/exports/{id}`): ids, names and query strings never become labels.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use mesdonnees_infra::Context;
use mesdonnees_infra::metrics::UNMATCHED_ROUTE;

pub(crate) async fn record_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Context>>().map(|ctx| ctx.metrics.clone());
    let method = req.method().clone();
    let route = req.match_pattern();
    let result = next.call(req).await;
    if let Some(metrics) = metrics {
        let status = match &result {
            Ok(res) => res.status(),
            Err(e) => e.as_response_error().status_code(),
        };
        metrics.record_request(
            method.as_str(),
            route.as_deref().unwrap_or(UNMATCHED_ROUTE),
            status.as_u16(),
            started.elapsed(),
        );
    }
    result
}
