//! LISEZMOI.txt: the archive explained to the person who opens it.

use std::fmt::Write;

use std::collections::BTreeMap;

use mesdonnees_shared::archive::ManifestApp;

use super::listing::{Head, Listing};

pub fn render(
    name: &str,
    head: &Head<'_>,
    apps: &BTreeMap<String, ManifestApp>,
    listing: &Listing<'_>,
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
    let _ =
        writeln!(out, "Dans Documents/ : « Mes documents » (vos documents), « Partagés avec moi »");
    let _ = writeln!(
        out,
        "(documents que d'autres vous ont partagés) ; workspace.json décrit chaque document."
    );
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
    let _ = writeln!(out, "Fichiers ({}) :", listing.files);
    for (path, size) in &listing.listed {
        let _ = writeln!(out, "  {path}  ({size} octets)");
    }
    let unlisted = listing.files.saturating_sub(listing.listed.len() as u64);
    if unlisted > 0 {
        let _ = writeln!(out, "  … et {unlisted} autres (voir manifest.json)");
    }
    out.replace('\n', "\r\n")
}
