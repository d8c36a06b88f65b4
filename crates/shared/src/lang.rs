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
