use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post};
use mesdonnees_core::exports::{self, Made, Request};
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::json::Json;
use crate::routes::Ctx;
use crate::routes::exports::{ExportView, export_settings};

export_settings! {
    #[derive(Debug, Deserialize, utoipa::ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct CreateExport {
        /// A saved template of the user's: its apps, filters, kind and table, each overridden
        /// by the same member of this request when given; its name names the export.
        #[schema(pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
        template_id: Option<String>,
        /// A name for the user's list; the template's, or "Mes données du 7 décembre 2026"
        /// ("My data of 7 December 2026" when `Accept-Language` prefers English).
        name: Option<String>,
        /// Also send an e-mail here when the archive is ready or failed.
        notify_email: Option<String>,
        /// `documents`: also copy the finished archive (or table) into the user's documents,
        /// in the folder « Mes exports ». Refused before it starts when the estimate would not
        /// fit in their storage quota (`documents_quota_exceeded`); the export says where it
        /// went (`delivery`).
        deliver_to: Option<mesdonnees_shared::exports::Delivery>,
        /// Write the archive as several complete zips of about this many bytes each
        /// (`exports.min_part_size_bytes` to `exports.max_part_size_bytes`, else
        /// `part_size_out_of_range`). A file is never split across parts unless it is
        /// larger than a part. Each part is published as soon as it is written: the first can
        /// be downloaded (`parts`) while the last is being written.
        #[schema(minimum = 1)]
        part_size_bytes: Option<u64>,
    }
}

impl From<CreateExport> for Request {
    fn from(mut body: CreateExport) -> Self {
        Self {
            settings: body.settings(),
            template_id: body.template_id,
            name: body.name,
            notify_email: body.notify_email,
            deliver_to: body.deliver_to,
            part_size_bytes: body.part_size_bytes,
            lang: mesdonnees_shared::Lang::default(),
        }
    }
}

/// Starts building an archive (or a table) of the user's data. Answers at once with the export
/// to poll. Asking again for an export identical to one in progress, or ready since less than
/// `exports.reuse_window_secs`, answers that one (200) instead of building it twice. The
/// archive's pages for people (`index.html`) speak the language `Accept-Language` prefers:
/// French, unless it prefers English.
#[utoipa::path(
    tag = "exports",
    request_body = CreateExport,
    responses(
        (status = 202, description = "accepted; poll the export", body = ExportView),
        (status = 200, description = "an identical export, in progress or just made, reused", body = ExportView),
        (status = 404, description = "no such template", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 409, description = "an export is already in progress", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 422, description = "unknown app, bad filter, table, name or e-mail, over the archive quota, or too large for the documents space it is to be delivered into", body = crate::problem::ProblemSchema, content_type = "application/problem+json"),
        (status = 429, description = "too many exports and imports created in the last minute; see `Retry-After`", body = crate::problem::ProblemSchema, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "seconds until a creation is accepted again"))),
    ),
    security(("bearer" = []))
)]
#[post("/exports")]
pub async fn create_export(
    ctx: Ctx,
    req: HttpRequest,
    user: AuthUser,
    body: Json<CreateExport>,
) -> Result<HttpResponse, ApiError> {
    // The archive speaks to the person in the language they asked in.
    let request = Request { lang: crate::problem::lang(&req), ..body.into_inner().into() };
    let made = exports::create(&ctx, &user.actor(), request).await?;
    created(made)
}

/// 202 for a new export, 200 for one reused; the export to poll either way.
pub(crate) fn created(made: Made) -> Result<HttpResponse, ApiError> {
    let (mut builder, export) = match made {
        Made::Queued(e) => (HttpResponse::Accepted(), e),
        Made::Reused(e) => (HttpResponse::Ok(), e),
    };
    Ok(builder
        .insert_header((header::LOCATION, format!("/api/v1/exports/{}", export.id)))
        .json(ExportView::read(*export)?))
}
