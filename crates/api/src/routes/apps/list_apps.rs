use actix_web::{HttpResponse, get};
use serde::Serialize;

use crate::auth::AuthUser;
use crate::routes::Ctx;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppView {
    /// Stable id, as in archive manifests.
    id: String,
    /// Name for people, in French: also the app's folder in archives.
    display_name: String,
    /// The name in other languages, by language tag (`en`).
    display_names: std::collections::BTreeMap<String, String>,
    /// The data format version this instance writes and reads, `MAJOR.MINOR`.
    version: String,
    /// Older major versions this instance upgrades on import.
    upgrades_from: Vec<u32>,
    /// The right needed to create content in the app, hence to import into it.
    create_right: String,
    /// Whether the caller's token holds that right.
    can_create: bool,
    exportable: bool,
    /// Columns the app offers to table exports, as `<id>.<field>`.
    table_fields: Vec<AppTableFieldView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppTableFieldView {
    /// The column's name in a table request: `<app id>.<field>`.
    name: String,
    label: String,
}

/// The apps the user can export and import.
#[utoipa::path(tag = "apps", responses((status = 200, body = Vec<AppView>)), security(("bearer" = [])))]
#[get("/apps")]
pub async fn list_apps(ctx: Ctx, user: AuthUser) -> HttpResponse {
    let apps: Vec<AppView> = ctx
        .apps()
        .into_iter()
        .map(|app| AppView {
            table_fields: ctx
                .remote_app(&app.id)
                .map(|remote| {
                    remote
                        .table_fields
                        .iter()
                        .map(|f| AppTableFieldView {
                            name: format!("{}.{}", app.id, f.field),
                            label: f.label.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            can_create: user.rights.contains(&app.create_right),
            id: app.id,
            display_name: app.display_name,
            display_names: app.display_names,
            version: app.version.to_string(),
            upgrades_from: app.upgrades_from,
            create_right: app.create_right,
            exportable: true,
        })
        .collect();
    HttpResponse::Ok().json(apps)
}
