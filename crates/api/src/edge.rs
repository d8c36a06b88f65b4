//! What the service answers around its routes rather than from one: a method a known path does
//! not take (405 with `Allow`), `HEAD` on every `GET` route, headers over the service's limit
//! (431), the API explorer's headers and its missing files. Every refusal is problem+json.
//!
//! `HEAD` is served by the `GET` route itself, so status and headers cannot drift apart: the
//! request goes on as `GET`, marked ([`is_head`]), and its answer's body is dropped unread,
//! keeping its length. A route whose body is costly to open (a download) asks [`is_head`] and
//! does not open it; anything else a `GET` does (a leaver's download counted) is for that route
//! to leave out, since a link checker's `HEAD` is not a download. actix-http writes no body to a
//! `HEAD` but would still poll one to its end, hence the body swapped for an empty one.
//!
//! actix-http itself answers a head over its fixed ceiling (more than 96 headers, or 128 KiB not
//! yet parsed) with a bare 431 before the application sees the request, and has no hook to
//! change that answer: the service's own limits are set well under that ceiling, so that a
//! client over them meets the problem+json answer, with the limit in its `detail`.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use mesdonnees_shared::ErrorCode;

use crate::problem;

/// Most header lines a request may carry.
pub(crate) const MAX_HEADERS: usize = 64;

/// Most bytes a request's header lines may take, names and values.
pub(crate) const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Every path the service serves with the methods it takes there: the OpenAPI document's paths,
/// and the document itself, its explorer and the page beside them.
///
/// Every request is checked against all of them before routing, so a path is matched segment
/// by segment rather than by the router's patterns, which run a regular expression each: with
/// some fifty paths, those took a tenth of a request's time.
pub(crate) struct KnownRoutes(Vec<(Pattern, Vec<Method>)>);

impl KnownRoutes {
    pub(crate) fn new(doc: &utoipa::openapi::OpenApi, web_page: bool) -> Self {
        let mut routes: Vec<(Pattern, Vec<Method>)> = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (item.get.is_some(), Method::GET),
                    (item.get.is_some(), Method::HEAD),
                    (item.put.is_some(), Method::PUT),
                    (item.post.is_some(), Method::POST),
                    (item.delete.is_some(), Method::DELETE),
                    (item.patch.is_some(), Method::PATCH),
                ]
                .into_iter()
                .filter_map(|(served, method)| served.then_some(method))
                .collect();
                (Pattern::new(path), methods)
            })
            .collect();
        let mut beside = vec!["/openapi.json", "/docs", "/docs/{_:.*}"];
        if web_page {
            beside.extend(["/", "/web/{file}"]);
        }
        routes
            .extend(beside.into_iter().map(|p| (Pattern::new(p), vec![Method::GET, Method::HEAD])));
        Self(routes)
    }

    /// The methods the route at `path` takes, in a stable order; empty for an unknown path. When
    /// several patterns match, the most literal ones win, as in the document:
    /// `/exports/estimate` is its own path, not an export named `estimate`.
    fn allowed(&self, path: &str) -> Vec<&Method> {
        let matching: Vec<_> = self.0.iter().filter(|(pattern, _)| pattern.matches(path)).collect();
        let fewest = matching.iter().map(|(pattern, _)| pattern.variables).min();
        let mut allowed: Vec<&Method> = Vec::new();
        for (_, methods) in matching.iter().filter(|(pattern, _)| Some(pattern.variables) == fewest)
        {
            for method in methods {
                if !allowed.contains(&method) {
                    allowed.push(method);
                }
            }
        }
        allowed.sort_by_key(|m| m.as_str());
        allowed
    }
}

/// A path of the document, `/exports/{id}/parts/{part}`: literal segments, variables that take
/// one non-empty segment each, and a last `{_:.*}` that takes the rest, empty included.
struct Pattern {
    segments: Vec<Segment>,
    variables: usize,
}

enum Segment {
    Literal(String),
    Variable,
    Rest,
}

impl Pattern {
    fn new(path: &str) -> Self {
        let segments: Vec<Segment> = path
            .trim_start_matches('/')
            .split('/')
            .map(|segment| match segment {
                "{_:.*}" => Segment::Rest,
                s if s.starts_with('{') && s.ends_with('}') => Segment::Variable,
                s => Segment::Literal(s.to_owned()),
            })
            .collect();
        let variables = segments.iter().filter(|s| !matches!(s, Segment::Literal(_))).count();
        Self { segments, variables }
    }

    fn matches(&self, path: &str) -> bool {
        let Some(path) = path.strip_prefix('/') else { return false };
        let mut parts = path.split('/');
        for segment in &self.segments {
            let part = parts.next();
            match (segment, part) {
                (Segment::Rest, Some(_)) => return true,
                (Segment::Literal(literal), Some(part)) if part == literal => {}
                (Segment::Variable, Some(part)) if !part.is_empty() => {}
                _ => return false,
            }
        }
        parts.next().is_none()
    }
}

/// 405 with `Allow` when the path is known with other methods, else 404.
pub(crate) fn no_route(req: &HttpRequest) -> HttpResponse {
    wrong_method(req).unwrap_or_else(|| {
        problem::response(StatusCode::NOT_FOUND, ErrorCode::RouteNotFound, problem::lang(req))
    })
}

/// The 405 answer when the path is known and its route does not take the method.
fn wrong_method(req: &HttpRequest) -> Option<HttpResponse> {
    let routes = req.app_data::<actix_web::web::Data<KnownRoutes>>()?;
    let allowed = routes.allowed(req.path());
    if allowed.is_empty() || allowed.contains(&req.method()) {
        return None;
    }
    let list = allowed.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ");
    let detail = format!("{} takes {list}, not {}", req.path(), req.method());
    let mut response = problem::with_facts(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        problem::lang(req),
        &detail,
    );
    if let Ok(value) = HeaderValue::from_str(&list) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Some(response)
}

/// Answers 405 before routing when the path's own route does not take the method: the router
/// alone would hand `DELETE /exports/estimate` to the route of `/exports/{id}`.
pub(crate) async fn methods(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Some(response) = wrong_method(req.request()) {
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Marks a request that came as `HEAD` and goes on as `GET`.
#[derive(Clone, Copy)]
struct Head;

/// Whether the client asked only for the headers (`HEAD`): the answer's body will not be sent.
pub(crate) fn is_head(req: &HttpRequest) -> bool {
    req.extensions().contains::<Head>()
}

/// Serves `HEAD` through the path's `GET` route, answering its status and headers without its
/// body. A path without `GET` keeps its `HEAD`, which [`methods`] refuses.
pub(crate) async fn head(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<HeadersOnly, impl MessageBody>>, actix_web::Error> {
    // The method first: matching the path is for the few HEAD requests only.
    let takes_get = || {
        req.app_data::<actix_web::web::Data<KnownRoutes>>()
            .is_some_and(|routes| routes.allowed(req.path()).contains(&&Method::GET))
    };
    if req.method() != Method::HEAD || !takes_get() {
        return Ok(next.call(req).await?.map_into_right_body());
    }
    req.head_mut().method = Method::GET;
    req.extensions_mut().insert(Head);
    let res = next.call(req).await?;
    Ok(res.map_body(|_, body| EitherBody::left(HeadersOnly(body.size()))))
}

/// A body that is never sent, of the length the `GET` answer's would have had.
pub(crate) struct HeadersOnly(BodySize);

impl MessageBody for HeadersOnly {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}

/// Refuses a request whose header lines are over the service's limits, before any route reads
/// them.
pub(crate) async fn header_limits(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let headers = req.headers();
    let bytes: usize =
        headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        let detail = format!(
            "the request's headers are over this service's limits: at most {MAX_HEADERS} \
             headers and {MAX_HEADER_BYTES} bytes"
        );
        let response = problem::with_facts(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::HeadersTooLarge,
            problem::lang(req.request()),
            &detail,
        );
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The API explorer (`/docs/`) gets the page's security headers, and its answer for a file it
/// does not have (a bare 404) becomes the service's problem.
pub(crate) async fn explorer(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if !req.path().starts_with("/docs") {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let mut res = next.call(req).await?;
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if res.status() == StatusCode::NOT_FOUND && !is_problem {
        let (req, _) = res.into_parts();
        let mut response = no_route(&req);
        crate::web::lock_down(&req, response.headers_mut(), false);
        return Ok(ServiceResponse::new(req, response).map_into_right_body());
    }
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let req = res.request().clone();
    crate::web::lock_down(&req, res.headers_mut(), html);
    Ok(res.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_path_answers_its_methods() {
        let routes = KnownRoutes::new(&crate::openapi(), true);
        let names = |path| routes.allowed(path).iter().map(|m| m.as_str()).collect::<Vec<_>>();
        assert_eq!(names("/api/v1/exports"), ["GET", "HEAD", "POST"]);
        assert_eq!(names("/api/v1/exports/01JABC"), ["DELETE", "GET", "HEAD"]);
        assert_eq!(names("/api/v1/exports/estimate"), ["GET", "HEAD"]);
        assert_eq!(names("/api/v1/exports/01JABC/link"), ["POST"]);
        assert_eq!(names("/api/v1/folders"), ["GET", "HEAD", "POST"]);
        assert_eq!(names("/docs/index.html"), ["GET", "HEAD"]);
        assert_eq!(names("/web/app.js"), ["GET", "HEAD"]);
        assert!(names("/api/v1/nothing").is_empty());
        assert!(names("/api/v1/exports/a/b/c").is_empty());
    }

    /// The segment matcher decides as the router's own patterns do, for every path of the
    /// document and the ones beside it, on paths that fit, fall short, run over, or leave a
    /// variable empty.
    #[test]
    fn a_pattern_matches_what_the_router_would() {
        use actix_web::dev::ResourceDef;
        let document = crate::openapi();
        let mut paths: Vec<String> = document.paths.paths.keys().cloned().collect();
        paths.extend(
            ["/openapi.json", "/docs", "/docs/{_:.*}", "/", "/web/{file}"].map(String::from),
        );
        let fill = |path: &str, with: &str| {
            path.split('/')
                .map(|s| if s.starts_with('{') { with } else { s })
                .collect::<Vec<_>>()
                .join("/")
        };
        for path in &paths {
            let ours = Pattern::new(path);
            let theirs = ResourceDef::new(path.as_str());
            let filled = fill(path, "x1");
            let candidates = [
                filled.clone(),
                format!("{filled}/more"),
                format!("{filled}/"),
                fill(path, ""),
                filled.rsplit_once('/').map_or_else(String::new, |(head, _)| head.to_owned()),
                "/docs/a/b".to_owned(),
                "/docs/".to_owned(),
                "/api/v1/exports/estimate".to_owned(),
            ];
            for candidate in &candidates {
                assert_eq!(
                    ours.matches(candidate),
                    theirs.is_match(candidate),
                    "{path} on {candidate:?}"
                );
            }
        }
    }
}
