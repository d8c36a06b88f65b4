//! The body of a schedule's POST and PUT.

use chrono::{DateTime, Utc};
use mesdonnees_core::schedules::Draft;
use mesdonnees_shared::Lang;
use mesdonnees_shared::exports::Delivery;
use serde::Deserialize;

use crate::routes::exports::export_settings;

export_settings! {
    /// A schedule to save: what its runs are of (a template, or settings of its own), how often
    /// and until when.
    #[derive(Debug, Deserialize, utoipa::ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct ScheduleBody {
        /// A template of the user's: each run takes its settings as they are then. Without
        /// it, the settings of this body are saved with the schedule.
        #[schema(pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
        template_id: Option<String>,
        /// Months between two runs: 1, 2, 3, 6 or 12.
        #[schema(minimum = 1, maximum = 12)]
        every_months: u32,
        /// No run at or after this; after now and at most a year ahead. A PUT with a later
        /// date renews the schedule.
        until: DateTime<Utc>,
        /// Keep each run until its own expiry; by default a run expires when the next one is
        /// ready.
        keep_runs: Option<bool>,
        /// `documents`: also copy each run into the user's documents, in « Mes exports ». A
        /// run that would not fit is not made, and the user's timeline says why.
        deliver_to: Option<Delivery>,
    }
}

impl ScheduleBody {
    /// The draft of this body, its runs speaking `lang`.
    pub(super) fn draft(mut self, lang: Lang) -> Draft {
        Draft {
            settings: self.settings(),
            template_id: self.template_id,
            every_months: self.every_months,
            until: self.until,
            keep_runs: self.keep_runs.unwrap_or(false),
            lang,
            deliver_to: self.deliver_to,
        }
    }
}
