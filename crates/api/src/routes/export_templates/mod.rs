//! Saved export templates: a named set of apps, filters, kind and table a user reuses with
//! `POST /exports {template_id}`. Owner-only: another user's template is a 404. The rules are
//! [`mesdonnees_core::templates`]'.

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
use mesdonnees_core::templates::Draft;
use mesdonnees_db::ExportTemplate;
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::{ExportKind, TableSpec};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::routes::exports::export_settings;

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

impl ExportTemplateView {
    /// The view of a row; a row whose stored JSON does not decode is an internal error.
    fn read(t: ExportTemplate) -> Result<Self, ApiError> {
        let corrupt = |c| ApiError::from(mesdonnees_core::Error::from(c));
        let options = t.export_options().map_err(corrupt)?;
        Ok(Self {
            apps: t.app_ids().map_err(corrupt)?,
            filters: options.filters,
            kind: options.kind,
            table: options.table,
            id: t.id,
            name: t.name,
            created_at: t.created_at.and_utc(),
            updated_at: t.updated_at.and_utc(),
        })
    }
}

export_settings! {
    /// A template to save: its name and what exports made from it are of.
    #[derive(Debug, Deserialize, utoipa::ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct ExportTemplateBody {
        /// 1 to 80 characters, unique among the user's templates.
        name: String,
    }
}

impl From<ExportTemplateBody> for Draft {
    fn from(mut body: ExportTemplateBody) -> Self {
        Self { settings: body.settings(), name: body.name }
    }
}
