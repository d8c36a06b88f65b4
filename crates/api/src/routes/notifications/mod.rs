mod list_notifications;
mod read_notification;

pub use list_notifications::*;
pub use read_notification::*;

use chrono::{DateTime, Utc};
use mesdonnees_db::Notification;
use serde::Serialize;

use crate::error::ApiError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    id: String,
    /// `export_ready`, `export_failed`, `import_done` or `import_failed`.
    kind: String,
    /// For people, in French; a client in another language can make its own from `kind` and
    /// `details`.
    title: String,
    /// Details: the export's id and name (`export_id`, `name`) and its links, or the import's
    /// (`import_id`, `file_name`) and its counts (`imported`, `failed`); the `code` and
    /// `reason` of a failure; an export's failed apps.
    #[schema(value_type = Object)]
    details: serde_json::Value,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl TryFrom<Notification> for NotificationView {
    type Error = ApiError;

    /// A body that does not decode is a logged 500, not a notification without its details.
    fn try_from(n: Notification) -> Result<Self, ApiError> {
        Ok(Self {
            details: n.details().map_err(ApiError::internal)?,
            id: n.id,
            kind: n.kind,
            title: n.title,
            created_at: n.created_at.and_utc(),
            read_at: n.read_at.map(|r| r.and_utc()),
        })
    }
}
