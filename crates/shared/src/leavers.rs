//! What the timeline and the e-mails tell a leaver of the time left before their account
//! closes, counted the same way by both.

use chrono::NaiveDateTime;

/// Whole days left before `until`, a day begun counting as one.
pub fn days_left(until: NaiveDateTime, now: NaiveDateTime) -> i64 {
    let seconds = (until - now).num_seconds().max(0);
    (seconds + 86_399) / 86_400
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::days_left;

    #[test]
    fn a_day_begun_counts_as_one() {
        let until = NaiveDate::from_ymd_opt(2027, 7, 4).and_then(|d| d.and_hms_opt(0, 0, 0));
        let until = until.expect("a date");
        assert_eq!(days_left(until, until - chrono::Duration::hours(30)), 2);
        assert_eq!(days_left(until, until - chrono::Duration::hours(3)), 1);
        assert_eq!(days_left(until, until + chrono::Duration::hours(3)), 0);
    }
}
