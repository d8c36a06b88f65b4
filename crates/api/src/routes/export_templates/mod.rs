//! Saved export templates: a named set of apps, filters, kind and table a user reuses with
//! `POST /exports {template_id}`. Owner-only: another user's template is a 404.

mod create_export_template;
mod delete_export_template;
mod get_export_template;
mod list_export_templates;
mod update_export_template;

pub use create_export_template::*;
pub use delete_export_template::*;
pub use get_export_template::*;
pub use list_export_templates::*;
pub use update_export_template::*;

use chrono::{DateTime, Utc};
use mesdonnees_db::{ExportTemplate, templates};
use mesdonnees_shared::exports::ExportOptions;
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::{ExportKind, TableSpec};
use mesdonnees_shared::{DocumentId, ErrorCode};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::routes::exports::{ExportSettings, Settled};
use crate::routes::{Ctx, parse_document_id};

/// Longest template name, in characters.
const NAME_MAX_CHARS: usize = 80;

/// A template as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportTemplateView {
    id: String,
    name: String,
    apps: Vec<String>,
    filters: ExportFilters,
    kind: ExportKind,
    table: Option<TableSpec>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ExportTemplate> for ExportTemplateView {
    fn from(t: ExportTemplate) -> Self {
        let options: ExportOptions = serde_json::from_str(&t.options).unwrap_or_default();
        Self {
            apps: serde_json::from_str(&t.apps).unwrap_or_default(),
            filters: options.filters,
            kind: options.kind,
            table: options.table,
            id: t.id,
            name: t.name,
            created_at: t.created_at.and_utc(),
            updated_at: t.updated_at.and_utc(),
        }
    }
}

/// A template to save: its name and what exports made from it are of.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportTemplateBody {
    /// 1 to 80 characters, unique among the user's templates.
    name: String,
    #[serde(flatten)]
    settings: ExportSettings,
}

impl ExportTemplateBody {
    /// The row this body makes, settled like an export request.
    fn into_row(self, ctx: &Ctx, owner: &str, id: String) -> Result<ExportTemplate, ApiError> {
        let name = self.name.trim().to_owned();
        if name.is_empty()
            || name.chars().count() > NAME_MAX_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidName,
                format!(
                    "a template name has 1 to {NAME_MAX_CHARS} characters and no control character"
                ),
            ));
        }
        let Settled { apps, filters, kind, table } = self.settings.settle(ctx)?;
        let options = ExportOptions { filters, notify_email: None, kind, table };
        let now = mesdonnees_db::models::now();
        Ok(ExportTemplate {
            id,
            owner_id: owner.to_owned(),
            name,
            apps: serde_json::to_string(&apps).map_err(ApiError::internal)?,
            options: serde_json::to_string(&options).map_err(ApiError::internal)?,
            created_at: now,
            updated_at: now,
        })
    }
}

/// What a template gives an export request.
pub(crate) fn settings_of(template: &ExportTemplate) -> ExportSettings {
    let options: ExportOptions = serde_json::from_str(&template.options).unwrap_or_default();
    ExportSettings {
        apps: serde_json::from_str(&template.apps).ok(),
        filters: Some(options.filters),
        kind: Some(options.kind),
        table: options.table,
    }
}

/// The user's template with this id; anything else is a 404.
pub(crate) async fn owned(
    ctx: &Ctx,
    owner: &str,
    raw_id: &str,
) -> Result<ExportTemplate, ApiError> {
    let id = parse_document_id(raw_id).map_err(|_| ApiError::NotFound("template"))?.to_string();
    let owner = owner.to_owned();
    ctx.db
        .run(move |conn| templates::find_owned(conn, &owner, &id))
        .await?
        .ok_or(ApiError::NotFound("template"))
}

fn new_id() -> String {
    DocumentId::new().to_string()
}

/// The answer to a save the database refused.
fn refused(saved: &templates::Saved) -> ApiError {
    match saved {
        templates::Saved::NameTaken => ApiError::Conflict {
            code: ErrorCode::TemplateNameTaken,
            detail: "another of your templates has this name".into(),
        },
        templates::Saved::TooMany => ApiError::unprocessable(
            ErrorCode::QuotaExceeded,
            format!("at most {} templates per user", templates::MAX_PER_OWNER),
        ),
        templates::Saved::Missing | templates::Saved::Done => ApiError::NotFound("template"),
    }
}
