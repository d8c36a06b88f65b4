//! What every handler shares.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use object_store::ObjectStore;

use crate::auth::Keys;
use crate::config::Config;
use crate::db::Db;

#[derive(Debug)]
pub struct State {
    pub config: Config,
    pub db: Db,
    pub store: Arc<dyn ObjectStore>,
    pub keys: Keys,
}

pub type Ctx = web::Data<State>;

/// The body length a request announces, so a body known to be too large is refused before it
/// is read.
pub fn declared_length(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}
