//! The service's notion of "now", injectable so that tests can move time: the system clock in
//! production, a [`ManualClock`] that a test sets and advances.
//!
//! Only what recurring exports and the leavers' window need reads it (the schedules, the
//! leavers' steps and links, and the export creation they call: its reuse window, its rate limit
//! and its default name); every other timestamp of the service still comes from the system
//! clock, so a test that moves this clock must not expect rows written by the worker
//! (`finished_at`, `expires_at`) to follow it.

use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

/// Tells the time.
pub trait Clock: Debug + Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until it is set or advanced; its clones share one time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::{Clock, ManualClock};

    #[test]
    fn a_manual_clock_shows_what_it_was_set_to_in_every_clone() {
        let start = chrono::Utc::now();
        let clock = ManualClock::new(start);
        let other = clock.clone();
        assert_eq!(other.now(), start);
        let later = start + chrono::Duration::days(40);
        clock.set(later);
        assert_eq!(other.now(), later, "clones share one time");
    }
}
