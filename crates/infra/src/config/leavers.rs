//! `[leavers]`: the leavers' window — how far ahead a closing date may be (which bounds the
//! lifetime of the download links sent to leavers), when reminders are sent, how often the
//! workers look for steps due, and how many users one `leavers` command declares.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Section};

/// Longest window allowed by configuration, in days.
const MAX_WINDOW_DAYS: u32 = 366;
/// Most reminder delays.
const MAX_REMINDERS: usize = 8;

/// The leavers' window.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LeaversConfig {
    /// Furthest a closing date may be from its declaration, in days (1 to 366): a leaver's
    /// download link never lives longer.
    pub max_window_days: u32,
    /// Reminders, in days before the closing date, sent while the export has not been
    /// downloaded (at most 8 delays, each 1 to 366).
    pub reminder_days: Vec<u32>,
    /// How often a worker looks for leavers' steps due, in seconds (1 to 3600).
    pub check_secs: u64,
    /// Most users one users file of `mesdonnees leavers` may list.
    pub max_file_users: usize,
}

impl Default for LeaversConfig {
    fn default() -> Self {
        Self {
            max_window_days: 120,
            reminder_days: vec![30, 10],
            check_secs: 300,
            max_file_users: 100_000,
        }
    }
}

impl Section for LeaversConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=MAX_WINDOW_DAYS).contains(&self.max_window_days) {
            return ConfigError::invalid("leavers.max_window_days must be between 1 and 366");
        }
        if self.reminder_days.len() > MAX_REMINDERS
            || self.reminder_days.iter().any(|d| !(1..=MAX_WINDOW_DAYS).contains(d))
        {
            return ConfigError::invalid(
                "leavers.reminder_days holds at most 8 delays, each between 1 and 366 days",
            );
        }
        if !(1..=3600).contains(&self.check_secs) {
            return ConfigError::invalid("leavers.check_secs must be between 1 and 3600");
        }
        if self.max_file_users == 0 {
            return ConfigError::invalid("leavers.max_file_users must be positive");
        }
        Ok(())
    }
}
