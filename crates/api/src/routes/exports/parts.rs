//! Parts of an export's view: how each app went, and where its file was delivered.

use mesdonnees_shared::archive::{AppOutcome, ManifestApp};
use mesdonnees_shared::exports::Delivery;
use serde::Serialize;

/// How one app of the export went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppOutcomeView {
    /// `ok`, or `failed` with a code and a reason: the other apps are still in the archive.
    status: &'static str,
    code: Option<String>,
    message: Option<String>,
    entries: u64,
    bytes: u64,
}

impl AppOutcomeView {
    pub(super) fn of(app: ManifestApp) -> Self {
        let (status, code, message) = match app.outcome {
            AppOutcome::Ok => ("ok", None, None),
            AppOutcome::Failed { code, message } => ("failed", Some(code), Some(message)),
        };
        Self { status, code, message, entries: app.entries, bytes: app.bytes }
    }
}

/// Where the finished file is also copied, and how that went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    to: Delivery,
    /// The document made of the file, once the export is ready and it fitted.
    document_id: Option<String>,
    /// Why the copy was not made (`documents_quota_exceeded`); the download is there still.
    error_code: Option<String>,
}

impl DeliveryView {
    /// The delivery of an export asked with `deliver_to`; `None` without it.
    pub(super) fn of(
        to: Option<Delivery>,
        document_id: Option<String>,
        error_code: Option<String>,
    ) -> Option<Self> {
        to.map(|to| Self { to, document_id, error_code })
    }
}
