//! The use cases of the service: each takes the [`Context`](mesdonnees_infra::Context) and an
//! [`Actor`], applies the rules, and answers with a domain [`Error`]. The HTTP routes and the
//! operator commands call the same functions, so a rule is written once and knows nothing of
//! HTTP (no status, no header, no extractor).

mod actor;
pub mod audit;
pub mod documents;
mod error;
pub mod exports;
pub mod imports;
pub mod keys;
pub mod leavers;
pub mod listing;
mod names;
pub mod notifications;
pub mod schedules;
pub mod templates;
pub mod uploads;
pub mod verify;

pub use actor::{Actor, Caller, every_create_right};
pub use error::Error;
