//! The exports routes: each parses its request, calls one use case of
//! [`mesdonnees_core::exports`] and shapes its answer.

mod create_export;
mod create_export_link;
mod delete_export;
mod download_export;
mod estimate_export;
mod get_export;
mod list_export_entries;
mod list_exports;
mod view;

pub use create_export::*;
pub use create_export_link::*;
pub use delete_export::*;
pub use download_export::*;
pub use estimate_export::*;
pub use get_export::*;
pub use list_export_entries::*;
pub use list_exports::*;
pub use view::*;

use mesdonnees_core::exports::Settings;
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::{ExportKind, TableSpec};

/// What an export is of, as a request or a template gives it: every part optional.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportSettings {
    /// App ids; every exportable app when absent.
    pub apps: Option<Vec<String>>,
    pub filters: Option<ExportFilters>,
    /// `archive` (the zip, the default) or `table` (one spreadsheet listing the files and app
    /// resources).
    pub kind: Option<ExportKind>,
    /// A `table` export's format and columns; with an archive, an index written at its root as
    /// `index.<format>`.
    pub table: Option<TableSpec>,
}

impl From<ExportSettings> for Settings {
    fn from(s: ExportSettings) -> Self {
        Self { apps: s.apps, filters: s.filters, kind: s.kind, table: s.table }
    }
}
