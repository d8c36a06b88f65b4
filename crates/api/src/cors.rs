//! CORS for the ENT's pages (`http.cors_allowed_origins`), with actix-cors. Bearer tokens
//! only: no credentials mode.
//!
//! Pitfalls of actix-cors 0.7, undone by [`refusals`]: it lists `Access-Control-Expose-Headers`
//! on the answers to every origin, allowed or not, and answers a refused preflight with a
//! plain-text 400. An answer to another origin carries no CORS header at all, and a refused
//! preflight is the `cors_refused` problem.

use actix_cors::{Cors, CorsError};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, HeaderMap, HeaderName,
};
use actix_web::middleware::Next;
use mesdonnees_shared::ErrorCode;

use crate::problem;

/// The configured origins, preflights of every route answered. A request from another origin
/// goes through, and the browser keeps its answer from the page.
pub(crate) fn cors(origins: &[String], max_age_secs: usize) -> Cors {
    use actix_web::http::header;
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::RANGE,
            header::IF_RANGE,
            header::IF_NONE_MATCH,
            header::IF_MATCH,
        ])
        .expose_headers([
            header::ETAG,
            header::CONTENT_RANGE,
            header::ACCEPT_RANGES,
            header::CONTENT_DISPOSITION,
            header::RETRY_AFTER,
            header::LOCATION,
            HeaderName::from_static("x-request-id"),
        ])
        .max_age(max_age_secs)
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = if origin == "*" { cors.allow_any_origin() } else { cors.allowed_origin(origin) };
    }
    cors
}

/// Middleware around [`cors`]: a refused preflight becomes a problem in the request's language,
/// and an answer that allows no origin loses the headers that only an allowed one may read.
pub(crate) async fn refusals(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let lang = problem::lang(&req);
    let mut res = match next.call(req).await {
        Ok(res) => res,
        Err(mut err) => {
            err.add_response_mapper(|mut res| {
                without_exposed_headers(res.headers_mut());
                res
            });
            return Err(err);
        }
    };
    let refused = res.response().error().and_then(|e| e.as_error::<CorsError>()).cloned();
    if let Some(refused) = refused {
        let facts = refused.to_string();
        let problem =
            problem::with_facts(StatusCode::FORBIDDEN, ErrorCode::CorsRefused, lang, &facts);
        return Ok(res.into_response(problem).map_into_right_body());
    }
    without_exposed_headers(res.headers_mut());
    Ok(res.map_into_left_body())
}

fn without_exposed_headers(headers: &mut HeaderMap) {
    if !headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN) {
        headers.remove(ACCESS_CONTROL_EXPOSE_HEADERS);
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::{TestRequest, call_service, init_service};
    use actix_web::{App, HttpResponse, middleware::from_fn, web};

    use super::*;

    #[actix_web::test]
    async fn a_refused_preflight_is_a_problem_and_other_origins_read_nothing() {
        let app = init_service(
            App::new()
                .route("/x", web::get().to(HttpResponse::Ok))
                .wrap(cors(&["https://ent.example".to_owned()], 60))
                .wrap(from_fn(refusals)),
        )
        .await;
        let preflight = TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/x")
            .insert_header(("Origin", "https://evil.example"))
            .insert_header(("Access-Control-Request-Method", "GET"))
            .to_request();
        let res = call_service(&app, preflight).await;
        assert_eq!(res.status(), 403);
        assert!(res.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

        let get = TestRequest::get().uri("/x").insert_header(("Origin", "https://evil.example"));
        let res = call_service(&app, get.to_request()).await;
        assert_eq!(res.status(), 200);
        assert!(res.headers().keys().all(|name| !name.as_str().starts_with("access-control-")));
    }
}
