//! Recurring exports: a schedule makes an ordinary export every 1, 2, 3, 6 or 12 months until a
//! date, with a template's settings or its own. Owner-only: another user's schedule is a 404.
//! The rules are [`mesdonnees_core::schedules`]'.

mod body;
mod create_schedule;
mod delete_schedule;
mod get_schedule;
mod list_schedules;
mod update_schedule;

pub use body::ScheduleBody;
pub use create_schedule::*;
pub use delete_schedule::*;
pub use get_schedule::*;
pub use list_schedules::*;
pub use update_schedule::*;

use chrono::{DateTime, Utc};
use mesdonnees_core::schedules;
use mesdonnees_db::ExportSchedule;
use mesdonnees_shared::Lang;
use mesdonnees_shared::exports::Delivery;
use mesdonnees_shared::filters::ExportFilters;
use mesdonnees_shared::tables::{ExportKind, TableSpec};
use serde::Serialize;

use crate::error::ApiError;

/// A schedule as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScheduleView {
    id: String,
    /// The template whose settings each run takes; absent when the schedule has its own.
    template_id: Option<String>,
    /// The schedule's own settings (absent with a template).
    apps: Option<Vec<String>>,
    filters: Option<ExportFilters>,
    kind: Option<ExportKind>,
    table: Option<TableSpec>,
    /// Months between two runs.
    every_months: i32,
    /// No run at or after this.
    until: DateTime<Utc>,
    /// When the next run is due; absent once the schedule is over (renew it with PUT).
    next_run_at: Option<DateTime<Utc>>,
    /// Each run stays until its own expiry instead of expiring when the next one is ready.
    keep_runs: bool,
    /// The language the runs are named and written in: `fr` or `en`.
    lang: String,
    /// Where each run also goes: `documents`, or absent.
    deliver_to: Option<Delivery>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ScheduleView {
    /// The view of a row; a row whose stored JSON does not decode is an internal error.
    fn read(s: ExportSchedule) -> Result<Self, ApiError> {
        let corrupt = |c| ApiError::from(mesdonnees_core::Error::from(c));
        let options = s.export_options().map_err(corrupt)?;
        let (filters, kind, table) = match options {
            Some(o) => (Some(o.filters), Some(o.kind), o.table),
            None => (None, None, None),
        };
        Ok(Self {
            apps: s.app_ids().map_err(corrupt)?,
            deliver_to: s.delivery().map_err(corrupt)?,
            filters,
            kind,
            table,
            next_run_at: schedules::next_run(&s).map(|at| at.and_utc()),
            lang: Lang::from_tag(&s.lang).unwrap_or_default().tag().to_owned(),
            id: s.id,
            template_id: s.template_id,
            every_months: s.every_months,
            until: s.until_at.and_utc(),
            keep_runs: s.keep_runs,
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
        })
    }
}
