//! Import rows' domain: statuses, what the analysis of an uploaded archive found, each app's
//! verdict, and the report of a finished import. The analysis and the report are stored as JSON
//! in the import row and returned as they are by the API.

mod analysis;
mod choice;
#[cfg(test)]
mod fixtures;
mod report;
mod signature;
mod verdict;

pub use analysis::{Analysis, ArchiveOwner, ArchiveSource, FORMAT_ENTCORE, FORMAT_MESDONNEES};
pub use choice::{
    AllApps, AppChoice, ChoiceError, IMPORT_CANCELLED, MAX_CHOSEN_APPS, NOTHING_IMPORTABLE,
    Selection,
};
pub use report::{
    AppError, AppReport, ImportReport, ItemError, ItemOutcome, MAX_ID_MAP, MAX_LISTED_ERRORS,
};
pub use signature::{SignatureCheck, SignaturePolicy, SignatureStatus, SignatureVerdict};
pub use verdict::{
    AppAnalysis, EntcoreModule, FoundModule, NotImportable, Verdict, judge_apps, judge_modules,
};

use serde::{Deserialize, Serialize};

/// The object key of an uploaded archive.
pub fn upload_key(import_id: &str) -> String {
    format!("imports/{import_id}.zip")
}

/// Whether an import's archive is its own upload, which it removes when it ends or is deleted,
/// rather than a file of the documents space read where it is, which stays the user's.
pub fn owns_archive(key: &str) -> bool {
    key.starts_with("imports/")
}

/// What an import of an archive in parts has received, and what it waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportParts {
    /// How many parts make the archive.
    pub count: u32,
    /// The part numbers received and accepted.
    pub received: Vec<u32>,
    /// The part numbers still missing: the analysis waits for them.
    pub missing: Vec<u32>,
    /// Codes of the archives sent as parts and refused (`part_of_another_export`,
    /// `duplicate_part`…), in the order they came; each was removed.
    pub refused: Vec<String>,
}

/// A stable code for machines and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Warning {
    pub code: String,
    pub message: String,
}

impl Warning {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// The archive is stored; its analysis has not started.
    Uploaded,
    Analysing,
    /// The analysis is ready; the import waits for the user to choose apps.
    Analysed,
    Queued,
    Running,
    Done,
    Failed,
}

impl ImportStatus {
    pub const ALL: [Self; 7] = [
        Self::Uploaded,
        Self::Analysing,
        Self::Analysed,
        Self::Queued,
        Self::Running,
        Self::Done,
        Self::Failed,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uploaded => "uploaded",
            Self::Analysing => "analysing",
            Self::Analysed => "analysed",
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// Whether the import holds the user's one import slot. `analysed` does not: it waits for
    /// the user, who may meanwhile upload another archive.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Uploaded | Self::Analysing | Self::Queued | Self::Running)
    }

    pub fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_hold_the_slot_while_work_is_pending() {
        fixtures::names_round_trip(&ImportStatus::ALL, ImportStatus::parse, ImportStatus::as_str);
        assert_eq!(ImportStatus::parse("cancelled"), None);
        let active: Vec<_> = ImportStatus::ALL.into_iter().filter(|s| s.is_active()).collect();
        assert_eq!(
            active,
            [
                ImportStatus::Uploaded,
                ImportStatus::Analysing,
                ImportStatus::Queued,
                ImportStatus::Running
            ]
        );
        let fin: Vec<_> = ImportStatus::ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(fin, [ImportStatus::Done, ImportStatus::Failed]);
    }

    #[test]
    fn an_import_owns_its_upload_and_not_a_document_it_reads() {
        assert!(owns_archive(&upload_key("0190a0b2-0000-7000-8000-000000000000")));
        assert!(!owns_archive("documents/0190a0b2-0000-7000-8000-000000000000"));
    }
}
