//! When a schedule's runs fall: every `every` months from its anchor, counted from the anchor
//! each time (`anchor + k × every` months), so that a run on the 31st comes back on the last day
//! of shorter months without drifting to the 28th for good.

use chrono::{Datelike, Months, NaiveDateTime};

/// The periods a schedule may have, in months.
pub const PERIODS: [u32; 5] = [1, 2, 3, 6, 12];

/// The `k`-th run of the series; `None` past the calendar's end.
fn nth(anchor: NaiveDateTime, every: u32, k: u32) -> Option<NaiveDateTime> {
    anchor.checked_add_months(Months::new(every.checked_mul(k)?))
}

/// The first run of the series strictly after `now`: where a schedule goes after a run, so that
/// an instance stopped across several periods catches up once, not once per missed period.
pub fn first_after(anchor: NaiveDateTime, every: u32, now: NaiveDateTime) -> NaiveDateTime {
    let months = (now.year() - anchor.year()) * 12 + now.month0().cast_signed()
        - anchor.month0().cast_signed();
    // One period short of the estimate, since the day of the month may not be reached yet.
    let mut k = u32::try_from(months).unwrap_or(0) / every.max(1);
    k = k.saturating_sub(1);
    loop {
        match nth(anchor, every, k) {
            Some(at) if at > now => return at,
            Some(_) => k += 1,
            None => return NaiveDateTime::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::first_after;

    fn at(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("a date")
    }

    #[test]
    fn the_next_run_is_the_first_of_the_series_after_now() {
        let anchor = at(2026, 12, 7);
        assert_eq!(first_after(anchor, 1, anchor), at(2027, 1, 7));
        assert_eq!(first_after(anchor, 2, at(2027, 1, 20)), at(2027, 2, 7));
        assert_eq!(first_after(anchor, 1, at(2027, 4, 6)), at(2027, 4, 7), "the day not reached");
        assert_eq!(first_after(anchor, 3, at(2027, 9, 8)), at(2027, 12, 7), "missed runs skipped");
        assert_eq!(first_after(anchor, 12, at(2025, 1, 1)), anchor, "before the anchor");
    }

    #[test]
    fn a_run_on_the_31st_comes_back_on_the_31st_after_a_short_month() {
        let anchor = at(2027, 1, 31);
        assert_eq!(first_after(anchor, 1, anchor), at(2027, 2, 28));
        assert_eq!(
            first_after(anchor, 1, at(2027, 2, 28)),
            at(2027, 3, 31),
            "no drift to the 28th"
        );
    }
}
