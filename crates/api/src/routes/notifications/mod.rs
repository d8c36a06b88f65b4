mod list_notifications;
mod read_notification;

pub use list_notifications::*;
pub use read_notification::*;

use chrono::{DateTime, Utc};
use mesdonnees_db::Notification;
use serde::Serialize;

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

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        Self {
            details: serde_json::from_str(&n.body).unwrap_or(serde_json::Value::Null),
            id: n.id,
            kind: n.kind,
            title: n.title,
            created_at: n.created_at.and_utc(),
            read_at: n.read_at.map(|r| r.and_utc()),
        }
    }
}
