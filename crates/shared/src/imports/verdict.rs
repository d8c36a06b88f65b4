//! Which apps of an archive a user can import, and why not.

use serde::{Deserialize, Serialize};

use super::Warning;
use crate::apps::{
    AppDescriptor, FormatVersion, Incompatibility, WORKSPACE_APP, check_compatibility,
};
use crate::archive::{AppOutcome, Manifest};
use crate::entcore::{self, ModuleVersion};

/// The analysis of one app of the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppAnalysis {
    /// The app's stable id, as in the manifest; for an entcore module, the id of the app that
    /// reads it here, else the module's name.
    pub id: String,
    /// The app's name on this instance; absent for an app this instance does not have.
    pub display_name: Option<String>,
    /// The app's folder in the archive.
    pub folder: String,
    /// The app's format version in the archive; absent for an entcore module, whose version
    /// is in `module`.
    #[schema(value_type = Option<String>, example = "1.0")]
    pub archive_version: Option<FormatVersion>,
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
    /// The entcore module this part of an entcore archive is, as its manifest names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<EntcoreModule>,
}

/// A module of an entcore archive's Manifest.json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntcoreModule {
    /// e.g. `org.entcore.workspace`.
    pub name: String,
    /// As the manifest writes it, e.g. `6.14-SNAPSHOT`.
    pub version: String,
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
    /// An entcore module whose version is not `MAJOR.MINOR[-SNAPSHOT]`.
    UnreadableVersion,
    /// Another module of the entcore archive already goes to the same app.
    DuplicateApp,
    /// The user lacks the app's create right.
    MissingRight,
    /// The app's files exceed what is left of the user's quota.
    OverQuota,
}

impl From<NotImportable> for crate::ErrorCode {
    fn from(reason: NotImportable) -> Self {
        match reason {
            NotImportable::UnknownApp => Self::UnknownApp,
            NotImportable::NewerVersion => Self::NewerVersion,
            NotImportable::UnsupportedMajor => Self::UnsupportedMajor,
            NotImportable::UnreadableVersion => Self::UnreadableVersion,
            NotImportable::DuplicateApp => Self::DuplicateApp,
            NotImportable::MissingRight => Self::MissingRight,
            NotImportable::OverQuota => Self::OverQuota,
        }
    }
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

/// What one app of an archive is to this user, whatever the archive's format.
struct Judged<'a> {
    descriptor: Option<&'a AppDescriptor>,
    reason: Option<NotImportable>,
    right_held: bool,
}

/// The rules, first broken one wins: the app exists here, `readable` (its format and version),
/// the user holds its create right, and for `workspace` its bytes fit in `quota_left_bytes`.
fn judge<'a>(
    id: &str,
    descriptor: Option<&'a AppDescriptor>,
    readable: impl FnOnce(&AppDescriptor) -> Option<NotImportable>,
    rights: &[String],
    quota_left_bytes: Option<u64>,
    bytes: u64,
) -> Judged<'a> {
    let right_held = descriptor.is_some_and(|d| rights.contains(&d.create_right));
    let over_quota = id == WORKSPACE_APP && quota_left_bytes.is_some_and(|left| bytes > left);
    let reason = match descriptor {
        None => Some(NotImportable::UnknownApp),
        Some(d) => readable(d)
            .or_else(|| (!right_held).then_some(NotImportable::MissingRight))
            .or_else(|| over_quota.then_some(NotImportable::OverQuota)),
    };
    Judged { descriptor, reason, right_held }
}

impl Judged<'_> {
    fn into_analysis(self, id: String, folder: String, entries: u64, bytes: u64) -> AppAnalysis {
        AppAnalysis {
            id,
            display_name: self.descriptor.map(|d| d.display_name.clone()),
            folder,
            archive_version: None,
            current_version: self.descriptor.map(|d| d.version),
            verdict: if self.reason.is_none() {
                Verdict::Importable
            } else {
                Verdict::NotImportable
            },
            reason: self.reason,
            right_held: self.right_held,
            incomplete: None,
            entries,
            bytes,
            module: None,
        }
    }
}

/// Judges every app of a v1 archive for this user, in app id order (rules: [`judge`], the
/// version by `check_compatibility`). An app whose export failed is judged like any other and
/// flagged `incomplete`.
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
            let readable = |d: &AppDescriptor| {
                check_compatibility(app.version, d).err().map(NotImportable::from)
            };
            let judged = judge(id, descriptor, readable, rights, quota_left_bytes, app.bytes);
            AppAnalysis {
                archive_version: Some(app.version),
                incomplete: match &app.outcome {
                    AppOutcome::Ok => None,
                    AppOutcome::Failed { code, message } => Some(Warning::new(code, message)),
                },
                ..judged.into_analysis(id.clone(), app.folder.clone(), app.entries, app.bytes)
            }
        })
        .collect()
}

/// Judges every module of an entcore archive for this user, in module name order. A module is
/// read by the app the table or a declaration maps it to (`entcore::app_for_module`), at any
/// version that parses: this service reads entcore's workspace itself, and an app that lists a
/// module reads what entcore wrote of it. Only the first module going to an app is its
/// (`entcore::module_for_app`); the others are `duplicate_app`.
pub fn judge_modules(
    modules: &[FoundModule],
    catalogue: &[AppDescriptor],
    rights: &[String],
    quota_left_bytes: Option<u64>,
) -> Vec<AppAnalysis> {
    let mut taken = std::collections::HashSet::new();
    modules
        .iter()
        .map(|module| {
            let descriptor = entcore::app_for_module(&module.name, catalogue);
            let id = descriptor.map_or_else(|| module.name.clone(), |d| d.id.clone());
            let first = taken.insert(id.clone());
            let readable = |_: &AppDescriptor| {
                if module.version.parse::<ModuleVersion>().is_err() {
                    Some(NotImportable::UnreadableVersion)
                } else if !first {
                    Some(NotImportable::DuplicateApp)
                } else {
                    None
                }
            };
            let judged = judge(&id, descriptor, readable, rights, quota_left_bytes, module.bytes);
            AppAnalysis {
                module: Some(EntcoreModule {
                    name: module.name.clone(),
                    version: module.version.clone(),
                }),
                ..judged.into_analysis(id, module.folder.clone(), module.entries, module.bytes)
            }
        })
        .collect()
}

/// A module of an entcore archive as the analysis found it: its folder (named by the manifest
/// or found by its translated name) and the files there that an import would take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundModule {
    pub name: String,
    pub version: String,
    pub folder: String,
    pub entries: u64,
    pub bytes: u64,
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
            legacy_modules: vec!["org.entcore.blog".to_owned(), "fr.example.blog".to_owned()],
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
        assert_eq!(blog.archive_version, Some(FormatVersion::new(1, 0)));
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

    /// (module, its version, rights held, quota left, expected id, expected reason)
    type ModuleCase = (
        &'static str,
        &'static str,
        &'static [&'static str],
        Option<u64>,
        &'static str,
        Option<NotImportable>,
    );

    #[test]
    fn entcore_modules_table() {
        use NotImportable::{MissingRight, OverQuota, UnknownApp, UnreadableVersion};
        const ALL: &[&str] = &["workspace.create", "blog.create"];
        let cases: &[ModuleCase] = &[
            // The workspace reads entcore's at any version that parses.
            ("org.entcore.workspace", "6.14-SNAPSHOT", ALL, None, "workspace", None),
            ("org.entcore.workspace", "99.0", ALL, Some(100), "workspace", None),
            ("org.entcore.workspace", "3.2", ALL, Some(99), "workspace", Some(OverQuota)),
            ("org.entcore.workspace", "six", ALL, None, "workspace", Some(UnreadableVersion)),
            (
                "org.entcore.workspace",
                "6.1",
                &["blog.create"],
                None,
                "workspace",
                Some(MissingRight),
            ),
            // A declared app takes the modules it lists; the quota is the workspace's only.
            ("org.entcore.blog", "5.4-SNAPSHOT", ALL, Some(1), "blog", None),
            ("fr.example.blog", "1.0", &[], None, "blog", Some(MissingRight)),
            ("org.entcore.blog", "5.4-RC", ALL, None, "blog", Some(UnreadableVersion)),
            // No app reads it: the module's name stands for the app.
            ("org.entcore.wiki", "2.0", ALL, None, "org.entcore.wiki", Some(UnknownApp)),
            ("org.entcore.wiki", "?", ALL, None, "org.entcore.wiki", Some(UnknownApp)),
        ];
        for &(name, version, rights, quota, id, reason) in cases {
            let rights: Vec<String> = rights.iter().map(|r| (*r).to_owned()).collect();
            let module = FoundModule {
                name: name.to_owned(),
                version: version.to_owned(),
                folder: "Dossier".to_owned(),
                entries: 3,
                bytes: 100,
            };
            let judged = judge_modules(&[module], &catalogue(), &rights, quota);
            let [judged] = judged.as_slice() else { panic!("one app per case: {judged:?}") };
            let what = format!("{name} {version} with {rights:?}, quota {quota:?}");
            assert_eq!((judged.id.as_str(), judged.reason), (id, reason), "{what}");
            assert_eq!(judged.archive_version, None, "{what}");
            let module = judged.module.as_ref().expect("the module is named");
            assert_eq!((module.name.as_str(), module.version.as_str()), (name, version));
            assert_eq!((judged.entries, judged.bytes, judged.folder.as_str()), (3, 100, "Dossier"));
        }
    }

    #[test]
    fn only_the_first_module_going_to_an_app_is_importable() {
        let module = |name: &str| FoundModule {
            name: name.to_owned(),
            version: "1.0".to_owned(),
            folder: name.to_owned(),
            entries: 1,
            bytes: 1,
        };
        let modules = [module("fr.example.blog"), module("org.entcore.blog")];
        let judged = judge_modules(&modules, &catalogue(), &["blog.create".to_owned()], None);
        let reasons: Vec<_> = judged.iter().map(|a| (a.id.as_str(), a.reason)).collect();
        assert_eq!(reasons, [("blog", None), ("blog", Some(NotImportable::DuplicateApp))]);
        let json = serde_json::to_value(&judged[1]).expect("serialisable");
        assert_eq!(json["reason"], "duplicate_app");
        assert_eq!(json["archive_version"], serde_json::Value::Null);
        assert_eq!(
            json["module"],
            serde_json::json!({"name": "org.entcore.blog", "version": "1.0"})
        );
    }

    #[test]
    fn every_reason_is_an_analysis_code_of_the_vocabulary() {
        use crate::error_code::{ErrorCode, Family};
        let mut reasons = 0;
        for &code in ErrorCode::ALL {
            if let Ok(reason) = serde_json::from_value::<NotImportable>(code.as_str().into()) {
                assert_eq!(ErrorCode::from(reason), code);
                assert!(code.families().contains(&Family::AnalysisReason), "{code}");
                reasons += 1;
            }
        }
        assert_eq!(reasons, 7, "a reason is missing from the vocabulary");
    }
}
