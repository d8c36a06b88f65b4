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
    /// Stable machine-readable code; clients switch on it.
    pub code: ErrorCode,
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
