//! The app connector mesdonnees calls (`mesdonnees_shared::connector`): who the app is, a
//! user's data as a stream of lines, and entries to import. Every route needs a service token.

mod export;
mod import;

use actix_web::{HttpResponse, get, web};
use mesdonnees_shared::apps::FormatVersion;
use mesdonnees_shared::connector::{AppInfo, ResourceView, ViewField};

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
    HttpResponse::Ok().json(AppInfo {
        app: ctx.config.app_id.clone(),
        version: FORMAT_VERSION,
        view: Some(entry_view()),
    })
}

/// How an entry's JSON (`EntryView`) reads in an archive's viewer.
fn entry_view() -> ResourceView {
    let field = |member: &str, fr: &str, en: &str| ViewField {
        member: member.to_owned(),
        label: [("fr".to_owned(), fr.to_owned()), ("en".to_owned(), en.to_owned())].into(),
    };
    ResourceView {
        title: Some("title".to_owned()),
        date: Some("due_date".to_owned()),
        body: Some("content_html".to_owned()),
        attachments: Some("attachments".to_owned()),
        fields: vec![
            field("subject", "Matière", "Subject"),
            field("created_at", "Créé le", "Created"),
            field("updated_at", "Modifié le", "Modified"),
        ],
    }
}
