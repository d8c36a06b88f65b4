//! `[[apps]]`: the remote ENT apps beside the built-in `workspace`, what the catalogue says of
//! each and where its connector answers.

use std::collections::{BTreeMap, HashSet};

use mesdonnees_shared::apps::{AppDescriptor, FormatVersion, WORKSPACE_APP};
use mesdonnees_shared::entcore;
use mesdonnees_shared::entry_name::sanitize_segment;
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// One remote app: what the catalogue says of it, and where its connector answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteAppConfig {
    /// Stable id, in manifests and in the `aud` of service tokens: `[a-z0-9_-]`, 1 to 32.
    pub id: String,
    /// Name for people (French), also the app's folder in archives.
    pub display_name: String,
    /// The name in other languages, by language tag (`en`).
    #[serde(default)]
    pub display_names: BTreeMap<String, String>,
    /// The data format version the app writes and reads, `MAJOR.MINOR`.
    #[schema(value_type = String)]
    pub version: FormatVersion,
    /// Older majors the app upgrades on import.
    #[serde(default)]
    pub upgrades_from: Vec<u32>,
    /// The right a user needs to create content in the app, and so to import into it.
    pub create_right: String,
    /// The connector's base URL: `{base_url}/info`, `/export`, `/import`.
    pub base_url: String,
    /// HS256 secret of the service tokens this instance mints for the app (32 bytes or more).
    pub token_secret: String,
    /// Object keys the app may name in its export stream start with this; empty means
    /// `<id>/`. Keeps an app from having other users' documents copied into an archive.
    #[serde(default)]
    pub object_prefix: String,
    /// Modules of entcore archives the app reads (`org.entcore.homeworks`): their files are
    /// handed to it on import, with `begin.origin` naming the module.
    #[serde(default)]
    pub legacy_modules: Vec<String>,
    /// Members of the app's JSON documents a table export may show as columns
    /// (`<id>.<field>`), with their headers.
    #[serde(default)]
    pub table_fields: Vec<AppTableField>,
}

/// A column a remote app offers to table exports: a top-level member of its JSON documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppTableField {
    /// The member's name: `[a-z0-9_]`, 1 to 40.
    pub field: String,
    /// The column's header.
    pub label: String,
}

impl RemoteAppConfig {
    pub fn descriptor(&self) -> AppDescriptor {
        AppDescriptor {
            id: self.id.clone(),
            display_name: self.display_name.clone(),
            display_names: self.display_names.clone(),
            version: self.version,
            upgrades_from: self.upgrades_from.clone(),
            create_right: self.create_right.clone(),
            legacy_modules: self.legacy_modules.clone(),
        }
    }

    pub fn object_prefix(&self) -> String {
        if self.object_prefix.is_empty() {
            format!("{}/", self.id)
        } else {
            self.object_prefix.clone()
        }
    }
}

/// Where this service keeps its own objects: an app may name no key there.
const RESERVED_PREFIXES: [&str; 3] = ["documents/", "exports/", "imports/"];

/// Checks the declared apps: valid and distinct ids and folders, usable URLs and secrets.
pub(crate) fn validate_apps(apps: &[RemoteAppConfig]) -> Result<(), ConfigError> {
    let invalid = |msg: String| Err(ConfigError::Invalid(msg));
    let mut ids = HashSet::new();
    let mut modules = HashSet::new();
    let mut folders =
        HashSet::from([sanitize_segment(&AppDescriptor::workspace().display_name).to_lowercase()]);
    for app in apps {
        let id_ok = (1..=32).contains(&app.id.len())
            && app
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-".contains(&b));
        if !id_ok {
            return invalid(format!(
                "apps: {:?} is not an app id (1 to 32 of a-z, 0-9, '_' and '-')",
                app.id
            ));
        }
        if app.id == WORKSPACE_APP || !ids.insert(app.id.clone()) {
            return invalid(format!("apps: the id {:?} is taken", app.id));
        }
        if app.display_name.trim().is_empty()
            || !folders.insert(sanitize_segment(&app.display_name).to_lowercase())
        {
            return invalid(format!(
                "apps.{}: display_name must be set and differ from every other app's",
                app.id
            ));
        }
        if app.create_right.is_empty() {
            return invalid(format!("apps.{}: create_right must be set", app.id));
        }
        match url::Url::parse(&app.base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
            _ => return invalid(format!("apps.{}: base_url must be an http(s) URL", app.id)),
        }
        if app.token_secret.len() < 32 {
            return invalid(format!("apps.{}: token_secret must have at least 32 bytes", app.id));
        }
        let mut fields = HashSet::new();
        for column in &app.table_fields {
            let ok = (1..=40).contains(&column.field.len())
                && column
                    .field
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && (1..=80).contains(&column.label.chars().count())
                && fields.insert(column.field.as_str());
            if !ok {
                return invalid(format!(
                    "apps.{}: table_fields: each field is 1 to 40 of a-z, 0-9 and '_', once, \
                     with a label of 1 to 80 characters",
                    app.id
                ));
            }
        }
        let prefix = app.object_prefix();
        if prefix.starts_with('/')
            || !prefix.ends_with('/')
            || prefix.split('/').any(|s| s == "..")
            || RESERVED_PREFIXES.iter().any(|reserved| prefix.starts_with(reserved))
        {
            return invalid(format!(
                "apps.{}: object_prefix must be a relative key prefix ending in '/', outside \
                 this service's own keys ({})",
                app.id,
                RESERVED_PREFIXES.join(", ")
            ));
        }
        for module in &app.legacy_modules {
            // A module goes to one app only, and never to a remote app when this service
            // reads it itself.
            if !entcore::is_module_name(module)
                || entcore::builtin_app(module).is_some()
                || !modules.insert(module.as_str())
            {
                return invalid(format!(
                    "apps.{}: legacy_modules: {module:?} must be a module name (dotted words of \
                     a-z, A-Z, 0-9, '-', '_'), read by no other app",
                    app.id
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
impl RemoteAppConfig {
    /// A valid app named `id`, for tests.
    pub(crate) fn example(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            display_name: format!("App {id}"),
            display_names: BTreeMap::new(),
            version: FormatVersion::new(1, 0),
            upgrades_from: Vec::new(),
            create_right: format!("{id}.create"),
            base_url: "http://127.0.0.1:8090/connector".to_owned(),
            token_secret: "s".repeat(32),
            object_prefix: String::new(),
            table_fields: Vec::new(),
            legacy_modules: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: &str) -> RemoteAppConfig {
        RemoteAppConfig::example(id)
    }

    fn legacy(id: &str, modules: &[&str]) -> RemoteAppConfig {
        RemoteAppConfig {
            legacy_modules: modules.iter().map(|m| (*m).to_owned()).collect(),
            ..app(id)
        }
    }

    #[test]
    fn declared_apps_are_checked() {
        assert!(validate_apps(&[app("cahier"), app("blog")]).is_ok());
        let declared = [legacy("cahier", &["org.entcore.homeworks", "fr.openent.diary"])];
        assert!(validate_apps(&declared).is_ok());
        assert_eq!(declared[0].descriptor().legacy_modules.len(), 2);
        let cases: Vec<(Vec<RemoteAppConfig>, &str)> = vec![
            (vec![app("Cahier")], "not an app id"),
            (vec![app("workspace")], "taken"),
            (vec![app("a"), app("a")], "taken"),
            (
                vec![RemoteAppConfig { display_name: "Documents".into(), ..app("a") }],
                "display_name",
            ),
            (vec![RemoteAppConfig { base_url: "ftp://x".into(), ..app("a") }], "base_url"),
            (vec![RemoteAppConfig { token_secret: "short".into(), ..app("a") }], "token_secret"),
            (vec![RemoteAppConfig { object_prefix: "../x/".into(), ..app("a") }], "object_prefix"),
            (vec![RemoteAppConfig { object_prefix: "cahier".into(), ..app("a") }], "object_prefix"),
            (
                vec![RemoteAppConfig { object_prefix: "documents/".into(), ..app("a") }],
                "object_prefix",
            ),
            (vec![app("exports")], "object_prefix"),
            (vec![legacy("a", &["org.entcore.workspace"])], "legacy_modules"),
            (vec![legacy("a", &["not a module"])], "legacy_modules"),
            (vec![legacy("a", &["org..x"])], "legacy_modules"),
            (vec![legacy("a", &["org.entcore.blog", "org.entcore.blog"])], "legacy_modules"),
            (
                vec![legacy("a", &["org.entcore.blog"]), legacy("b", &["org.entcore.blog"])],
                "legacy_modules",
            ),
        ];
        for (apps, expected) in cases {
            let err = validate_apps(&apps).unwrap_err().to_string();
            assert!(err.contains(expected), "{err} should mention {expected}");
        }
    }

    #[test]
    fn the_object_prefix_defaults_to_the_id() {
        assert_eq!(app("cahier").object_prefix(), "cahier/");
        let custom = RemoteAppConfig { object_prefix: "ent/cahier/".into(), ..app("cahier") };
        assert_eq!(custom.object_prefix(), "ent/cahier/");
    }
}
