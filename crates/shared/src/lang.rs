//! The languages people are spoken to in. French first: the service is for French schools.
//!
//! A date a person reads is written one way everywhere, the page included (its `formatDate`):
//! « 7 décembre 2026 à 01 h 06 », « 7 December 2026 at 01:06 ».

use chrono::{Datelike, NaiveDateTime, Timelike};

/// A language the service has words in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Self; 2] = [Self::Fr, Self::En];

    /// The language's BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// The language of a BCP 47 primary subtag (« fr », « en », any case), if the service
    /// speaks it.
    pub fn from_tag(primary: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|lang| lang.tag().eq_ignore_ascii_case(primary))
    }
}

const FRENCH_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Lang {
    /// Bytes for people, as the page writes them (its `formatBytes`): in powers of 1,000 as file
    /// managers show them, one decimal below 100, a non-breaking space before the unit:
    /// « 0 octet », « 20,3 Mo », "1 byte", "20.3 MB".
    pub fn size(self, bytes: u64) -> String {
        let (one, many, units) = match self {
            Self::Fr => ("octet", "octets", ["Ko", "Mo", "Go", "To"]),
            Self::En => ("byte", "bytes", ["KB", "MB", "GB", "TB"]),
        };
        if bytes < 1000 {
            // French counts 0 and 1 in the singular, English only 1.
            let singular = bytes == 1 || (bytes == 0 && self == Self::Fr);
            return format!("{bytes}\u{a0}{}", if singular { one } else { many });
        }
        #[expect(clippy::cast_precision_loss, reason = "at most one decimal is shown")]
        let mut value = bytes as f64 / 1000.0;
        let mut unit = 0;
        while value >= 1000.0 && unit < units.len() - 1 {
            value /= 1000.0;
            unit += 1;
        }
        let mut shown = if value >= 100.0 { format!("{value:.0}") } else { format!("{value:.1}") };
        if let Some(whole) = shown.strip_suffix(".0") {
            shown = whole.to_owned();
        }
        if self == Self::Fr {
            shown = shown.replace('.', ",");
        }
        format!("{shown}\u{a0}{}", units[unit])
    }

    /// A day for people: « 14 décembre 2026 », « 14 December 2026 ».
    pub fn date(self, day: chrono::NaiveDate) -> String {
        let month = match self {
            Self::Fr => FRENCH_MONTHS,
            Self::En => ENGLISH_MONTHS,
        }[day.month0() as usize];
        format!("{} {month} {}", day.day(), day.year())
    }

    /// A date and time for people: « 7 décembre 2026 à 01 h 06 », « 7 December 2026 at 01:06 ».
    pub fn date_time(self, at: NaiveDateTime) -> String {
        let month = at.month0() as usize;
        let (day, year, hour, minute) = (at.day(), at.year(), at.hour(), at.minute());
        match self {
            Self::Fr => {
                format!("{day} {} {year} à {hour:02} h {minute:02}", FRENCH_MONTHS[month])
            }
            Self::En => {
                format!("{day} {} {year} at {hour:02}:{minute:02}", ENGLISH_MONTHS[month])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_on_the_page() {
        let fr = |n| Lang::Fr.size(n).replace('\u{a0}', " ");
        let en = |n| Lang::En.size(n).replace('\u{a0}', " ");
        assert_eq!(
            [fr(0), fr(1), fr(2), fr(999)],
            ["0 octet", "1 octet", "2 octets", "999 octets"]
        );
        assert_eq!([en(0), en(1), en(2)], ["0 bytes", "1 byte", "2 bytes"]);
        assert_eq!(
            [fr(1000), fr(1_500), fr(20_300_000), fr(123_456_789)],
            ["1 Ko", "1,5 Ko", "20,3 Mo", "123 Mo"]
        );
        assert_eq!([en(20_300_000), en(5_000_000_000_000_000)], ["20.3 MB", "5000 TB"]);
        assert!(Lang::Fr.size(20_300_000).contains('\u{a0}'), "the unit never wraps alone");
    }

    #[test]
    fn a_date_reads_the_same_everywhere() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .and_then(|d| d.and_hms_opt(1, 6, 59))
            .expect("a date");
        assert_eq!(Lang::Fr.date_time(at), "7 décembre 2026 à 01 h 06");
        assert_eq!(Lang::En.date_time(at), "7 December 2026 at 01:06");
        let august = chrono::NaiveDate::from_ymd_opt(2027, 8, 31)
            .and_then(|d| d.and_hms_opt(23, 0, 0))
            .expect("a date");
        assert_eq!(Lang::Fr.date_time(august), "31 août 2027 à 23 h 00");
        assert_eq!(Lang::Fr.date(august.date()), "31 août 2027");
        assert_eq!(Lang::En.date(august.date()), "31 August 2027");
    }

    #[test]
    fn a_language_from_its_tag() {
        assert_eq!(Lang::from_tag("FR"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("en"), Some(Lang::En));
        assert_eq!(Lang::from_tag("de"), None);
    }
}
