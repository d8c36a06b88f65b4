//! The report of an import: per app, what was imported, renamed, skipped or failed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Most item errors an app's report lists; further ones are only counted, so a report stays
/// small enough to store in the row and send whole.
pub const MAX_LISTED_ERRORS: usize = 1_000;

/// What became of one entry of the archive, as recorded in `import_items`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemOutcome {
    Imported,
    /// Imported under another name, its own being taken.
    Renamed,
    /// Deliberately left out (e.g. already there).
    Skipped,
    Failed,
}

impl ItemOutcome {
    pub const ALL: [Self; 4] = [Self::Imported, Self::Renamed, Self::Skipped, Self::Failed];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Imported => "imported",
            Self::Renamed => "renamed",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }
}

/// The report of an import, per app id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub apps: BTreeMap<String, AppReport>,
}

impl ImportReport {
    pub fn app_mut(&mut self, app: &str) -> &mut AppReport {
        self.apps.entry(app.to_owned()).or_default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppReport {
    /// Entries imported under their own name (files and folders).
    pub imported: u64,
    /// Imported under another name: a duplicate of something already there.
    pub renamed: u64,
    pub skipped: u64,
    /// Entries that could not be imported; the first [`MAX_LISTED_ERRORS`] are in `errors`.
    pub failed: u64,
    pub errors: Vec<ItemError>,
    /// Files made from the archive's files, renamed ones included: the number the analysis
    /// counted, less those skipped or failed. A remote app's entries are all files.
    #[serde(default)]
    pub files_imported: u64,
    /// Folders made for the archive's folders, renamed ones included (not the import's own
    /// folder, which `folder` names).
    #[serde(default)]
    pub folders_created: u64,
    /// Bytes of the files imported.
    #[serde(default)]
    pub bytes: u64,
    /// Where the app's content went, when it went into one folder (e.g. the workspace folder
    /// made for the import).
    pub folder: Option<String>,
    /// Set when the app could not import at all: a remote app unreachable, or refusing the
    /// call. The other apps of the import are not undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AppError>,
    /// What a remote app answered for its resources: id in the archive → id given here (at
    /// most [`MAX_ID_MAP`] pairs).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub id_map: BTreeMap<String, String>,
}

/// Most id pairs of a remote app an import report keeps.
pub const MAX_ID_MAP: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppError {
    pub code: String,
    pub message: String,
}

impl AppReport {
    /// Counts one entry; a failure needs its error.
    pub fn count(&mut self, outcome: ItemOutcome, error: Option<ItemError>) {
        match outcome {
            ItemOutcome::Imported => self.imported += 1,
            ItemOutcome::Renamed => self.renamed += 1,
            ItemOutcome::Skipped => self.skipped += 1,
            ItemOutcome::Failed => {
                self.failed += 1;
                if let Some(error) = error.filter(|_| self.errors.len() < MAX_LISTED_ERRORS) {
                    self.errors.push(error);
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemError {
    /// The entry's path in the archive.
    pub path: String,
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(n: usize) -> ItemError {
        ItemError {
            path: format!("Documents/{n}"),
            code: "object_missing".to_owned(),
            message: String::new(),
        }
    }

    #[test]
    fn outcomes_are_counted_per_app() {
        let mut report = ImportReport::default();
        for outcome in [
            ItemOutcome::Imported,
            ItemOutcome::Imported,
            ItemOutcome::Renamed,
            ItemOutcome::Skipped,
        ] {
            report.app_mut("workspace").count(outcome, None);
        }
        report.app_mut("blog").count(ItemOutcome::Failed, Some(error(1)));
        let workspace = &report.apps["workspace"];
        assert_eq!(
            (workspace.imported, workspace.renamed, workspace.skipped, workspace.failed),
            (2, 1, 1, 0)
        );
        let blog = &report.apps["blog"];
        assert_eq!((blog.imported, blog.failed), (0, 1));
        assert_eq!(blog.errors, [error(1)]);
    }

    #[test]
    fn errors_past_the_limit_are_only_counted() {
        let mut app = AppReport::default();
        for n in 0..MAX_LISTED_ERRORS + 5 {
            app.count(ItemOutcome::Failed, Some(error(n)));
        }
        assert_eq!(app.failed, MAX_LISTED_ERRORS as u64 + 5);
        assert_eq!(app.errors.len(), MAX_LISTED_ERRORS);
        assert_eq!(app.errors.last(), Some(&error(MAX_LISTED_ERRORS - 1)));
    }

    #[test]
    fn item_outcomes_round_trip() {
        super::super::fixtures::names_round_trip(
            &ItemOutcome::ALL,
            ItemOutcome::parse,
            ItemOutcome::as_str,
        );
        assert_eq!(ItemOutcome::parse("ok"), None);
    }
}
