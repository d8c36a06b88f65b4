//! The time zone people read times in: the ENT's (`Europe/Paris` in metropolitan France,
//! `Indian/Reunion`, `America/Cayenne`…). Times are stored and exchanged in UTC; only words
//! written for people by the service itself (an import's folder, the archive's pages, an
//! e-mail) are in local time. The page formats times in the browser's own zone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// An IANA time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(chrono_tz::Tz);

impl Zone {
    /// Metropolitan France.
    pub const PARIS: Self = Self(chrono_tz::Tz::Europe__Paris);

    /// The zone of an IANA name (`Europe/Paris`); `None` for a name the database lacks.
    pub fn parse(name: &str) -> Option<Self> {
        name.parse().ok().map(Self)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The wall-clock time in this zone at `at`.
    pub fn local(self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.0).naive_local()
    }

    /// The instant `day` begins in this zone: its midnight, or where a change of the clocks
    /// skips midnight (some zones move them at 00:00), the first time the day has.
    pub fn start_of(self, day: NaiveDate) -> DateTime<Utc> {
        let mut time = day.and_time(NaiveTime::MIN);
        loop {
            if let Some(start) = self.0.from_local_datetime(&time).earliest() {
                return start.with_timezone(&Utc);
            }
            // No gap lasts a day: a few steps find the clocks again.
            time += chrono::Duration::minutes(15);
        }
    }
}

impl Default for Zone {
    fn default() -> Self {
        Self::PARIS
    }
}

impl serde::Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown time zone {name:?}: use an IANA name such as \"Europe/Paris\""
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn summer_and_winter_in_paris_and_overseas() {
        let winter = Utc.with_ymd_and_hms(2026, 12, 7, 0, 6, 0).single().expect("instant");
        let summer = Utc.with_ymd_and_hms(2027, 7, 1, 23, 30, 0).single().expect("instant");
        let hm = |zone: Zone, at| zone.local(at).format("%Y-%m-%d %H:%M").to_string();
        assert_eq!(hm(Zone::PARIS, winter), "2026-12-07 01:06");
        assert_eq!(hm(Zone::PARIS, summer), "2027-07-02 01:30", "UTC+2 in summer, the next day");
        let reunion = Zone::parse("Indian/Reunion").expect("a zone");
        assert_eq!(hm(reunion, winter), "2026-12-07 04:06");
        assert_eq!(Zone::parse("Europe/Nowhere"), None);
    }

    #[test]
    fn a_day_begins_at_the_zones_midnight() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a day");
        let utc = |day: NaiveDate, h, min| {
            Utc.from_utc_datetime(&day.and_hms_opt(h, min, 0).expect("a time"))
        };
        // Summer and winter in Paris: the day before, at 22:00 and 23:00 UTC.
        assert_eq!(Zone::PARIS.start_of(day(2027, 6, 30)), utc(day(2027, 6, 29), 22, 0));
        assert_eq!(Zone::PARIS.start_of(day(2026, 12, 31)), utc(day(2026, 12, 30), 23, 0));
        let reunion = Zone::parse("Indian/Reunion").expect("a zone");
        assert_eq!(reunion.start_of(day(2027, 6, 30)), utc(day(2027, 6, 29), 20, 0));
        let cayenne = Zone::parse("America/Cayenne").expect("a zone");
        assert_eq!(cayenne.start_of(day(2027, 6, 30)), utc(day(2027, 6, 30), 3, 0));
        // Santiago moved its clocks from 00:00 to 01:00 on 2024-09-08: the day began at 01:00.
        let santiago = Zone::parse("America/Santiago").expect("a zone");
        assert_eq!(santiago.start_of(day(2024, 9, 8)), utc(day(2024, 9, 8), 4, 0));
        // The day read back in the zone is the day given.
        let start = Zone::PARIS.start_of(day(2027, 6, 30));
        assert_eq!(Zone::PARIS.local(start).date(), day(2027, 6, 30));
    }

    #[test]
    fn read_and_written_by_name() {
        let zone: Zone = serde_json::from_str("\"America/Cayenne\"").expect("known");
        assert_eq!(serde_json::to_string(&zone).expect("json"), "\"America/Cayenne\"");
        let refused = serde_json::from_str::<Zone>("\"Paris\"").expect_err("not an IANA name");
        assert!(refused.to_string().contains("Europe/Paris"));
    }
}
