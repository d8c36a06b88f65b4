//! What an export would hold, per app, before it is built. The workspace counts its rows; a
//! remote app tells its size only as it exports, so it is left out (and named as such). A
//! table lists the files without holding them: it is sized by its rows and columns, never by
//! the bytes of the files it lists, or a table of large files would be refused by the quota.

use std::collections::BTreeMap;

use mesdonnees_db::{DbConnection, DbError};
use mesdonnees_shared::apps::WORKSPACE_APP;
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::ExportKind;

/// What a table cell takes, at most for most cells, to size a table before it is written.
const TABLE_CELL_BYTES: u64 = 64;

/// One app's part of an export: files (rows, for a table) and bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppSize {
    pub files: u64,
    pub bytes: u64,
}

/// What the export is made as: an archive of the content, or a table of `columns` columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    pub kind: ExportKind,
    pub columns: u64,
}

impl Shape {
    fn size(self, content: AppSize) -> AppSize {
        match self.kind {
            ExportKind::Archive => content,
            ExportKind::Table => AppSize {
                files: content.files,
                bytes: content.files.saturating_mul(self.columns.max(1) * TABLE_CELL_BYTES),
            },
        }
    }
}

/// The size of each app of `apps` that can be sized now, by app id.
pub(crate) fn sizes_in(
    conn: &mut DbConnection,
    owner: &str,
    apps: &[String],
    filters: &ExportFilters,
    shape: Shape,
) -> Result<BTreeMap<String, AppSize>, DbError> {
    let mut sizes = BTreeMap::new();
    if apps.iter().any(|a| a == WORKSPACE_APP) {
        let (files, bytes) = mesdonnees_db::workspace::totals(conn, owner, filters)?;
        // An archive also holds the app's metadata file; a table has no row for it.
        let files = if shape.kind == ExportKind::Archive { files + 1 } else { files };
        sizes.insert(WORKSPACE_APP.to_owned(), shape.size(AppSize { files, bytes }));
    }
    Ok(sizes)
}

/// The sum of the apps' sizes.
pub(crate) fn total(sizes: &BTreeMap<String, AppSize>) -> AppSize {
    sizes.values().fold(AppSize::default(), |sum, s| AppSize {
        files: sum.files.saturating_add(s.files),
        bytes: sum.bytes.saturating_add(s.bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_sized_by_its_rows_and_columns_not_by_the_files_it_lists() {
        let content = AppSize { files: 3, bytes: 20_000_000 };
        let archive = Shape { kind: ExportKind::Archive, columns: 0 };
        assert_eq!(archive.size(content), content);
        let table = Shape { kind: ExportKind::Table, columns: 10 };
        assert_eq!(table.size(content), AppSize { files: 3, bytes: 3 * 10 * TABLE_CELL_BYTES });
    }

    #[test]
    fn the_total_adds_the_apps() {
        let sizes = BTreeMap::from([
            ("a".to_owned(), AppSize { files: 2, bytes: 10 }),
            ("b".to_owned(), AppSize { files: 1, bytes: u64::MAX }),
        ]);
        assert_eq!(total(&sizes), AppSize { files: 3, bytes: u64::MAX });
    }
}
