pub mod admin;
pub mod apps;
pub mod documents;
mod download;
pub mod export_templates;
pub mod exports;
pub mod folders;
pub mod health;
pub mod imports;
pub mod keys;
pub mod me;
pub mod metrics;
pub mod notifications;
pub mod schedules;
mod uploads;

use actix_web::web;
use mesdonnees_shared::DocumentId;

use crate::error::ApiError;

/// Parses a path id at the edge; a malformed id is answered like an unknown one, so nothing
/// about other users' resources can be probed.
pub(crate) fn parse_document_id(raw: &str) -> Result<DocumentId, ApiError> {
    DocumentId::parse(raw).map_err(|_| ApiError::NotFound("document"))
}

pub(crate) type Ctx = web::Data<mesdonnees_infra::Context>;
