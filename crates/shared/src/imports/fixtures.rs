//! A manifest to judge and a check of names, for the tests of this module.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};

use crate::archive::{
    AppOutcome, FORMAT, FORMAT_VERSION, Manifest, ManifestApp, ManifestFile, Owner, Source,
};

/// One app of a test manifest: id, version, bytes, and the failure code if its export failed.
pub(super) type App<'a> = (&'a str, &'a str, u64, Option<&'a str>);

/// A v1 manifest holding `apps`, each with two files splitting its bytes.
pub(super) fn manifest(apps: &[App<'_>]) -> Manifest {
    let mut listed = BTreeMap::new();
    let mut files = Vec::new();
    for &(id, version, bytes, failure) in apps {
        let folder = format!("Folder of {id}");
        for (n, size) in [bytes / 2, bytes - bytes / 2].into_iter().enumerate() {
            files.push(ManifestFile {
                path: format!("{folder}/file {n}"),
                app: id.to_owned(),
                size,
                sha256: "0".repeat(64),
                kind: None,
                part: None,
                piece: None,
            });
        }
        let outcome = match failure {
            None => AppOutcome::Ok,
            Some(code) => {
                AppOutcome::Failed { code: code.to_owned(), message: format!("{code} happened") }
            }
        };
        let version = version.parse().expect("a test version");
        listed.insert(id.to_owned(), ManifestApp { version, folder, entries: 2, bytes, outcome });
    }
    Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        archive_id: "0193b4c2-9e51-7a08-b6d3-1f2e3d4c5b6a".to_owned(),
        created_at: Utc.with_ymd_and_hms(2026, 11, 24, 9, 30, 12).single().expect("a date"),
        source: Source {
            instance: "ent.lycee-exemple.fr".to_owned(),
            service_version: "0.1.0".to_owned(),
            key_id: "56475aa75463474c".to_owned(),
        },
        owner: Owner { id: "alice".to_owned(), name: Some("Alice Martin".to_owned()) },
        parts: None,
        apps: listed,
        files,
    }
}

/// Each value's name parses back to it and is its JSON form, as stored in rows and sent.
pub(super) fn names_round_trip<T>(
    all: &[T],
    parse: fn(&str) -> Option<T>,
    as_str: fn(T) -> &'static str,
) where
    T: Copy + PartialEq + std::fmt::Debug + serde::Serialize,
{
    for &value in all {
        assert_eq!(parse(as_str(value)), Some(value));
        let json = serde_json::to_value(value).expect("serialisable");
        assert_eq!(json, serde_json::Value::String(as_str(value).to_owned()), "{value:?}");
    }
}
