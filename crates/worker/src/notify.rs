//! Timeline entries for the user.

use mesdonnees_db::{DbConnection, DbError, Notification, notifications};
use mesdonnees_shared::DocumentId;
use serde_json::json;

pub(crate) fn export_ready(
    conn: &mut DbConnection,
    user: &str,
    export_id: &str,
    name: &str,
    failed_apps: &[(String, String)],
) -> Result<(), DbError> {
    let title = if failed_apps.is_empty() {
        format!("Votre export « {name} » est prêt")
    } else {
        format!("Votre export « {name} » est prêt, incomplet")
    };
    let body = json!({
        "export_id": export_id,
        "download": format!("/api/v1/exports/{export_id}/download"),
        "link": format!("/api/v1/exports/{export_id}/link"),
        "failed_apps": failed_apps.iter().map(|(app, reason)| json!({"app": app, "reason": reason})).collect::<Vec<_>>(),
    });
    insert(conn, user, "export_ready", &title, &body, export_id)
}

pub(crate) fn export_failed(
    conn: &mut DbConnection,
    user: &str,
    export_id: &str,
    name: &str,
    code: &str,
    reason: &str,
) -> Result<(), DbError> {
    let title = format!("Votre export « {name} » a échoué");
    let body = json!({ "export_id": export_id, "code": code, "reason": reason });
    insert(conn, user, "export_failed", &title, &body, export_id)
}

fn insert(
    conn: &mut DbConnection,
    user: &str,
    kind: &str,
    title: &str,
    body: &serde_json::Value,
    resource: &str,
) -> Result<(), DbError> {
    notifications::insert(
        conn,
        &Notification {
            id: DocumentId::new().to_string(),
            user_id: user.to_owned(),
            kind: kind.to_owned(),
            title: title.to_owned(),
            body: body.to_string(),
            resource_id: Some(resource.to_owned()),
            created_at: mesdonnees_db::models::now(),
            read_at: None,
        },
    )
}
