//! Archive format v1: the manifest every archive carries at its root. Documented for other ENTs
//! in docs/ARCHIVE_FORMAT.md.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::apps::FormatVersion;

/// `format` of a v1 archive.
pub const FORMAT: &str = "mesdonnees-archive";
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST_PATH: &str = "manifest.json";
pub const SIGNATURE_PATH: &str = "manifest.sig";
pub const README_PATH: &str = "LISEZMOI.txt";
/// The viewer's home page at the root, and the folder of its other pages.
pub const VIEWER_INDEX: &str = "index.html";
pub const VIEWER_FOLDER: &str = "visionneuse";
/// Every file written before it with its SHA-256, in the format `sha256sum -c` reads.
pub const CHECKSUMS_PATH: &str = "SHA256SUMS";
/// Folder of the workspace app and its three parts.
pub const DOCUMENTS_FOLDER: &str = "Documents";
pub const OWN_DOCUMENTS: &str = "Mes documents";
pub const SHARED_DOCUMENTS: &str = "Partagés avec moi";
pub const APP_DOCUMENTS: &str = "Ajoutés dans les applis";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub archive_id: String,
    pub created_at: DateTime<Utc>,
    pub source: Source,
    pub owner: Owner,
    /// Present when the export was written in parts: which part this archive is. Every part
    /// lists the files of every part (`part` on each file), so that one part says which
    /// others make the export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<PartsOf>,
    /// Every entry except the manifest, its signature and the read-me. Before `apps` in the
    /// written file, which is produced as the archive is: the outcomes are known last.
    pub files: Vec<ManifestFile>,
    /// Per app id: what the archive holds of it.
    pub apps: BTreeMap<String, ManifestApp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The exporting instance (its configured name).
    pub instance: String,
    pub service_version: String,
    /// Id of the key that signed manifest.sig.
    pub key_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestApp {
    pub version: FormatVersion,
    pub folder: String,
    pub entries: u64,
    pub bytes: u64,
    /// `ok`, or `failed` with a reason: a failed app is listed with what it managed to write.
    pub outcome: AppOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AppOutcome {
    Ok,
    Failed { code: String, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub app: String,
    pub size: u64,
    pub sha256: String,
    /// `json` for a JSON document an app sent as data (handed back to it as data on import),
    /// `checksums` for SHA256SUMS (ignored by an import); absent for a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FileKind>,
    /// In an archive written in parts, the part that holds the file (from 1). A file of
    /// another part has its size but an empty `sha256`: that part's manifest gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<u32>,
    /// A piece of a file larger than a part, cut into consecutive pieces named
    /// `<path>.partie-<n>` and put back together on import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub piece: Option<Piece>,
}

/// Which part of an export written in parts an archive is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartsOf {
    /// This part's number, from 1.
    pub part: u32,
    /// How many parts make the export.
    pub count: u32,
    /// Id of the writing that made the parts: parts of one export written twice (a rerun)
    /// never mix.
    pub set: String,
}

/// One piece of a file cut across parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    /// The path of the whole file, which the pieces make in order.
    pub of: String,
    /// This piece's number, from 1.
    pub index: u32,
    pub count: u32,
}

/// The path of piece `index` of the file `path`.
pub fn piece_path(path: &str, index: u32) -> String {
    format!("{path}.partie-{index}")
}

/// What a listed file is to its app, when it is not a plain file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Json,
    /// A page or the stylesheet of the archive's viewer: for people, ignored by an import.
    Viewer,
    /// Every file written before it with its SHA-256 (`SHA256SUMS`).
    Checksums,
}

/// What manifest.sig signs: a compact JWS (EdDSA) whose payload carries these claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureClaims {
    /// The exporting instance.
    pub iss: String,
    pub archive_id: String,
    /// Hex SHA-256 of manifest.json's bytes.
    pub manifest_sha256: String,
    pub iat: i64,
}

/// Names the layout reserves at the root: the manifest, its signature, the read-me, the
/// checksums, the index in its three formats and the viewer.
const ROOT_NAMES: [&str; 9] = [
    MANIFEST_PATH,
    SIGNATURE_PATH,
    README_PATH,
    CHECKSUMS_PATH,
    "index.csv",
    "index.xlsx",
    "index.ods",
    VIEWER_INDEX,
    VIEWER_FOLDER,
];

/// How a manifest breaks the layout of the format (docs/ARCHIVE_FORMAT.md §2), naming the
/// offending item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("apps.{app}.folder {folder:?} is not a folder name of the archive's root")]
    BadFolder { app: String, folder: String },
    #[error("apps.{app}.folder {folder:?} is already the folder of apps.{other}")]
    SharedFolder { app: String, other: String, folder: String },
    #[error("files: {path} names the app {app:?}, which is not in apps")]
    UnknownApp { path: String, app: String },
    #[error("files: {path} is listed twice")]
    Duplicate { path: String },
    #[error("files: {path} is not in the folder of its app {app:?}")]
    OutsideFolder { path: String, app: String },
}

impl Manifest {
    /// Whether the manifest describes the layout of the format: one folder per app, at the
    /// root, shared with no other app; each file listed once, below its app's folder (or, with
    /// no app, the index at the root). Checked before anything is analysed, so that what the
    /// analysis counts is what the import will find.
    pub fn check_layout(&self) -> Result<(), LayoutError> {
        let mut folders = std::collections::HashMap::new();
        for (app, manifest_app) in &self.apps {
            let folder = manifest_app.folder.as_str();
            let bad = folder.is_empty()
                || matches!(folder, "." | "..")
                || folder.contains(['/', '\\'])
                || folder.chars().any(char::is_control)
                || ROOT_NAMES.contains(&folder);
            if bad {
                return Err(LayoutError::BadFolder { app: app.clone(), folder: folder.to_owned() });
            }
            if let Some(other) = folders.insert(crate::entry_name::same_name_key(folder), app) {
                return Err(LayoutError::SharedFolder {
                    app: app.clone(),
                    other: other.to_owned(),
                    folder: folder.to_owned(),
                });
            }
        }
        let mut listed = std::collections::HashSet::with_capacity(self.files.len());
        for file in &self.files {
            if !listed.insert(file.path.as_str()) {
                return Err(LayoutError::Duplicate { path: file.path.clone() });
            }
            let inside = if file.app.is_empty() {
                !file.path.contains('/')
                    || (file.kind == Some(FileKind::Viewer)
                        && file
                            .path
                            .strip_prefix(VIEWER_FOLDER)
                            .is_some_and(|rest| rest.starts_with('/') && rest.len() > 1))
            } else {
                let Some(app) = self.apps.get(&file.app) else {
                    return Err(LayoutError::UnknownApp {
                        path: file.path.clone(),
                        app: file.app.clone(),
                    });
                };
                file.path
                    .strip_prefix(app.folder.as_str())
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|rest| !rest.is_empty())
            };
            if !inside {
                return Err(LayoutError::OutsideFolder {
                    path: file.path.clone(),
                    app: file.app.clone(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(folder: &str) -> ManifestApp {
        ManifestApp {
            version: FormatVersion::new(1, 0),
            folder: folder.to_owned(),
            entries: 1,
            bytes: 1,
            outcome: AppOutcome::Ok,
        }
    }

    fn file(path: &str, app: &str) -> ManifestFile {
        ManifestFile {
            path: path.to_owned(),
            app: app.to_owned(),
            size: 1,
            sha256: String::new(),
            kind: None,
            part: None,
            piece: None,
        }
    }

    fn manifest(apps: &[(&str, &str)], files: &[(&str, &str)]) -> Manifest {
        Manifest {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            archive_id: "a".to_owned(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            source: Source {
                instance: "i".to_owned(),
                service_version: "0".to_owned(),
                key_id: "k".to_owned(),
            },
            parts: None,
            owner: Owner { id: "o".to_owned(), name: None },
            files: files.iter().map(|(path, app)| file(path, app)).collect(),
            apps: apps.iter().map(|(id, folder)| ((*id).to_owned(), app(folder))).collect(),
        }
    }

    #[test]
    fn the_layout_of_an_export_is_accepted() {
        let ours = manifest(
            &[("workspace", "Documents"), ("blog", "Blog")],
            &[
                ("Documents/Mes documents/a.txt", "workspace"),
                ("Documents/workspace.json", "workspace"),
                ("Blog/billets.json", "blog"),
                ("index.csv", ""),
                ("SHA256SUMS", ""),
            ],
        );
        assert_eq!(ours.check_layout(), Ok(()));
    }

    #[test]
    fn only_the_viewer_has_a_folder_of_its_own_outside_the_apps() {
        let viewer = |path: &str| ManifestFile { kind: Some(FileKind::Viewer), ..file(path, "") };
        let mut ours = manifest(&[("workspace", "Documents")], &[]);
        ours.files = vec![viewer("index.html"), viewer("visionneuse/dossiers/1.html")];
        assert_eq!(ours.check_layout(), Ok(()));
        for outside in ["visionneuse/", "visionneuseX/a.html", "Documents/a.html"] {
            ours.files = vec![viewer(outside)];
            assert!(ours.check_layout().is_err(), "{outside}");
        }
        ours.files = vec![file("visionneuse/a.html", "")];
        assert!(ours.check_layout().is_err(), "a file not marked as the viewer's");
        let taken = manifest(&[("workspace", "visionneuse")], &[]);
        assert!(taken.check_layout().is_err(), "an app in the viewer's folder");
    }

    #[test]
    fn a_manifest_that_lies_about_folders_is_refused_naming_the_item() {
        let ws = |folder| vec![("workspace", folder)];
        let cases: Vec<(Manifest, &str)> = vec![
            (manifest(&ws(".."), &[]), "apps.workspace.folder \"..\""),
            (manifest(&ws("."), &[]), "apps.workspace.folder \".\""),
            (manifest(&ws(""), &[]), "apps.workspace.folder \"\""),
            (manifest(&ws("a/b"), &[]), "apps.workspace.folder \"a/b\""),
            (manifest(&ws("manifest.json"), &[]), "apps.workspace.folder"),
            (
                manifest(&[("workspace", "Blog"), ("blog", "blog")], &[]),
                "already the folder of apps.blog",
            ),
            (
                manifest(&ws("Documents"), &[("Blog/a.json", "blog")]),
                "Blog/a.json names the app \"blog\"",
            ),
            (
                manifest(
                    &ws("Documents"),
                    &[("Documents/a.txt", "workspace"), ("Documents/a.txt", "workspace")],
                ),
                "Documents/a.txt is listed twice",
            ),
            (
                manifest(&ws("Documents"), &[("a.txt", "workspace")]),
                "a.txt is not in the folder of its app",
            ),
            (
                manifest(&ws("Documents"), &[("Documentsx/a.txt", "workspace")]),
                "Documentsx/a.txt is not in the folder",
            ),
            (
                manifest(&ws("Documents"), &[("Documents/a.txt", "")]),
                "Documents/a.txt is not in the folder of its app \"\"",
            ),
        ];
        for (manifest, named) in cases {
            let error = manifest.check_layout().expect_err(named).to_string();
            assert!(error.contains(named), "{error:?} should name {named:?}");
        }
    }
}
