//! The OpenAPI document, built from the same registrations the router uses.

mod answers;

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};

use crate::routes::{
    admin, apps, documents, export_templates, exports, folders, health, imports, keys, me, metrics,
    notifications, schedules,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mesdonnees",
        description = "Export and import of a user's data for ENTs (school digital workspaces): \
                       the documents space, exports, imports. Errors are RFC 9457 \
                       application/problem+json with a stable `code`."
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::problem::ProblemSchema, mesdonnees_shared::ErrorCode)),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "metrics", description = "Prometheus metrics of the process"),
        (name = "keys", description = "The instance's archive-signing public keys, for anyone to verify its archives"),
        (name = "documents", description = "The built-in documents space (app `workspace`)"),
        (name = "me", description = "The caller, as the token describes them"),
        (name = "apps", description = "The apps whose data can be exported and imported"),
        (name = "exports", description = "Archives of a user's data: build, follow, download"),
        (name = "export-templates", description = "Saved export settings, reused by POST /exports"),
        (name = "schedules", description = "Recurring exports: every 1, 2, 3, 6 or 12 months until a date"),
        (name = "imports", description = "Archives brought back: upload, analyse, choose apps, import"),
        (name = "notifications", description = "The user's timeline"),
        (name = "admin", description = "For administrators (`auth.admin_right`): a user's exports and imports, imports into their account, cancelling, the leavers' window, and the audit log"),
    )
)]
struct ApiDoc;

struct BearerAuth;

/// Bytes as they are (a file's content, an archive): `type: string, format: binary`, which
/// generated clients hand over as bytes. A `Vec<u8>` would be described as an array of
/// integers, and a client would decode the bytes as text.
pub(crate) struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The configured `metrics.token`, when there is one"))
                    .build(),
            ),
        );
    }
}

/// Every route of the service. The router and the OpenAPI document both come from here.
pub(crate) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(health::get_healthz)
        .service(health::get_readyz)
        .service(metrics::get_metrics)
        .service(keys::get_keys)
        .service(
            scope("/api/v1")
                .service(folders::create_folder)
                .service(folders::list_folders)
                .service(documents::upload_document)
                .service(documents::list_documents)
                .service(documents::get_document)
                .service(documents::get_document_content)
                .service(documents::share_document)
                .service(documents::delete_document)
                .service(me::get_me)
                .service(apps::list_apps)
                .service(exports::estimate_export)
                .service(exports::create_export)
                .service(exports::list_exports)
                .service(exports::get_export)
                .service(exports::list_export_entries)
                .service(exports::download_export)
                .service(exports::list_export_parts)
                .service(exports::download_export_part)
                .service(exports::create_export_link)
                .service(exports::create_export_part_link)
                .service(exports::delete_export)
                .service(export_templates::create_export_template)
                .service(export_templates::list_export_templates)
                .service(export_templates::get_export_template)
                .service(export_templates::update_export_template)
                .service(export_templates::delete_export_template)
                .service(schedules::create_schedule)
                .service(schedules::list_schedules)
                .service(schedules::get_schedule)
                .service(schedules::update_schedule)
                .service(schedules::delete_schedule)
                .service(imports::create_import)
                .service(imports::list_imports)
                .service(imports::get_import)
                .service(imports::add_import_part)
                .service(imports::launch_import)
                .service(imports::delete_import)
                .service(notifications::list_notifications)
                .service(notifications::read_notification)
                .service(admin::create_user_export)
                .service(admin::list_user_exports)
                .service(admin::delete_user_export)
                .service(admin::get_user_export)
                .service(admin::create_user_export_link)
                .service(admin::list_user_imports)
                .service(admin::create_user_import)
                .service(admin::cancel_user_import)
                .service(admin::leavers::list_leavers)
                .service(admin::leavers::declare_leaver)
                .service(admin::leavers::get_leaver)
                .service(admin::leavers::revoke_leaver_link)
                .service(admin::list_audit),
        );
}

pub(crate) fn base() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The OpenAPI document the server serves at `/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc =
        App::new().into_utoipa_app().openapi(base()).configure(configure).split_for_parts().1;
    answers::complete(&mut doc);
    doc
}
