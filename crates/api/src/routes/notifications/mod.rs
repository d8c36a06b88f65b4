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
    /// `export_ready` or `export_failed`.
    kind: String,
    title: String,
    /// Details: the export id, its download path, the reason of a failure, failed apps.
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
