//! The exports routes: each parses its request, calls one use case of
//! [`mesdonnees_core::exports`] and shapes its answer.

mod asker;
mod create_export;
mod create_export_link;
mod create_export_part_link;
mod delete_export;
mod download_export;
mod download_export_part;
mod estimate_export;
mod get_export;
mod list_export_entries;
mod list_export_parts;
mod list_exports;
mod parts;
mod view;

pub use create_export::*;
pub use create_export_link::*;
pub use create_export_part_link::*;
pub use delete_export::*;
pub use download_export::*;
pub use download_export_part::*;
pub use estimate_export::*;
pub use get_export::*;
pub use list_export_entries::*;
pub use list_export_parts::*;
pub use list_exports::*;
pub use view::*;

/// The members saying what an export is of, as a request and a template both give them, every
/// one optional. Written out in each body rather than flattened: a flattened struct makes the
/// OpenAPI schema an `allOf` of two closed objects, which no body can satisfy.
macro_rules! export_settings {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$fmeta])* $field: $ty,)*
            /// App ids; every exportable app when absent.
            #[schema(min_items = 1)]
            apps: Option<Vec<String>>,
            filters: Option<mesdonnees_shared::filters::ExportFilters>,
            /// `archive` (the zip, the default) or `table` (one spreadsheet listing the files and
            /// app resources).
            kind: Option<mesdonnees_shared::tables::ExportKind>,
            /// A `table` export's format and columns; with an archive, an index written at its
            /// root as `index.<format>`.
            table: Option<mesdonnees_shared::tables::TableSpec>,
        }

        impl $name {
            /// The settings part of the body.
            fn settings(&mut self) -> mesdonnees_core::exports::Settings {
                mesdonnees_core::exports::Settings {
                    apps: self.apps.take(),
                    filters: self.filters.take(),
                    kind: self.kind.take(),
                    table: self.table.take(),
                }
            }
        }
    };
}
pub(crate) use export_settings;
