//! The use cases of the service: each takes the [`Context`](mesdonnees_infra::Context) and an
//! [`Actor`], applies the rules, and answers with a domain [`Error`]. The HTTP routes and the
//! operator commands call the same functions, so a rule is written once and knows nothing of
//! HTTP (no status, no header, no extractor).

mod actor;
pub mod documents;
mod error;
pub mod imports;
pub mod listing;
pub mod uploads;

pub use actor::{Actor, Caller};
pub use error::Error;
