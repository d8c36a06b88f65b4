//! The app catalogue and the compatibility rules between an archive's app version and this
//! instance's.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Id of the built-in documents space.
pub const WORKSPACE_APP: &str = "workspace";

/// An app's data format version, `MAJOR.MINOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FormatVersion {
    pub major: u32,
    pub minor: u32,
}

impl FormatVersion {
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }
}

impl fmt::Display for FormatVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a format version is MAJOR.MINOR with two whole numbers")]
pub struct VersionError;

impl FromStr for FormatVersion {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (major, minor) = s.split_once('.').ok_or(VersionError)?;
        Ok(Self {
            major: major.parse().map_err(|_| VersionError)?,
            minor: minor.parse().map_err(|_| VersionError)?,
        })
    }
}

impl Serialize for FormatVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FormatVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// What an app declares about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppDescriptor {
    /// Stable id, used in manifests; never translated.
    pub id: String,
    /// Name for people (French), also the app's folder in archives.
    pub display_name: String,
    /// The name in other languages, by language tag (`en`).
    #[serde(default)]
    pub display_names: std::collections::BTreeMap<String, String>,
    /// The format version this instance writes and reads.
    pub version: FormatVersion,
    /// Older majors this instance can upgrade on import.
    #[serde(default)]
    pub upgrades_from: Vec<u32>,
    /// The right a user needs to create content in the app (and so to import into it).
    pub create_right: String,
    /// Modules of entcore archives the app reads (`org.entcore.homeworks`…), besides its own
    /// format; the built-in ones are in `entcore::MODULES`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legacy_modules: Vec<String>,
}

impl AppDescriptor {
    /// The built-in documents space.
    pub fn workspace() -> Self {
        Self {
            id: WORKSPACE_APP.to_owned(),
            display_name: "Documents".to_owned(),
            display_names: [("en".to_owned(), "Documents".to_owned())].into(),
            version: FormatVersion::new(1, 0),
            upgrades_from: Vec::new(),
            create_right: "workspace.create".to_owned(),
            legacy_modules: Vec::new(),
        }
    }
}

/// Why an app of an archive cannot be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Incompatibility {
    /// The archive holds a newer version than this instance knows.
    NewerVersion,
    /// An older major this instance does not upgrade.
    UnsupportedMajor,
    /// No such app here.
    UnknownApp,
}

/// The compatibility rule: version A (archive) is importable at current version C iff
/// A.major = C.major and A.minor ≤ C.minor, or C declares an upgrade from A.major.
pub fn check_compatibility(
    archive: FormatVersion,
    current: &AppDescriptor,
) -> Result<(), Incompatibility> {
    let c = current.version;
    if archive.major == c.major {
        if archive.minor <= c.minor { Ok(()) } else { Err(Incompatibility::NewerVersion) }
    } else if archive.major > c.major {
        Err(Incompatibility::NewerVersion)
    } else if current.upgrades_from.contains(&archive.major) {
        Ok(())
    } else {
        Err(Incompatibility::UnsupportedMajor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(major: u32, minor: u32, upgrades: &[u32]) -> AppDescriptor {
        AppDescriptor {
            version: FormatVersion::new(major, minor),
            upgrades_from: upgrades.to_vec(),
            ..AppDescriptor::workspace()
        }
    }

    /// (archive major.minor, current major.minor and upgrades, verdict)
    type Case = ((u32, u32), (u32, u32, &'static [u32]), Result<(), Incompatibility>);

    #[test]
    fn compatibility_table() {
        use Incompatibility::{NewerVersion, UnsupportedMajor};
        let cases: &[Case] = &[
            ((1, 0), (1, 0, &[]), Ok(())),
            ((1, 0), (1, 3, &[]), Ok(())),
            ((1, 3), (1, 3, &[]), Ok(())),
            ((1, 4), (1, 3, &[]), Err(NewerVersion)),
            ((2, 0), (1, 9, &[]), Err(NewerVersion)),
            ((1, 7), (2, 0, &[1]), Ok(())),
            ((1, 7), (2, 0, &[]), Err(UnsupportedMajor)),
            ((0, 9), (2, 0, &[1]), Err(UnsupportedMajor)),
        ];
        for &((am, an), (cm, cn, up), expected) in cases {
            assert_eq!(
                check_compatibility(FormatVersion::new(am, an), &app(cm, cn, up)),
                expected,
                "archive {am}.{an} at {cm}.{cn} upgrading {up:?}"
            );
        }
    }

    #[test]
    fn versions_parse_and_print() {
        assert_eq!("1.2".parse(), Ok(FormatVersion::new(1, 2)));
        assert_eq!(FormatVersion::new(10, 0).to_string(), "10.0");
        assert!("1".parse::<FormatVersion>().is_err());
        assert!("1.x".parse::<FormatVersion>().is_err());
    }
}
