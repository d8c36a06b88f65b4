//! The HTTP API: actix-web handlers, one file per action under `routes/<resource>/`, every route
//! registered through utoipa so the router is the OpenAPI document.

mod auth;
mod cors;
mod edge;
mod error;
mod form_data;
mod forwarded;
mod http_metrics;
mod json;
mod openapi;
mod problem;
mod request_span;
mod routes;
mod server;
mod web;

pub use error::ApiError;
pub use openapi::openapi;
pub use server::{HttpServerHandle, start_http, start_metrics_http};
