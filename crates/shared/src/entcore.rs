//! Archives made by entcore ENTs (ONE, NEO, Edifice): what their "Archive" app writes, read so
//! that a user who leaves such an ENT brings their data here. The format is entcore's, not
//! ours; this module knows its manifest, its version strings, its name rules and which of its
//! modules this service or a declared app reads. Described in docs/ARCHIVE_FORMAT.md, "Reading
//! entcore archives".

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;

use crate::apps::{AppDescriptor, FormatVersion, WORKSPACE_APP};

/// `format` of the analysis of an entcore archive.
pub const FORMAT: &str = "entcore";
/// The manifest, in the archive's one top-level folder.
pub const MANIFEST_FILE: &str = "Manifest.json";
/// The exporting ENT's own signature, which this service cannot verify.
pub const SIGNATURE_FILE: &str = "archive.signature";
/// Where an app's folder keeps the documents its resources attach.
pub const DOCUMENTS_FOLDER: &str = "Documents";
/// Largest Manifest.json read: it names a few dozen modules.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;
/// Most modules a manifest may name; an ENT has a few dozen apps.
pub const MAX_MODULES: usize = 256;
/// Longest module name accepted (`org.entcore.workspace`, `fr.openent.diary`…).
pub const MAX_MODULE_NAME: usize = 128;
/// Longest version string kept from a manifest.
const MAX_VERSION_CHARS: usize = 64;

/// An entcore module's version, `MAJOR.MINOR[-SNAPSHOT]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleVersion {
    pub major: u32,
    pub minor: u32,
    pub snapshot: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("an entcore module version is MAJOR.MINOR, optionally followed by -SNAPSHOT")]
pub struct ModuleVersionError;

impl FromStr for ModuleVersion {
    type Err = ModuleVersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (number, snapshot) =
            s.strip_suffix("-SNAPSHOT").map_or((s, false), |number| (number, true));
        // Digits and one dot only: no sign, no patch number, no other qualifier.
        if !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(ModuleVersionError);
        }
        let FormatVersion { major, minor } = number.parse().map_err(|_| ModuleVersionError)?;
        Ok(Self { major, minor, snapshot })
    }
}

impl fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if self.snapshot {
            f.write_str("-SNAPSHOT")?;
        }
        Ok(())
    }
}

/// One module of a Manifest.json, as written: its version as a string (judged later, so that
/// an unreadable one refuses that module only), and its folder when the manifest names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestModule {
    pub name: String,
    pub version: String,
    /// `None` in the older form, where the folder is the app's translated name.
    pub folder: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    #[error("Manifest.json is not a JSON object of modules: {0}")]
    Unreadable(String),
    #[error("Manifest.json names more than {MAX_MODULES} modules")]
    TooManyModules,
    #[error("Manifest.json names a module {0:?} that is not a module name")]
    BadModule(String),
    #[error("the folder of {0} in Manifest.json is not one safe folder name")]
    BadFolder(String),
    #[error("two modules of Manifest.json share the folder {0:?}")]
    SharedFolder(String),
}

/// What a module maps to: `{"version": …, "folder": …}`, or a bare version (older archives).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawModule {
    Bare(String),
    Full { version: String, folder: Option<String> },
}

/// Reads Manifest.json, in either form; modules come out sorted by name.
pub fn parse_manifest(bytes: &[u8]) -> Result<Vec<ManifestModule>, ManifestError> {
    let raw: BTreeMap<String, RawModule> =
        serde_json::from_slice(bytes).map_err(|e| ManifestError::Unreadable(e.to_string()))?;
    if raw.len() > MAX_MODULES {
        return Err(ManifestError::TooManyModules);
    }
    let mut folders = std::collections::HashSet::new();
    raw.into_iter()
        .map(|(name, module)| {
            if !is_module_name(&name) {
                return Err(ManifestError::BadModule(name.chars().take(MAX_MODULE_NAME).collect()));
            }
            let (version, folder) = match module {
                RawModule::Bare(version) => (version, None),
                RawModule::Full { version, folder } => (version, folder),
            };
            if let Some(folder) = &folder {
                if !is_folder_name(folder) {
                    return Err(ManifestError::BadFolder(name));
                }
                if !folders.insert(fold(folder)) {
                    return Err(ManifestError::SharedFolder(folder.clone()));
                }
            }
            let version = version.chars().take(MAX_VERSION_CHARS).collect();
            Ok(ManifestModule { name, version, folder })
        })
        .collect()
}

/// A module name as entcore writes them: dotted ASCII words (`org.entcore.workspace`).
pub fn is_module_name(name: &str) -> bool {
    (1..=MAX_MODULE_NAME).contains(&name.len())
        && name.split('.').all(|word| {
            !word.is_empty()
                && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// One path segment: what an app's folder must be, since every file of the app lies below it.
fn is_folder_name(folder: &str) -> bool {
    !folder.is_empty()
        && folder.len() <= 255
        && folder != "."
        && folder != ".."
        && !folder.contains(['/', '\\'])
        && !folder.chars().any(char::is_control)
}

/// Modules this service knows by name: the app that reads each (when it is built in), and the
/// names of its folder in the older manifests, which do not name it (entcore's translations;
/// compared by [`fold`]).
pub struct KnownModule {
    pub module: &'static str,
    pub app: Option<&'static str>,
    pub folders: &'static [&'static str],
}

/// The table of entcore modules. Only `workspace` is read by this service itself; the others
/// go to a declared app that lists them in its `legacy_modules`, and are named here so that an
/// older archive's folder is found.
pub const MODULES: &[KnownModule] = &[
    KnownModule {
        module: "org.entcore.workspace",
        app: Some(WORKSPACE_APP),
        folders: &["Espace documentaire", "Workspace"],
    },
    KnownModule { module: "org.entcore.blog", app: None, folders: &["Blog"] },
    KnownModule {
        module: "org.entcore.homeworks",
        app: None,
        folders: &["Cahier de textes", "Homeworks"],
    },
    KnownModule { module: "fr.openent.diary", app: None, folders: &["Cahier de textes", "Diary"] },
    KnownModule { module: "org.entcore.wiki", app: None, folders: &["Wiki"] },
    KnownModule { module: "net.atos.entng.forum", app: None, folders: &["Forum"] },
    KnownModule {
        module: "net.atos.entng.actualites",
        app: None,
        folders: &["Actualités", "News"],
    },
    KnownModule {
        module: "org.entcore.conversation",
        app: None,
        folders: &["Messagerie", "Conversation"],
    },
    KnownModule { module: "fr.wseduc.rack", app: None, folders: &["Casier", "Rack"] },
    KnownModule { module: "net.atos.entng.calendar", app: None, folders: &["Agenda", "Calendar"] },
    KnownModule {
        module: "net.atos.entng.collaborativewall",
        app: None,
        folders: &["Mur collaboratif", "Collaborative wall"],
    },
    KnownModule { module: "net.atos.entng.mindmap", app: None, folders: &["Carte mentale"] },
    KnownModule { module: "fr.wseduc.pages", app: None, folders: &["Pages"] },
    KnownModule { module: "net.atos.entng.poll", app: None, folders: &["Sondage", "Poll"] },
    KnownModule {
        module: "fr.wseduc.scrapbook",
        app: None,
        folders: &["Cahier multimédia", "Scrapbook"],
    },
];

/// The built-in reading of a module, when this service has one.
pub fn builtin_app(module: &str) -> Option<&'static str> {
    MODULES.iter().find(|m| m.module == module).and_then(|m| m.app)
}

/// The app of `catalogue` that reads `module`: the table's, else a declared app listing it in
/// its legacy modules.
pub fn app_for_module<'a>(
    module: &str,
    catalogue: &'a [AppDescriptor],
) -> Option<&'a AppDescriptor> {
    match builtin_app(module) {
        Some(app) => catalogue.iter().find(|d| d.id == app),
        None => catalogue.iter().find(|d| d.legacy_modules.iter().any(|m| m == module)),
    }
}

/// The module of an archive that goes to `app`: the first, in name order, that maps to it (the
/// analysis finds the others `duplicate_app`).
pub fn module_for_app<'m>(
    modules: &'m [ManifestModule],
    app: &str,
    catalogue: &[AppDescriptor],
) -> Option<&'m ManifestModule> {
    modules.iter().find(|m| app_for_module(&m.name, catalogue).is_some_and(|d| d.id == app))
}

/// Names a module's folder may have in an older manifest, which does not say: the table's
/// translations, the names of the app that reads it here, and the module's last word.
pub fn folder_candidates(module: &str, app: Option<&AppDescriptor>) -> Vec<String> {
    let known = MODULES.iter().filter(|m| m.module == module).flat_map(|m| m.folders.iter());
    let mut names: Vec<String> = known.map(|&name| name.to_owned()).collect();
    if let Some(app) = app {
        names.push(app.display_name.clone());
        names.extend(app.display_names.values().cloned());
    }
    names.extend(module.rsplit('.').next().map(str::to_owned));
    names
}

/// A name compared as entcore writes folder names: lower case, accents stripped.
pub fn fold(name: &str) -> String {
    name.chars().flat_map(char::to_lowercase).map(unaccent).collect()
}

/// The letter without its accent, for the letters of the languages entcore is translated into.
fn unaccent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// The workspace's trash, by its translated names: its documents are not imported.
pub const TRASH_FOLDERS: &[&str] =
    &["Corbeille", "Trash", "Papelera", "Lixeira", "Cestino", "Papierkorb"];

/// Whether a sub-folder of the workspace folder is its trash.
pub fn is_trash(segment: &str) -> bool {
    let folded = fold(segment);
    TRASH_FOLDERS.iter().any(|t| fold(t) == folded)
}

/// The workspace folder's index, a JSON file named like the folder, without extension.
pub fn index_file(folder: &str) -> String {
    format!("{folder}/{folder}")
}

/// One document of the workspace index (unknown members are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IndexDocument {
    #[serde(rename = "_id", default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// `file` or `folder`.
    #[serde(rename = "eType", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: Option<IndexMetadata>,
    #[serde(default)]
    pub modified: Option<String>,
    /// The document's path inside the workspace folder.
    #[serde(rename = "localArchivePath", default)]
    pub local_archive_path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IndexMetadata {
    #[serde(rename = "content-type", default)]
    pub content_type: Option<String>,
}

/// `localArchivePath` as a path relative to the workspace folder: entcore wrote it relative,
/// or from the export's own folder, which is cut up to the workspace folder's name.
pub fn relative_archive_path(local: &str, folder: &str) -> String {
    let local = local.replace('\\', "/");
    let trimmed = local.trim_start_matches("./").trim_matches('/');
    let marker = format!("{folder}/");
    let after = match trimmed.strip_prefix(&marker) {
        Some(rest) => rest,
        None => trimmed
            .rfind(&format!("/{marker}"))
            .map_or(trimmed, |at| &trimmed[at + marker.len() + 1..]),
    };
    after.to_owned()
}

/// A date of the index: entcore writes `yyyy-MM-dd HH:mm.ss.SSS` (UTC), or ISO 8601.
pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M.%S%.3f", "%Y-%m-%d %H:%M.%S", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
        .map(|at| Utc.from_utc_datetime(&at))
}

/// The top-level folder `<epoch-millis>_<userId>`: when the archive was made, and whose it is.
/// A folder of another shape is kept whole as the owner, with no date.
pub fn top_folder(name: &str) -> (Option<DateTime<Utc>>, &str) {
    match name.split_once('_') {
        Some((millis, user)) if !user.is_empty() && millis.bytes().all(|b| b.is_ascii_digit()) => {
            let at = millis.parse::<i64>().ok().and_then(|m| Utc.timestamp_millis_opt(m).single());
            (at, user)
        }
        _ => (None, name),
    }
}

/// The original name of a file the archive wrote as `segment`: without the `_<uuid>` entcore
/// appends to a document's name (before its extension), and without the `_1`, `_2`… it puts
/// before the first dot of a duplicate — the latter only when a file of the plain name stands
/// beside it (`sibling_exists`), since `notes_2024.pdf` may well be a name of its own.
pub fn original_name(segment: &str, sibling_exists: impl Fn(&str) -> bool) -> String {
    let name = without_uuid_suffix(segment);
    match without_duplicate_marker(&name) {
        Some(plain) if sibling_exists(&plain) => plain,
        _ => name,
    }
}

/// `rapport_1.tar.gz` → `rapport.tar.gz`: the `_<digits>` just before the first dot (or at the
/// end of a name without one).
pub fn without_duplicate_marker(name: &str) -> Option<String> {
    let dot = name.find('.').filter(|&at| at > 0).unwrap_or(name.len());
    let (stem, rest) = name.split_at(dot);
    let (base, digits) = stem.rsplit_once('_')?;
    let marker =
        !base.is_empty() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    marker.then(|| format!("{base}{rest}"))
}

/// `photo_0f8fad5b-d9cb-469f-a165-70867728950e.jpg` → `photo.jpg`: a `_` and a hyphenated UUID
/// ending the stem, before the first dot after them.
pub fn without_uuid_suffix(name: &str) -> String {
    const UUID_LEN: usize = 36;
    let mut from = 0;
    while let Some(found) = name[from..].find('_') {
        let at = from + found;
        let candidate = name.get(at + 1..at + 1 + UUID_LEN);
        let end = at + 1 + UUID_LEN;
        let ends_stem =
            name.get(end..).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '_']));
        if at > 0 && candidate.is_some_and(|c| uuid::Uuid::try_parse(c).is_ok()) && ends_stem {
            return format!("{}{}", &name[..at], &name[end..]);
        }
        from = at + 1;
    }
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_major_minor_and_maybe_a_snapshot() {
        let parsed: ModuleVersion = "6.14-SNAPSHOT".parse().unwrap();
        assert_eq!(parsed, ModuleVersion { major: 6, minor: 14, snapshot: true });
        assert_eq!(parsed.to_string(), "6.14-SNAPSHOT");
        assert_eq!("5.4".parse(), Ok(ModuleVersion { major: 5, minor: 4, snapshot: false }));
        for bad in
            ["", "6", "6.", ".4", "6.x", "6.14-RC1", "6.14.2", "+6.1", "v6.1", "6.14-snapshot"]
        {
            assert_eq!(bad.parse::<ModuleVersion>(), Err(ModuleVersionError), "{bad:?}");
        }
    }

    #[test]
    fn both_forms_of_the_manifest_are_read() {
        let current = br#"{
            "org.entcore.workspace": {"version": "6.14-SNAPSHOT", "folder": "Espace documentaire"},
            "org.entcore.blog": {"version": "5.4-SNAPSHOT", "folder": "Blog", "other": 1}
        }"#;
        let modules = parse_manifest(current).unwrap();
        assert_eq!(
            modules,
            [
                ManifestModule {
                    name: "org.entcore.blog".into(),
                    version: "5.4-SNAPSHOT".into(),
                    folder: Some("Blog".into()),
                },
                ManifestModule {
                    name: "org.entcore.workspace".into(),
                    version: "6.14-SNAPSHOT".into(),
                    folder: Some("Espace documentaire".into()),
                },
            ]
        );
        let older = br#"{"org.entcore.workspace": "3.2", "org.entcore.homeworks": "1.8-SNAPSHOT"}"#;
        let modules = parse_manifest(older).unwrap();
        assert_eq!(modules[0].name, "org.entcore.homeworks");
        assert_eq!((modules[1].version.as_str(), modules[1].folder.as_deref()), ("3.2", None));
    }

    #[test]
    fn broken_manifests_are_refused() {
        let kind = |e: &ManifestError| match e {
            ManifestError::Unreadable(_) => "unreadable",
            ManifestError::TooManyModules => "too many",
            ManifestError::BadModule(_) => "module",
            ManifestError::BadFolder(_) => "folder",
            ManifestError::SharedFolder(_) => "shared",
        };
        let cases: &[(&[u8], &str)] = &[
            (b"[1, 2]", "unreadable"),
            (b"{\"a.b\": 3}", "unreadable"),
            (b"{\"a b\": \"1.0\"}", "module"),
            (b"{\"a..b\": \"1.0\"}", "module"),
            (br#"{"a.b": {"version": "1.0", "folder": "../x"}}"#, "folder"),
            (br#"{"a.b": {"version": "1.0", "folder": ".."}}"#, "folder"),
            (
                br#"{"a.b": {"version": "1", "folder": "Blog"}, "c.d": {"version": "1", "folder": "blog"}}"#,
                "shared",
            ),
        ];
        for &(bytes, expected) in cases {
            let error = parse_manifest(bytes).unwrap_err();
            assert_eq!(kind(&error), expected, "{}: {error:?}", String::from_utf8_lossy(bytes));
        }
        let many: BTreeMap<String, &str> =
            (0..=MAX_MODULES).map(|n| (format!("m.m{n}"), "1.0")).collect();
        let many = serde_json::to_vec(&many).unwrap();
        assert_eq!(parse_manifest(&many), Err(ManifestError::TooManyModules));
    }

    #[test]
    fn duplicate_markers_come_off_before_the_first_dot_when_the_plain_name_is_there() {
        assert_eq!(without_duplicate_marker("rapport_1.tar.gz").as_deref(), Some("rapport.tar.gz"));
        assert_eq!(without_duplicate_marker("rapport_12").as_deref(), Some("rapport"));
        assert_eq!(without_duplicate_marker("rapport.v_1.pdf"), None, "before the first dot only");
        assert_eq!(without_duplicate_marker("rapport_a.pdf"), None);
        assert_eq!(without_duplicate_marker("_1.pdf"), None);
        assert_eq!(without_duplicate_marker(".profile_1").as_deref(), Some(".profile"));
        let beside = |name: &str| name == "rapport.tar.gz";
        assert_eq!(original_name("rapport_1.tar.gz", beside), "rapport.tar.gz");
        assert_eq!(original_name("notes_2024.pdf", beside), "notes_2024.pdf", "a name of its own");
    }

    #[test]
    fn uuid_suffixes_come_off() {
        let uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(without_uuid_suffix(&format!("photo_{uuid}.jpg")), "photo.jpg");
        assert_eq!(without_uuid_suffix(&format!("été 2024_{uuid}")), "été 2024");
        assert_eq!(without_uuid_suffix(&format!("a_b_{uuid}.tar.gz")), "a_b.tar.gz");
        assert_eq!(without_uuid_suffix(&format!("photo_{uuid}_1.jpg")), "photo_1.jpg");
        assert_eq!(without_uuid_suffix(&format!("_{uuid}.jpg")), format!("_{uuid}.jpg"));
        assert_eq!(without_uuid_suffix("photo_0f8fad5b.jpg"), "photo_0f8fad5b.jpg");
        assert_eq!(
            without_uuid_suffix(&format!("photo_{uuid}x.jpg")),
            format!("photo_{uuid}x.jpg")
        );
        let beside = |name: &str| name == "photo.jpg";
        assert_eq!(original_name(&format!("photo_{uuid}_1.jpg"), beside), "photo.jpg");
    }

    fn app(id: &str, legacy: &[&str]) -> AppDescriptor {
        AppDescriptor {
            id: id.to_owned(),
            display_name: "Cahier de textes".to_owned(),
            legacy_modules: legacy.iter().map(|m| (*m).to_owned()).collect(),
            ..AppDescriptor::workspace()
        }
    }

    #[test]
    fn modules_map_to_the_workspace_or_to_the_app_that_declares_them() {
        let catalogue = [AppDescriptor::workspace(), app("cahier", &["org.entcore.homeworks"])];
        let id = |module: &str| app_for_module(module, &catalogue).map(|d| d.id.as_str());
        assert_eq!(id("org.entcore.workspace"), Some("workspace"));
        assert_eq!(id("org.entcore.homeworks"), Some("cahier"));
        assert_eq!(id("org.entcore.blog"), None, "known, but read by no app here");
        assert_eq!(id("com.example.unknown"), None);
        // The table's own mapping cannot be taken over by a declaration.
        let greedy = [AppDescriptor::workspace(), app("x", &["org.entcore.workspace"])];
        assert_eq!(
            app_for_module("org.entcore.workspace", &greedy).map(|d| d.id.as_str()),
            Some("workspace")
        );
        assert!(MODULES.iter().all(|m| is_module_name(m.module)));
        let modules = parse_manifest(
            br#"{"org.entcore.workspace": "3.2", "org.entcore.homeworks": "1.0", "z.z": "1.0"}"#,
        )
        .unwrap();
        let name = |app: &str| module_for_app(&modules, app, &catalogue).map(|m| m.name.as_str());
        assert_eq!(name("workspace"), Some("org.entcore.workspace"));
        assert_eq!(name("cahier"), Some("org.entcore.homeworks"));
        assert_eq!(name("blog"), None);
    }

    #[test]
    fn older_folders_are_found_by_their_translated_names() {
        let candidates = folder_candidates("org.entcore.workspace", None);
        assert!(candidates.iter().any(|c| fold(c) == fold("Espace documentaire")));
        let homework = folder_candidates("fr.example.devoirs", Some(&app("cahier", &[])));
        assert_eq!(homework, ["Cahier de textes", "Documents", "devoirs"]);
        assert_eq!(fold("Actualités À LA UNE"), "actualites a la une");
        assert!(is_trash("Corbeille") && is_trash("corbeille") && is_trash("Trash"));
        assert!(!is_trash("Documents personnels"));
    }

    #[test]
    fn index_paths_dates_and_top_folders() {
        let folder = "Espace documentaire";
        assert_eq!(index_file(folder), "Espace documentaire/Espace documentaire");
        assert_eq!(
            relative_archive_path("Documents personnels/a.pdf", folder),
            "Documents personnels/a.pdf"
        );
        assert_eq!(
            relative_archive_path(
                "/tmp/1700_u/Espace documentaire/Documents personnels/a.pdf",
                folder
            ),
            "Documents personnels/a.pdf"
        );
        assert_eq!(relative_archive_path("Espace documentaire/Corbeille/b", folder), "Corbeille/b");
        let at = parse_date("2024-03-15 10:24.37.123").unwrap();
        assert_eq!(at.to_rfc3339(), "2024-03-15T10:24:37.123+00:00");
        assert!(parse_date("2024-03-15T10:24:37Z").is_some());
        assert!(parse_date("hier").is_none());
        let (at, user) = top_folder("1700000000000_8f2c-ab");
        assert_eq!((at.map(|a| a.timestamp()), user), (Some(1_700_000_000), "8f2c-ab"));
        assert_eq!(top_folder("archive"), (None, "archive"));
    }
}
