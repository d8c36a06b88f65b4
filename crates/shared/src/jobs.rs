//! Job payloads. The queue carries only a job id; the row in the `jobs` table holds the kind, the
//! payload and the state, so a lost queue loses nothing.

use serde::{Deserialize, Serialize};

use crate::JobId;

/// What goes through the queue: a wake-up naming a job row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobMessage {
    pub job_id: JobId,
}

/// The work a job row describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobPayload {
    /// Remove objects whose rows are already gone (deleted documents). Done in the background so
    /// a slow or failing store never blocks a delete, and retried until the store agrees.
    PurgeObjects { keys: Vec<String> },
    /// Build the archive of one export row.
    Export { export_id: String },
    /// Tell the owner of a finished export by e-mail, when they asked for it.
    ExportEmail { export_id: String },
    /// Write to a leaver (or their guardian) with the link to their export: the first notice,
    /// or the reminder `reminder_days` days before their account closes.
    LeaverEmail { user_id: String, reminder_days: Option<u32> },
    /// Check an uploaded archive and judge each of its apps.
    AnalyseImport { import_id: String },
    /// Bring the chosen apps of an analysed archive into the owner's account.
    Import { import_id: String },
}

impl JobPayload {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PurgeObjects { .. } => "purge_objects",
            Self::Export { .. } => "export",
            Self::ExportEmail { .. } => "export_email",
            Self::LeaverEmail { .. } => "leaver_email",
            Self::AnalyseImport { .. } => "analyse_import",
            Self::Import { .. } => "import",
        }
    }
}

/// Where a job row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_with_its_kind_tag() {
        let payload = JobPayload::PurgeObjects { keys: vec!["documents/a".into()] };
        let json = serde_json::to_string(&payload).expect("serialisable");
        assert!(json.contains("\"kind\":\"purge_objects\""), "{json}");
        let back: JobPayload = serde_json::from_str(&json).expect("parsable");
        assert_eq!(back, payload);
        assert_eq!(back.kind(), "purge_objects");
    }

    #[test]
    fn status_strings_round_trip() {
        for s in [JobStatus::Queued, JobStatus::Running, JobStatus::Done, JobStatus::Failed] {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobStatus::parse("other"), None);
    }
}
