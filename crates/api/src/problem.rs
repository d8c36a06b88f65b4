//! RFC 9457 problem details with a stable `code` member, whose `detail` is the code's words in
//! the request's language (`Accept-Language`, French when it names neither).
//!
//! `ResponseError::error_response` does not see the request, so an error renders in French and
//! [`in_request_language`] swaps the body of an English request's error afterwards: only the
//! body, so the response keeps its error for the logger and its headers. A 5xx that actix makes
//! itself (a response whose header could not be built, an error of a stream) is a problem too:
//! [`server_errors_as_problems`] replaces any 5xx body that is not one.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{AcceptLanguage, CONTENT_TYPE, Header, Preference};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use mesdonnees_shared::{ErrorCode, Lang};
use problem_details::ProblemDetails;
use serde::Serialize;

use crate::error::ApiError;

/// The `application/problem+json` body of every 4xx/5xx answer. `type` is left out, which
/// RFC 9457 reads as `about:blank`: the `code` member names the problem.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct ProblemSchema {
    /// The HTTP reason phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong, for people.
    pub detail: Option<String>,
    #[schema(schema_with = open_code)]
    pub code: ErrorCode,
}

/// The problem codes of this version, left open: a generated client maps a known code to its
/// enum and keeps any other as a string, so a code added later does not break it. `anyOf` of the
/// enum and a plain string is the open-enum pattern OpenAPI generators understand
/// (openapi-python-client makes it `ErrorCode | str`, tried in that order; openapi-generator a
/// union or a wrapper over both), where an `enum` alone makes them reject a new code.
fn open_code() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Ref, Schema, Type};
    let code = AnyOfBuilder::new()
        .item(Ref::from_schema_name("ErrorCode"))
        .item(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(
            "Stable machine-readable code; clients switch on it. Codes are never renamed or \
             reused, but new ones may appear: handle an unknown code (show `detail`) rather than \
             failing. docs/ERRORS.md lists every code with its status and its sentences.",
        ))
        .build();
    Schema::AnyOf(code).into()
}

#[derive(Debug, Serialize)]
struct Extensions {
    code: &'static str,
}

/// The problem of `code`, its detail the code's words in `lang`.
pub fn response(status: StatusCode, code: ErrorCode, lang: Lang) -> HttpResponse {
    with_detail(status, code, code.message(lang).to_owned())
}

/// The detail of a refusal of `code` in `lang`: the code's words, then in an English answer
/// this refusal's facts, which exist only in English.
pub(crate) fn worded(code: ErrorCode, lang: Lang, facts: &str) -> String {
    let words = code.message(lang);
    match lang {
        Lang::Fr => words.to_owned(),
        Lang::En => format!("{words} Details: {}.", facts.trim_end_matches('.')),
    }
}

/// The problem of `code` in `lang`, worded by [`worded`].
pub(crate) fn with_facts(
    status: StatusCode,
    code: ErrorCode,
    lang: Lang,
    facts: &str,
) -> HttpResponse {
    let detail = worded(code, lang, facts);
    with_detail(status, code, detail)
}

/// The problem of `code` with a detail already in the request's language.
pub(crate) fn with_detail(status: StatusCode, code: ErrorCode, detail: String) -> HttpResponse {
    actix_web::ResponseError::error_response(&details(status, code, detail))
}

/// The JSON body of a problem, for a response whose head is already made.
pub(crate) fn body(status: StatusCode, code: ErrorCode, detail: String) -> Vec<u8> {
    // A struct of strings and numbers always serialises.
    serde_json::to_vec(&details(status, code, detail)).unwrap_or_default()
}

fn details(status: StatusCode, code: ErrorCode, detail: String) -> ProblemDetails<Extensions> {
    let http_status = http::StatusCode::from_u16(status.as_u16())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut problem = ProblemDetails::new()
        .with_status(http_status)
        .with_title(status.canonical_reason().unwrap_or("Error"))
        .with_extensions(Extensions { code: code.as_str() });
    problem.detail = Some(detail);
    problem
}

/// The language a request asks for: the first of `Accept-Language`, by quality, that the
/// service speaks; French when none is (or the header is missing or unreadable).
pub fn lang(req: &impl HttpMessage) -> Lang {
    let Ok(accepted) = AcceptLanguage::parse(req) else { return Lang::default() };
    accepted
        .ranked()
        .iter()
        .find_map(|preference| match preference {
            Preference::Any => Some(Lang::default()),
            Preference::Specific(tag) => Lang::from_tag(tag.primary_language()),
        })
        .unwrap_or_default()
}

/// Re-renders the body of an API error in the request's language when it is not French.
pub async fn in_request_language(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, Vec<u8>>>, actix_web::Error> {
    let lang = lang(&req);
    let res = next.call(req).await?;
    let error = res.response().error().and_then(|e| e.as_error::<ApiError>());
    let body = error.filter(|_| lang != Lang::default()).map(|e| e.problem_body(lang));
    Ok(res.map_body(|_, original| match body {
        Some(body) => EitherBody::right(body),
        None => EitherBody::left(original),
    }))
}

const PROBLEM_JSON: &[u8] = b"application/problem+json";

/// Middleware: a 5xx answered without a problem body (actix's own plain-text errors) becomes
/// the opaque `internal` problem, its cause logged. Errors of ours are problems already.
pub(crate) async fn server_errors_as_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let lang = lang(&req);
    let res = next.call(req).await?;
    let is_problem = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(PROBLEM_JSON));
    if !res.status().is_server_error() || is_problem {
        return Ok(res.map_into_left_body());
    }
    let status = res.status();
    if let Some(cause) = res.response().error() {
        tracing::error!(error = %cause, "server error");
    }
    let (request, _) = res.into_parts();
    let problem = response(status, ErrorCode::Internal, lang);
    Ok(ServiceResponse::new(request, problem).map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_response_actix_could_not_build_is_a_problem() {
        use actix_web::{App, middleware::from_fn, test, web};
        let app = test::init_service(
            App::new()
                .wrap(from_fn(server_errors_as_problems))
                .route(
                    "/header",
                    web::get().to(|| async {
                        HttpResponse::Ok().insert_header(("x-bad", "a\r\nX-Evil: 1")).finish()
                    }),
                )
                .route(
                    "/missing",
                    web::get().to(|| async {
                        response(StatusCode::NOT_FOUND, ErrorCode::NotFound, Lang::Fr)
                    }),
                ),
        )
        .await;
        for path in ["/header"] {
            let res =
                test::call_service(&app, test::TestRequest::get().uri(path).to_request()).await;
            assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
            let content_type = res.headers().get(CONTENT_TYPE).map(|v| v.as_bytes().to_vec());
            assert_eq!(content_type.as_deref(), Some(PROBLEM_JSON), "{path}");
            let body: serde_json::Value = test::read_body_json(res).await;
            assert_eq!(body["code"], "internal", "{path}");
            assert!(!body.to_string().contains("Evil"), "{body}");
        }
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/missing").to_request()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn the_code_is_an_open_enum_of_the_problem_codes() {
        let doc = serde_json::to_value(crate::openapi()).expect("serialisable");
        let schemas = &doc["components"]["schemas"];
        let code = &schemas["Problem"]["properties"]["code"];
        assert_eq!(code["anyOf"][0]["$ref"], "#/components/schemas/ErrorCode");
        assert_eq!(code["anyOf"][1], serde_json::json!({"type": "string"}));
        assert!(code["description"].as_str().is_some_and(|d| d.contains("new ones may appear")));
        let listed = schemas["ErrorCode"]["enum"].as_array().expect("an enum");
        let problems: Vec<&str> =
            ErrorCode::ALL.iter().filter(|c| c.status().is_some()).map(|c| c.as_str()).collect();
        assert_eq!(listed, &problems);
    }
}
