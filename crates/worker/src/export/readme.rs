//! LISEZMOI.txt: the archive explained to the person who opens it.

use std::collections::BTreeMap;
use std::fmt::Write;

use mesdonnees_shared::apps::WORKSPACE_APP;
use mesdonnees_shared::archive::{ManifestApp, VIEWER_INDEX};

use super::listing::Head;

/// The text; `listed` holds the first of the archive's `files`, path and size.
pub fn render(
    name: &str,
    head: &Head<'_>,
    apps: &BTreeMap<String, ManifestApp>,
    files: u64,
    listed: &[(String, u64)],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Mes Données — {name}");
    let _ = writeln!(
        out,
        "Archive {} créée le {} par {}.",
        head.archive_id,
        head.created_at.format("%d/%m/%Y à %H:%M UTC"),
        head.source.instance
    );
    let _ =
        writeln!(out, "Propriétaire : {}", head.owner.name.as_deref().unwrap_or(&head.owner.id));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Pour parcourir l'archive, décompressez-la puis ouvrez {VIEWER_INDEX} avec un navigateur :"
    );
    let _ = writeln!(out, "ces pages se lisent sans connexion et n'exécutent aucun script.");
    let _ = writeln!(out);
    let _ = writeln!(out, "Contenu, une application par dossier :");
    for (id, app) in apps {
        let state = match &app.outcome {
            mesdonnees_shared::archive::AppOutcome::Ok => String::new(),
            mesdonnees_shared::archive::AppOutcome::Failed { message, .. } => {
                format!(" — INCOMPLET : {message}")
            }
        };
        let _ = writeln!(
            out,
            "  {}/  ({id}, version {}) : {} fichiers, {} octets{state}",
            app.folder, app.version, app.entries, app.bytes
        );
    }
    let _ = writeln!(out);
    // Only an archive that holds the documents has their folder to explain.
    if let Some(workspace) = apps.get(WORKSPACE_APP) {
        let _ = writeln!(
            out,
            "Dans {}/ : « Mes documents » (vos documents), « Partagés avec moi »",
            workspace.folder
        );
        let _ = writeln!(
            out,
            "(documents que d'autres vous ont partagés) ; workspace.json décrit chaque document."
        );
    }
    let _ = writeln!(
        out,
        "manifest.json liste chaque fichier avec sa taille et son empreinte SHA-256 ;"
    );
    let _ = writeln!(out, "manifest.sig le signe au nom de l'instance qui a créé l'archive.");
    let _ = writeln!(
        out,
        "Pour réimporter ces données, déposez ce fichier .zip tel quel dans « Mes Données »."
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Vérifier que rien n'a changé :");
    let _ = writeln!(
        out,
        "SHA256SUMS donne l'empreinte de chaque fichier. Après avoir décompressé l'archive,"
    );
    let _ = writeln!(out, "ouvrez un terminal dans le dossier obtenu et tapez :");
    let _ = writeln!(out, "  sha256sum -c SHA256SUMS");
    let _ = writeln!(
        out,
        "Chaque fichier intact est suivi de « OK » (en anglais) ; un fichier modifié, de « FAILED »."
    );
    let _ = writeln!(
        out,
        "(sha256sum est fourni avec Linux ; sous macOS, « shasum -a 256 -c SHA256SUMS ».)"
    );
    let _ = writeln!(out, "Pour vérifier aussi la signature de l'instance, sans décompresser :");
    let _ = writeln!(out, "  mesdonnees verify archive.zip --keys-url <adresse>");
    let _ = writeln!(
        out,
        "où <adresse> est celle de l'instance suivie de /.well-known/mesdonnees/keys."
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Fichiers ({files}) :");
    for (path, size) in listed {
        let _ = writeln!(out, "  {path}  ({size} octets)");
    }
    let unlisted = files.saturating_sub(listed.len() as u64);
    if unlisted > 0 {
        let _ = writeln!(out, "  … et {unlisted} autres (voir manifest.json)");
    }
    out.replace('\n', "\r\n")
}

#[cfg(test)]
mod tests {
    use mesdonnees_shared::archive::{AppOutcome, Owner, Source};

    use super::*;

    fn app(folder: &str, outcome: AppOutcome) -> ManifestApp {
        ManifestApp {
            version: "1.0".parse().expect("version"),
            folder: folder.to_owned(),
            entries: 2,
            bytes: 30,
            outcome,
        }
    }

    fn text(apps: &BTreeMap<String, ManifestApp>) -> String {
        let source = Source {
            instance: "ent.test".into(),
            service_version: "0.1.0".into(),
            key_id: "k1".into(),
        };
        let owner = Owner { id: "alice".into(), name: Some("Alice Martin".into()) };
        let head = Head::new("a1", &source, &owner);
        let listed = vec![("Cahier de textes/entrees/a.json".to_owned(), 12)];
        render("Mon année", &head, apps, 3, &listed)
    }

    #[test]
    fn the_documents_folder_is_explained_only_when_the_archive_has_it() {
        let cahier = ("cahier".to_owned(), app("Cahier de textes", AppOutcome::Ok));
        let without = text(&[cahier.clone()].into());
        assert!(without.contains("Cahier de textes/  (cahier, version 1.0) : 2 fichiers"));
        assert!(!without.contains("Mes documents"), "{without}");
        assert!(without.contains("… et 2 autres"));
        assert!(without.contains("ouvrez index.html avec un navigateur"), "{without}");
        assert!(without.contains("\r\n") && !without.replace("\r\n", "").contains('\n'));

        let documents = ("workspace".to_owned(), app("Documents", AppOutcome::Ok));
        let with = text(&[cahier, documents].into());
        assert!(with.contains("Dans Documents/ : « Mes documents »"), "{with}");
        assert!(with.contains("  sha256sum -c SHA256SUMS\r\n"), "{with}");
    }

    #[test]
    fn an_incomplete_app_says_so() {
        let failed = AppOutcome::Failed { code: "app_timeout".into(), message: "trop lent".into() };
        let out = text(&[("cahier".to_owned(), app("Cahier de textes", failed))].into());
        assert!(out.contains("INCOMPLET : trop lent"), "{out}");
    }
}
