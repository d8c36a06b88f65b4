//! The app connector mesdonnees calls (`mesdonnees_shared::connector`): who the app is, a
//! user's data as a stream of lines, and entries to import. Every route needs a service token.

mod export;
mod import;

use actix_web::{HttpResponse, get, web};
use mesdonnees_shared::apps::FormatVersion;
use mesdonnees_shared::connector::AppInfo;

use crate::auth::Service;
use crate::state::Ctx;

/// The data format this app writes and reads.
pub const FORMAT_VERSION: FormatVersion = FormatVersion::new(1, 0);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/connector").service(info).service(export::export).service(import::import),
    );
}

#[get("/info")]
async fn info(ctx: Ctx, _service: Service) -> HttpResponse {
    HttpResponse::Ok().json(AppInfo { app: ctx.config.app_id.clone(), version: FORMAT_VERSION })
}
