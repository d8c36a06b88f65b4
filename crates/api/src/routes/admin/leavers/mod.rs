//! The leavers' window in the admin API: declare a user who is leaving and the date their
//! account closes (again: a new date), list the leavers with where each stands, revoke the
//! links sent to one. The rules are [`mesdonnees_core::leavers`]'.

mod declare_leaver;
mod get_leaver;
mod list_leavers;
mod revoke_leaver_link;

pub use declare_leaver::*;
pub use get_leaver::*;
pub use list_leavers::*;
pub use revoke_leaver_link::*;

use chrono::{DateTime, Utc};
use mesdonnees_core::leavers::{Status, Viewed};
use mesdonnees_shared::Lang;
use serde::Serialize;

/// Where a leaver stands: the furthest step reached.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeaverStatus {
    /// Their export is being made.
    Preparing,
    /// Their export is ready; they are told at the next pass.
    Prepared,
    /// Told in their timeline and, with an address, by e-mail.
    Notified,
    /// They downloaded their export.
    Downloaded,
    /// The closing date has passed: the link no longer works, the export expires.
    Expired,
    /// Their export failed, was refused (`export_error`) or deleted: declare them again.
    Failed,
}

impl From<Status> for LeaverStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Preparing => Self::Preparing,
            Status::Prepared => Self::Prepared,
            Status::Notified => Self::Notified,
            Status::Downloaded => Self::Downloaded,
            Status::Expired => Self::Expired,
            Status::Failed => Self::Failed,
        }
    }
}

/// A leaver as the admin API shows them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeaverView {
    user_id: String,
    /// When their account closes: the link works until then.
    until: DateTime<Utc>,
    status: LeaverStatus,
    email: Option<String>,
    /// Written to instead of `email`.
    guardian_email: Option<String>,
    /// `fr` or `en`.
    lang: String,
    /// The export prepared for them, once made.
    export_id: Option<String>,
    /// Why their export could not be made (a quota's code).
    export_error: Option<String>,
    /// When the links sent so far were revoked; declaring them again sends a new one.
    link_revoked_at: Option<DateTime<Utc>>,
    notified_at: Option<DateTime<Utc>>,
    /// The shortest reminder delay (days before `until`) sent or passed.
    reminded_days: Option<i32>,
    downloaded_at: Option<DateTime<Utc>>,
    expired_at: Option<DateTime<Utc>>,
    /// An administrator's id, or `cli:<login>`.
    declared_by: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Viewed> for LeaverView {
    fn from(Viewed { leaver: l, status }: Viewed) -> Self {
        Self {
            user_id: l.user_id,
            until: l.until_at.and_utc(),
            status: status.into(),
            email: l.email,
            guardian_email: l.guardian_email,
            lang: Lang::from_tag(&l.lang).unwrap_or_default().tag().to_owned(),
            export_id: l.export_id,
            export_error: l.export_error,
            link_revoked_at: l.link_revoked_at.map(|t| t.and_utc()),
            notified_at: l.notified_at.map(|t| t.and_utc()),
            reminded_days: l.reminded_days,
            downloaded_at: l.downloaded_at.map(|t| t.and_utc()),
            expired_at: l.expired_at.map(|t| t.and_utc()),
            declared_by: l.declared_by,
            created_at: l.created_at.and_utc(),
            updated_at: l.updated_at.and_utc(),
        }
    }
}
