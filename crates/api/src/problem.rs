//! RFC 9457 problem details with a stable `code` member.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use mesdonnees_shared::ErrorCode;
use problem_details::ProblemDetails;
use serde::Serialize;

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

pub fn response(status: StatusCode, code: ErrorCode, detail: Option<&str>) -> HttpResponse {
    let http_status = http::StatusCode::from_u16(status.as_u16())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut problem = ProblemDetails::new()
        .with_status(http_status)
        .with_title(status.canonical_reason().unwrap_or("Error"))
        .with_extensions(Extensions { code: code.as_str() });
    if let Some(detail) = detail {
        problem.detail = Some(detail.to_owned());
    }
    actix_web::ResponseError::error_response(&problem)
}

#[cfg(test)]
mod tests {
    use super::*;

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
