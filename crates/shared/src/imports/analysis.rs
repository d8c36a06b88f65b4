//! The analysis of an uploaded archive, as stored in the import row and shown to the user.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AppAnalysis, SignatureCheck, Verdict, Warning};
use crate::archive::Manifest;

/// `format` of an analysis of a v1 archive.
pub const FORMAT_MESDONNEES: &str = crate::archive::FORMAT;
/// `format` of an analysis of an archive made by an entcore ENT.
pub const FORMAT_ENTCORE: &str = crate::entcore::FORMAT;

/// What the analysis found in an uploaded archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Analysis {
    /// The kind of archive: `mesdonnees-archive` for this service's format, `entcore` for an
    /// archive of an entcore ENT (ONE, NEO, Edifice).
    pub format: String,
    /// 1 for `mesdonnees-archive`; 0 for `entcore`, whose archives carry no format version
    /// (each module has its own, in `apps[].module`).
    pub format_version: u32,
    /// The manifest's archive id; for `entcore`, the archive's top folder
    /// (`<epoch-millis>_<userId>`).
    pub archive_id: String,
    /// When the archive was made, as its manifest says.
    pub created_at: DateTime<Utc>,
    pub source: ArchiveSource,
    pub owner: ArchiveOwner,
    pub signature: SignatureCheck,
    /// Points the user should know before launching, e.g. an archive whose origin is unproven.
    pub warnings: Vec<Warning>,
    /// One per app of the archive, in app id order.
    pub apps: Vec<AppAnalysis>,
    /// Files the archive lists, all apps together.
    pub entries: u64,
    /// Their total size, uncompressed.
    pub bytes: u64,
}

/// The instance an archive says it comes from. Proven only when the signature is `valid`; for
/// an entcore archive, `instance` is `entcore` and the other two are empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ArchiveSource {
    pub instance: String,
    pub service_version: String,
    pub key_id: String,
}

/// Whose data the archive holds, on the instance that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ArchiveOwner {
    pub id: String,
    pub name: Option<String>,
}

impl Analysis {
    /// The analysis of a v1 archive from its manifest, its signature check and its apps'
    /// verdicts; the caller adds the warnings.
    pub fn of_manifest(
        manifest: &Manifest,
        signature: SignatureCheck,
        apps: Vec<AppAnalysis>,
    ) -> Self {
        Self {
            format: manifest.format.clone(),
            format_version: manifest.format_version,
            archive_id: manifest.archive_id.clone(),
            created_at: manifest.created_at,
            source: ArchiveSource {
                instance: manifest.source.instance.clone(),
                service_version: manifest.source.service_version.clone(),
                key_id: manifest.source.key_id.clone(),
            },
            owner: ArchiveOwner {
                id: manifest.owner.id.clone(),
                name: manifest.owner.name.clone(),
            },
            signature,
            warnings: Vec::new(),
            apps,
            entries: manifest.files.len() as u64,
            bytes: manifest.files.iter().map(|f| f.size).fold(0, u64::saturating_add),
        }
    }

    /// The analysis of an entcore archive, from its top folder (made at `created_at`, by user
    /// `owner`), the modules found and their verdicts; never signed by a key of ours, so its
    /// signature is `unverified` whatever it holds. The caller adds the warnings.
    pub fn of_entcore(
        top_folder: &str,
        created_at: DateTime<Utc>,
        owner: &str,
        modules: &[super::FoundModule],
        apps: Vec<AppAnalysis>,
    ) -> Self {
        Self {
            format: FORMAT_ENTCORE.to_owned(),
            format_version: 0,
            archive_id: top_folder.to_owned(),
            created_at,
            source: ArchiveSource {
                instance: FORMAT_ENTCORE.to_owned(),
                service_version: String::new(),
                key_id: String::new(),
            },
            owner: ArchiveOwner { id: owner.to_owned(), name: None },
            signature: SignatureCheck::unverified(),
            warnings: Vec::new(),
            apps,
            entries: modules.iter().map(|m| m.entries).sum(),
            bytes: modules.iter().map(|m| m.bytes).fold(0, u64::saturating_add),
        }
    }

    /// The apps the user may choose at launch.
    pub fn importable_apps(&self) -> impl Iterator<Item = &AppAnalysis> {
        self.apps.iter().filter(|a| a.verdict == Verdict::Importable)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::manifest;
    use super::super::judge_apps;
    use super::*;
    use crate::apps::AppDescriptor;

    #[test]
    fn totals_and_importable_apps_come_from_the_manifest() {
        let archive = manifest(&[("workspace", "1.0", 301, None), ("wiki", "1.0", 9, None)]);
        let apps = judge_apps(
            &archive,
            &[AppDescriptor::workspace()],
            &["workspace.create".to_owned()],
            None,
        );
        let analysis = Analysis::of_manifest(&archive, SignatureCheck::unsigned(), apps);
        assert_eq!(analysis.format, FORMAT_MESDONNEES);
        assert_eq!(analysis.archive_id, archive.archive_id);
        assert_eq!(analysis.source.key_id, "56475aa75463474c");
        assert_eq!(analysis.owner.name.as_deref(), Some("Alice Martin"));
        assert_eq!((analysis.entries, analysis.bytes), (4, 310));
        let importable: Vec<&str> = analysis.importable_apps().map(|a| a.id.as_str()).collect();
        assert_eq!(importable, ["workspace"]);

        let json = serde_json::to_string(&analysis).expect("serialisable");
        let back: Analysis = serde_json::from_str(&json).expect("parsable");
        assert_eq!(back, analysis);
    }
}
