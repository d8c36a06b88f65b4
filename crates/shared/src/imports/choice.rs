//! Which apps an import launched without its owner brings in: chosen before the archive is
//! analysed, applied to what the analysis finds importable.

use serde::{Deserialize, Serialize};

use super::Analysis;

/// Most apps one choice may name.
pub const MAX_CHOSEN_APPS: usize = 64;

/// Error code of an import whose archive holds none of the chosen apps in importable form.
pub const NOTHING_IMPORTABLE: &str = "nothing_importable";

/// Error code of an import stopped at an operator's request.
pub const IMPORT_CANCELLED: &str = "import_cancelled";

/// Apps an operator asked for: every importable one, or these (stored as JSON: `"all"` or an
/// array of ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AppChoice {
    All(AllApps),
    Only(Vec<String>),
}

/// The literal `"all"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllApps {
    All,
}

/// Why a written choice is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    #[error("name at least one app, or `all`")]
    Empty,
    #[error("name at most {MAX_CHOSEN_APPS} apps")]
    TooMany,
    #[error("`{0}` is not an app id")]
    BadId(String),
}

impl AppChoice {
    /// `all`, or app ids separated by commas (what `?apps=` and `--apps` take).
    pub fn parse(raw: &str) -> Result<Self, ChoiceError> {
        let raw = raw.trim();
        if raw == "all" {
            return Ok(Self::All(AllApps::All));
        }
        let mut apps: Vec<String> =
            raw.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
        apps.sort();
        apps.dedup();
        if apps.is_empty() {
            return Err(ChoiceError::Empty);
        }
        if apps.len() > MAX_CHOSEN_APPS {
            return Err(ChoiceError::TooMany);
        }
        if let Some(bad) = apps.iter().find(|a| !valid_app_id(a)) {
            return Err(ChoiceError::BadId(bad.clone()));
        }
        Ok(Self::Only(apps))
    }

    /// The apps to launch: those chosen that the analysis found importable, in id order; with
    /// their entries and bytes.
    pub fn select(&self, analysis: &Analysis) -> Selection {
        let apps: Vec<_> = analysis
            .importable_apps()
            .filter(|a| match self {
                Self::All(_) => true,
                Self::Only(ids) => ids.contains(&a.id),
            })
            .collect();
        Selection {
            files: apps.iter().map(|a| a.entries).fold(0, u64::saturating_add),
            bytes: apps.iter().map(|a| a.bytes).fold(0, u64::saturating_add),
            apps: apps.into_iter().map(|a| a.id.clone()).collect(),
        }
    }
}

/// The apps an import is launched with, and what they add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub apps: Vec<String>,
    pub files: u64,
    pub bytes: u64,
}

/// App ids are short lowercase words (`workspace`, `cahier`, `blog-v2`).
fn valid_app_id(id: &str) -> bool {
    id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::manifest;
    use super::super::{SignatureCheck, judge_apps};
    use super::*;
    use crate::apps::AppDescriptor;

    #[test]
    fn selects_the_importable_apps_among_those_chosen() {
        let archive = manifest(&[("workspace", "1.0", 300, None), ("wiki", "1.0", 9, None)]);
        let rights = ["workspace.create".to_owned()];
        let apps = judge_apps(&archive, &[AppDescriptor::workspace()], &rights, None);
        let analysis = Analysis::of_manifest(&archive, SignatureCheck::unsigned(), apps);
        let all = AppChoice::parse("all").expect("all");
        assert_eq!(
            all.select(&analysis),
            Selection { apps: vec!["workspace".into()], files: 2, bytes: 300 },
            "the unknown wiki is left out"
        );
        let some = AppChoice::parse("wiki,workspace").expect("two");
        assert_eq!(some.select(&analysis).apps, ["workspace"]);
        let none = AppChoice::parse("wiki").expect("one");
        assert_eq!(none.select(&analysis), Selection { apps: vec![], files: 0, bytes: 0 });
    }

    #[test]
    fn parses_all_and_lists() {
        assert_eq!(AppChoice::parse("all"), Ok(AppChoice::All(AllApps::All)));
        assert_eq!(
            AppChoice::parse(" workspace, cahier,workspace "),
            Ok(AppChoice::Only(vec!["cahier".into(), "workspace".into()]))
        );
        assert_eq!(AppChoice::parse(" , "), Err(ChoiceError::Empty));
        assert_eq!(AppChoice::parse("Work Space"), Err(ChoiceError::BadId("Work Space".into())));
        let many = (0..65).map(|i| format!("a{i}")).collect::<Vec<_>>().join(",");
        assert_eq!(AppChoice::parse(&many), Err(ChoiceError::TooMany));
    }

    #[test]
    fn stored_as_all_or_an_array() {
        let all = AppChoice::parse("all").expect("all");
        assert_eq!(serde_json::to_string(&all).expect("json"), r#""all""#);
        let some = AppChoice::parse("workspace").expect("one");
        assert_eq!(serde_json::to_string(&some).expect("json"), r#"["workspace"]"#);
        assert_eq!(serde_json::from_str::<AppChoice>(r#""all""#).expect("back"), all);
        assert_eq!(serde_json::from_str::<AppChoice>(r#"["workspace"]"#).expect("back"), some);
    }
}
