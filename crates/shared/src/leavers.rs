//! What the timeline and the e-mails tell a leaver of the time left before their account
//! closes, counted the same way by both.

use chrono::{NaiveDate, NaiveDateTime};

use crate::Zone;

/// The day a leaver is told their account closes: the closing instant `until` (UTC) read in
/// the ENT's time zone, so that a window closing at midnight in Paris says that day.
pub fn closing_day(zone: Zone, until: NaiveDateTime) -> NaiveDate {
    zone.local(until.and_utc()).date()
}

/// Whole days left before `until`, a day begun counting as one.
pub fn days_left(until: NaiveDateTime, now: NaiveDateTime) -> i64 {
    let seconds = (until - now).num_seconds().max(0);
    (seconds + 86_399) / 86_400
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::{closing_day, days_left};
    use crate::Zone;

    #[test]
    fn a_day_begun_counts_as_one() {
        let until = NaiveDate::from_ymd_opt(2027, 7, 4).and_then(|d| d.and_hms_opt(0, 0, 0));
        let until = until.expect("a date");
        assert_eq!(days_left(until, until - chrono::Duration::hours(30)), 2);
        assert_eq!(days_left(until, until - chrono::Duration::hours(3)), 1);
        assert_eq!(days_left(until, until + chrono::Duration::hours(3)), 0);
    }

    #[test]
    fn the_day_told_is_the_zones_around_midnight() {
        let at = |d, h, m| {
            NaiveDate::from_ymd_opt(2027, 6, d)
                .and_then(|d| d.and_hms_opt(h, m, 0))
                .expect("a time")
        };
        let june = |d| NaiveDate::from_ymd_opt(2027, 6, d).expect("a day");
        // 22:00 UTC on the 29th is midnight of the 30th in Paris (summer time).
        assert_eq!(closing_day(Zone::PARIS, at(29, 22, 0)), june(30));
        assert_eq!(closing_day(Zone::PARIS, at(29, 21, 59)), june(29));
        let reunion = Zone::parse("Indian/Reunion").expect("a zone");
        assert_eq!(closing_day(reunion, at(29, 20, 0)), june(30));
    }
}
