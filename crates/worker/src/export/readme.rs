//! LISEZMOI.txt: the archive explained to the person who opens it, in the language the export
//! was asked in. The file keeps its French name in every language: readers and the viewer's
//! home page link to it by that name.
//!
//! French typography: a non-breaking space before « : » and « ; » and inside « »; sizes, dates
//! and plurals as the page writes them, the date on the ENT's clock (the manifest keeps UTC).

use std::collections::BTreeMap;
use std::fmt::Write;

use mesdonnees_shared::apps::WORKSPACE_APP;
use mesdonnees_shared::archive::{
    AppOutcome, ManifestApp, OWN_DOCUMENTS, SHARED_DOCUMENTS, VIEWER_INDEX,
};
use mesdonnees_shared::error_code::FailureCode;
use mesdonnees_shared::{Lang, Zone};

use super::listing::Head;

/// Whom the text speaks to: their language, and the clock its date is read on.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    pub lang: Lang,
    pub zone: Zone,
}

const NBSP: char = '\u{a0}';

/// The fixed sentences, in one language; `{…}` parts are written by [`render`].
struct Text {
    title: &'static str,
    owner: &'static str,
    browse: [&'static str; 2],
    offline: &'static str,
    contents: &'static str,
    incomplete: &'static str,
    documents: [&'static str; 2],
    manifest: [&'static str; 3],
    check: [&'static str; 3],
    check_ok: &'static str,
    check_mac: &'static str,
    signature: &'static str,
    address: &'static str,
    address_is: &'static str,
    files: &'static str,
    see_manifest: &'static str,
}

const FR: Text = Text {
    title: "Mes Données",
    owner: "Propriétaire\u{a0}:",
    browse: ["Pour parcourir l'archive, décompressez-la puis ouvrez", "avec un navigateur"],
    offline: "ces pages se lisent sans connexion et n'exécutent aucun script.",
    contents: "Contenu, une application par dossier\u{a0}:",
    incomplete: "INCOMPLET\u{a0}:",
    documents: [
        "(vos documents),",
        "(documents que d'autres vous ont partagés)\u{a0}; \
                workspace.json décrit chaque document.",
    ],
    manifest: [
        "manifest.json liste chaque fichier avec sa taille et son empreinte SHA-256\u{a0};",
        "manifest.sig le signe au nom de l'instance qui a créé l'archive.",
        "Pour réimporter ces données, déposez ce fichier .zip tel quel dans «\u{a0}Mes \
         Données\u{a0}».",
    ],
    check: [
        "Vérifier que rien n'a changé\u{a0}:",
        "SHA256SUMS donne l'empreinte de chaque fichier. Après avoir décompressé l'archive,",
        "ouvrez un terminal dans le dossier obtenu et tapez\u{a0}:",
    ],
    check_ok: "Chaque fichier intact est suivi de «\u{a0}OK\u{a0}» (en anglais)\u{a0}; un \
               fichier modifié, de «\u{a0}FAILED\u{a0}».",
    check_mac: "(sha256sum est fourni avec Linux\u{a0}; sous macOS, «\u{a0}shasum -a 256 -c \
                SHA256SUMS\u{a0}».)",
    signature: "Pour vérifier aussi la signature de l'instance, sans décompresser\u{a0}:",
    address: "<adresse>",
    address_is: "est celle de l'instance suivie de /.well-known/mesdonnees/keys.",
    files: "Fichiers",
    see_manifest: "voir manifest.json",
};

const EN: Text = Text {
    title: "My Data",
    owner: "Owner:",
    browse: ["To browse the archive, unzip it, then open", "in a web browser"],
    offline: "these pages read offline and run no script.",
    contents: "Contents, one app per folder:",
    incomplete: "INCOMPLETE:",
    documents: [
        "(your documents),",
        "(documents others shared with you); workspace.json \
                describes each document.",
    ],
    manifest: [
        "manifest.json lists every file with its size and SHA-256 digest;",
        "manifest.sig signs it on behalf of the instance that made the archive.",
        "To import this data again, upload this .zip file as it is in \"Mes Données\".",
    ],
    check: [
        "Check that nothing changed:",
        "SHA256SUMS gives the digest of every file. Once the archive is unzipped,",
        "open a terminal in the folder it made and type:",
    ],
    check_ok: "Every intact file is followed by \"OK\"; a changed file, by \"FAILED\".",
    check_mac: "(sha256sum comes with Linux; on macOS, \"shasum -a 256 -c SHA256SUMS\".)",
    signature: "To check the instance's signature too, without unzipping:",
    address: "<address>",
    address_is: "is the instance's address followed by /.well-known/mesdonnees/keys.",
    files: "Files",
    see_manifest: "see manifest.json",
};

/// The text; `listed` holds the first of the archive's `files`, path and size.
pub fn render(
    words: Words,
    name: &str,
    head: &Head<'_>,
    apps: &BTreeMap<String, ManifestApp>,
    files: u64,
    listed: &[(String, u64)],
) -> String {
    let Words { lang, zone } = words;
    let (text, colon) = match lang {
        Lang::Fr => (&FR, "\u{a0}:"),
        Lang::En => (&EN, ":"),
    };
    let created = lang.date_time(zone.local(head.created_at));
    let owner = head.owner.name.as_deref().unwrap_or(&head.owner.id);
    let instance = &head.source.instance;
    let mut out = String::new();
    let _ = writeln!(out, "{} — {name}", text.title);
    let _ = match lang {
        Lang::Fr => writeln!(out, "Archive {} créée le {created} par {instance}.", head.archive_id),
        Lang::En => writeln!(out, "Archive {} made on {created} by {instance}.", head.archive_id),
    };
    let _ = writeln!(out, "{} {owner}", text.owner);
    let _ = writeln!(out);
    let [browse, with] = text.browse;
    let _ = writeln!(out, "{browse} {VIEWER_INDEX} {with}{colon}");
    let _ = writeln!(out, "{}", text.offline);
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", text.contents);
    for (id, app) in apps {
        let state = match &app.outcome {
            AppOutcome::Ok => String::new(),
            AppOutcome::Failed { code, .. } => {
                format!(" — {} {}", text.incomplete, FailureCode::parse(code).message(lang))
            }
        };
        let _ = writeln!(
            out,
            "  {}/  ({id}, version {}){colon} {}, {}{state}",
            app.folder,
            app.version,
            count(lang, app.entries),
            lang.size(app.bytes)
        );
    }
    let _ = writeln!(out);
    // Only an archive that holds the documents has their folder to explain.
    if let Some(workspace) = apps.get(WORKSPACE_APP) {
        let [mine, shared] = text.documents;
        let _ = writeln!(
            out,
            "{} {}/{colon} {} {mine} {}",
            if lang == Lang::Fr { "Dans" } else { "In" },
            workspace.folder,
            quoted(lang, OWN_DOCUMENTS),
            quoted(lang, SHARED_DOCUMENTS),
        );
        let _ = writeln!(out, "{shared}");
    }
    for line in text.manifest {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out);
    for line in text.check {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "  sha256sum -c SHA256SUMS");
    let _ = writeln!(out, "{}", text.check_ok);
    let _ = writeln!(out, "{}", text.check_mac);
    let _ = writeln!(out, "{}", text.signature);
    let _ = writeln!(out, "  mesdonnees verify archive.zip --keys-url {}", text.address);
    let where_ = if lang == Lang::Fr { "où" } else { "where" };
    let _ = writeln!(out, "{where_} {} {}", text.address, text.address_is);
    let _ = writeln!(out);
    let _ = writeln!(out, "{} ({}){colon}", text.files, count(lang, files));
    for (path, size) in listed {
        let _ = writeln!(out, "  {path}  ({})", lang.size(*size));
    }
    let unlisted = files.saturating_sub(listed.len() as u64);
    if unlisted > 0 {
        let _ = match lang {
            Lang::Fr => writeln!(out, "  … et {unlisted} autres ({})", text.see_manifest),
            Lang::En => writeln!(out, "  … and {unlisted} more ({})", text.see_manifest),
        };
    }
    out.replace('\n', "\r\n")
}

/// « 1 fichier », « 3 fichiers »; French counts 0 in the singular, English does not.
fn count(lang: Lang, n: u64) -> String {
    match lang {
        Lang::Fr if n <= 1 => format!("{n}{NBSP}fichier"),
        Lang::Fr => format!("{n}{NBSP}fichiers"),
        Lang::En if n == 1 => "1 file".to_owned(),
        Lang::En => format!("{n} files"),
    }
}

fn quoted(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Fr => format!("«{NBSP}{name}{NBSP}»"),
        Lang::En => format!("\"{name}\""),
    }
}

#[cfg(test)]
mod tests {
    use mesdonnees_shared::archive::{AppOutcome, Owner, Source};

    use super::*;

    fn app(folder: &str, entries: u64, outcome: AppOutcome) -> ManifestApp {
        ManifestApp {
            version: "1.0".parse().expect("version"),
            folder: folder.to_owned(),
            entries,
            bytes: 20_300_000,
            outcome,
        }
    }

    fn text(lang: Lang, apps: &BTreeMap<String, ManifestApp>) -> String {
        let source = Source {
            instance: "ent.test".into(),
            service_version: "0.1.0".into(),
            key_id: "k1".into(),
        };
        let owner = Owner { id: "alice".into(), name: Some("Alice Martin".into()) };
        let mut head = Head::new("a1", &source, &owner);
        // 00:06 UTC on 7 December is 01:06 in Paris.
        head.created_at =
            chrono::DateTime::parse_from_rfc3339("2026-12-07T00:06:30Z").expect("a time").to_utc();
        let listed = vec![("Cahier de textes/entrees/a.json".to_owned(), 0)];
        let words = Words { lang, zone: Zone::PARIS };
        render(words, "Mon année", &head, apps, 3, &listed)
    }

    #[test]
    fn the_documents_folder_is_explained_only_when_the_archive_has_it() {
        let cahier = ("cahier".to_owned(), app("Cahier de textes", 1, AppOutcome::Ok));
        let without = text(Lang::Fr, &[cahier.clone()].into());
        assert!(!without.contains("Mes documents"), "{without}");
        assert!(without.contains("ouvrez index.html avec un navigateur\u{a0}:"), "{without}");
        assert!(without.contains("\r\n") && !without.replace("\r\n", "").contains('\n'));

        let documents = ("workspace".to_owned(), app("Documents", 3, AppOutcome::Ok));
        let with = text(Lang::Fr, &[cahier.clone(), documents.clone()].into());
        assert!(with.contains("Dans Documents/\u{a0}: «\u{a0}Mes documents\u{a0}»"), "{with}");
        assert!(with.contains("  sha256sum -c SHA256SUMS\r\n"), "{with}");
        let english = text(Lang::En, &[cahier, documents].into());
        assert!(english.contains("In Documents/: \"Mes documents\" (your documents)"), "{english}");
    }

    #[test]
    fn french_reads_as_the_page_writes_it() {
        let apps = [
            ("cahier".to_owned(), app("Cahier de textes", 1, AppOutcome::Ok)),
            ("workspace".to_owned(), app("Documents", 3, AppOutcome::Ok)),
        ];
        let out = text(Lang::Fr, &apps.into());
        assert!(out.starts_with("Mes Données — Mon année\r\n"), "{out}");
        assert!(
            out.contains("Archive a1 créée le 7 décembre 2026 à 01 h 06 par ent.test."),
            "on the ENT's clock: {out}"
        );
        assert!(out.contains("Propriétaire\u{a0}: Alice Martin"), "{out}");
        assert!(
            out.contains(
                "Cahier de textes/  (cahier, version 1.0)\u{a0}: 1\u{a0}fichier, 20,3\u{a0}Mo"
            ),
            "{out}"
        );
        assert!(out.contains("(workspace, version 1.0)\u{a0}: 3\u{a0}fichiers,"), "{out}");
        assert!(out.contains("Fichiers (3\u{a0}fichiers)\u{a0}:"), "{out}");
        assert!(out.contains("  Cahier de textes/entrees/a.json  (0\u{a0}octet)"), "{out}");
        assert!(out.contains("… et 2 autres (voir manifest.json)"), "{out}");
        faultless_french(&out);
    }

    /// No plain space where French wants a non-breaking one, no bracketed plural, no UTC.
    fn faultless_french(out: &str) {
        for fault in [" :", " ;", "« ", " »", "(s)", "UTC", "octets"] {
            assert!(!out.contains(fault), "{fault:?} in {out}");
        }
    }

    #[test]
    fn english_speaks_english_throughout() {
        let apps = [("cahier".to_owned(), app("Cahier de textes", 1, AppOutcome::Ok))];
        let out = text(Lang::En, &apps.into());
        assert!(out.starts_with("My Data — Mon année\r\n"), "{out}");
        assert!(out.contains("Archive a1 made on 7 December 2026 at 01:06 by ent.test."), "{out}");
        assert!(out.contains("Owner: Alice Martin"), "{out}");
        assert!(out.contains("(cahier, version 1.0): 1 file, 20.3\u{a0}MB"), "{out}");
        assert!(out.contains("Files (3 files):"), "{out}");
        assert!(out.contains("(0\u{a0}bytes)") && out.contains("… and 2 more"), "{out}");
        assert!(out.contains("open index.html in a web browser:"), "{out}");
        for french in ["Propriétaire", "fichier", "octet", "créée", "Vérifier", " et "] {
            assert!(!out.contains(french), "{french:?} in {out}");
        }
    }

    #[test]
    fn an_incomplete_app_says_so_from_its_code() {
        let failed = || AppOutcome::Failed {
            code: "app_timeout".into(),
            message: "app did not answer in time".into(),
        };
        let fr =
            text(Lang::Fr, &[("cahier".to_owned(), app("Cahier de textes", 0, failed()))].into());
        let words = FailureCode::parse("app_timeout").message(Lang::Fr);
        assert!(
            fr.contains(&format!("0\u{a0}fichier, 20,3\u{a0}Mo — INCOMPLET\u{a0}: {words}")),
            "{fr}"
        );
        assert!(!fr.contains("did not answer"), "{fr}");
        let en =
            text(Lang::En, &[("cahier".to_owned(), app("Cahier de textes", 0, failed()))].into());
        let words = FailureCode::parse("app_timeout").message(Lang::En);
        assert!(en.contains(&format!("0 files, 20.3\u{a0}MB — INCOMPLETE: {words}")), "{en}");
    }
}
