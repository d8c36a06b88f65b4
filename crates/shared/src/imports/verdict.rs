//! Which apps of an archive a user can import, and why not.

use serde::{Deserialize, Serialize};

use super::Warning;
use crate::apps::{
    AppDescriptor, FormatVersion, Incompatibility, WORKSPACE_APP, check_compatibility,
};
use crate::archive::{AppOutcome, Manifest};

/// The analysis of one app of the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppAnalysis {
    /// The app's stable id, as in the manifest.
    pub id: String,
    /// The app's name on this instance; absent for an app this instance does not have.
    pub display_name: Option<String>,
    /// The app's folder in the archive.
    pub folder: String,
    #[schema(value_type = String, example = "1.0")]
    pub archive_version: FormatVersion,
    #[schema(value_type = Option<String>, example = "1.0")]
    pub current_version: Option<FormatVersion>,
    pub verdict: Verdict,
    /// Why the app cannot be imported; the first rule it breaks.
    pub reason: Option<NotImportable>,
    /// Whether the user holds the right to create content in the app.
    pub right_held: bool,
    /// Set when the archive says the app's export stopped or skipped something (its outcome
    /// was `failed`): the app stays importable, but what the archive holds of it is incomplete.
    /// Code and message are the archive's.
    pub incomplete: Option<Warning>,
    pub entries: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Importable,
    NotImportable,
}

/// Stable reasons an app is not importable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotImportable {
    UnknownApp,
    NewerVersion,
    UnsupportedMajor,
    /// The user lacks the app's create right.
    MissingRight,
    /// The app's files exceed what is left of the user's quota.
    OverQuota,
}

impl From<Incompatibility> for NotImportable {
    fn from(reason: Incompatibility) -> Self {
        match reason {
            Incompatibility::NewerVersion => Self::NewerVersion,
            Incompatibility::UnsupportedMajor => Self::UnsupportedMajor,
            Incompatibility::UnknownApp => Self::UnknownApp,
        }
    }
}

/// Judges every app of a v1 archive for this user, in app id order. Rules, first broken one
/// wins: the app exists here and its version is readable (`check_compatibility`); the user holds
/// its create right; for `workspace`, its bytes fit in `quota_left_bytes` (`None`: no quota).
/// An app whose export failed is judged like any other and flagged `incomplete`.
pub fn judge_apps(
    manifest: &Manifest,
    catalogue: &[AppDescriptor],
    rights: &[String],
    quota_left_bytes: Option<u64>,
) -> Vec<AppAnalysis> {
    manifest
        .apps
        .iter()
        .map(|(id, app)| {
            let descriptor = catalogue.iter().find(|d| d.id == *id);
            let right_held = descriptor.is_some_and(|d| rights.contains(&d.create_right));
            let over_quota =
                id == WORKSPACE_APP && quota_left_bytes.is_some_and(|left| app.bytes > left);
            let reason = match descriptor {
                None => Some(NotImportable::UnknownApp),
                Some(d) => check_compatibility(app.version, d)
                    .err()
                    .map(NotImportable::from)
                    .or_else(|| (!right_held).then_some(NotImportable::MissingRight))
                    .or_else(|| over_quota.then_some(NotImportable::OverQuota)),
            };
            AppAnalysis {
                id: id.clone(),
                display_name: descriptor.map(|d| d.display_name.clone()),
                folder: app.folder.clone(),
                archive_version: app.version,
                current_version: descriptor.map(|d| d.version),
                verdict: if reason.is_none() {
                    Verdict::Importable
                } else {
                    Verdict::NotImportable
                },
                reason,
                right_held,
                incomplete: match &app.outcome {
                    AppOutcome::Ok => None,
                    AppOutcome::Failed { code, message } => Some(Warning::new(code, message)),
                },
                entries: app.entries,
                bytes: app.bytes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{App, manifest};
    use super::*;
    use crate::apps::FormatVersion;

    fn catalogue() -> Vec<AppDescriptor> {
        let blog = AppDescriptor {
            id: "blog".to_owned(),
            display_name: "Blog".to_owned(),
            display_names: std::collections::BTreeMap::new(),
            version: FormatVersion::new(2, 1),
            upgrades_from: vec![1],
            create_right: "blog.create".to_owned(),
        };
        vec![AppDescriptor::workspace(), blog]
    }

    /// (app in the archive, rights held, quota left, expected reason, expected right held)
    type Case = (App<'static>, &'static [&'static str], Option<u64>, Option<NotImportable>, bool);

    #[test]
    fn verdict_table() {
        use NotImportable::{MissingRight, NewerVersion, OverQuota, UnknownApp, UnsupportedMajor};
        const W: &[&str] = &["workspace.create"];
        const B: &[&str] = &["blog.create"];
        const ALL: &[&str] = &["workspace.create", "blog.create"];
        let cases: &[Case] = &[
            (("workspace", "1.0", 100, None), W, None, None, true),
            (("workspace", "1.0", 100, None), W, Some(100), None, true),
            (("workspace", "1.0", 100, None), W, Some(99), Some(OverQuota), true),
            (("workspace", "1.0", 0, None), W, Some(0), None, true),
            (("workspace", "1.1", 100, None), W, None, Some(NewerVersion), true),
            (("workspace", "1.0", 100, None), B, None, Some(MissingRight), false),
            // Rules apply in order: the right is checked before the quota.
            (("workspace", "1.0", 100, None), B, Some(1), Some(MissingRight), false),
            (("workspace", "2.0", 100, None), B, Some(1), Some(NewerVersion), false),
            (("wiki", "1.0", 100, None), ALL, None, Some(UnknownApp), false),
            (("blog", "2.1", 100, None), B, None, None, true),
            (("blog", "1.9", 100, None), B, None, None, true),
            (("blog", "0.3", 100, None), B, None, Some(UnsupportedMajor), true),
            (("blog", "2.2", 100, None), B, None, Some(NewerVersion), true),
            (("blog", "3.0", 100, None), &[], None, Some(NewerVersion), false),
            (("blog", "2.0", 100, None), W, None, Some(MissingRight), false),
            // The quota is the workspace's: other apps' files do not go into it.
            (("blog", "2.0", 100, None), B, Some(1), None, true),
            // A failed export stays importable.
            (("workspace", "1.0", 100, Some("object_missing")), W, None, None, true),
        ];
        for &(app, rights, quota, reason, right_held) in cases {
            let rights: Vec<String> = rights.iter().map(|r| (*r).to_owned()).collect();
            let judged = judge_apps(&manifest(&[app]), &catalogue(), &rights, quota);
            let [judged] = judged.as_slice() else { panic!("one app per case: {judged:?}") };
            let what = format!("{app:?} with {rights:?}, quota {quota:?}");
            assert_eq!(judged.reason, reason, "{what}");
            let verdict =
                if reason.is_none() { Verdict::Importable } else { Verdict::NotImportable };
            assert_eq!(judged.verdict, verdict, "{what}");
            assert_eq!(judged.right_held, right_held, "{what}");
            assert_eq!(judged.incomplete.is_some(), app.3.is_some(), "{what}");
        }
    }

    #[test]
    fn each_app_is_described_in_id_order() {
        let archive = manifest(&[
            ("workspace", "1.0", 300, Some("object_missing")),
            ("wiki", "4.2", 10, None),
            ("blog", "1.0", 7, None),
        ]);
        let judged = judge_apps(&archive, &catalogue(), &["blog.create".to_owned()], None);
        let ids: Vec<&str> = judged.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["blog", "wiki", "workspace"]);

        let blog = &judged[0];
        assert_eq!(blog.display_name.as_deref(), Some("Blog"));
        assert_eq!(blog.folder, "Folder of blog");
        assert_eq!(blog.archive_version, FormatVersion::new(1, 0));
        assert_eq!(blog.current_version, Some(FormatVersion::new(2, 1)));
        assert_eq!((blog.entries, blog.bytes), (2, 7));

        let wiki = &judged[1];
        assert_eq!((wiki.display_name.as_deref(), wiki.current_version), (None, None));

        let workspace = &judged[2];
        assert_eq!(workspace.reason, Some(NotImportable::MissingRight));
        assert_eq!(
            workspace.incomplete,
            Some(Warning::new("object_missing", "object_missing happened")),
            "the archive's code and message are kept"
        );
    }

    #[test]
    fn json_shape() {
        let judged = judge_apps(&manifest(&[("wiki", "1.0", 5, None)]), &catalogue(), &[], None);
        let json = serde_json::to_value(&judged[0]).expect("serialisable");
        assert_eq!(json["verdict"], "not_importable");
        assert_eq!(json["reason"], "unknown_app");
        assert_eq!(json["archive_version"], "1.0");
        assert_eq!(json["current_version"], serde_json::Value::Null);
        let back: AppAnalysis = serde_json::from_value(json).expect("parsable");
        assert_eq!(back, judged[0]);
    }
}
