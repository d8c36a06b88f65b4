//! Cahier de textes: homework entries with rich text, shares and attached files, and a reference
//! implementation of the mesdonnees app connector (`/connector/info`, `/export`, `/import`).
//!
//! Start it in-process with [`Cahier::start`] and a [`Config`]; the binary `mesdonnees-cahier`
//! does the same from its command line.

mod auth;
pub mod config;
mod connector;
mod db;
mod entry;
mod models;
mod paths;
mod problem;
mod queries;
mod routes;
mod schema;
mod server;
mod state;
pub mod storage;

pub use config::{Args, Config, Secret, StorageConfig, UserTokenConfig};
pub use connector::FORMAT_VERSION;
pub use problem::error_chain;
pub use server::{Cahier, StartError};
