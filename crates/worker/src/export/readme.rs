//! LISEZMOI.txt: the archive explained to the person who opens it.

use std::fmt::Write;

use mesdonnees_shared::archive::Manifest;

/// Files listed by name; the manifest lists them all.
const MAX_LISTED: usize = 5000;

pub fn render(manifest: &Manifest, name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Mes Données — {name}");
    let _ = writeln!(
        out,
        "Archive {} créée le {} par {}.",
        manifest.archive_id,
        manifest.created_at.format("%d/%m/%Y à %H:%M UTC"),
        manifest.source.instance
    );
    let _ = writeln!(
        out,
        "Propriétaire : {}",
        manifest.owner.name.as_deref().unwrap_or(&manifest.owner.id)
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Contenu, une application par dossier :");
    for (id, app) in &manifest.apps {
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
    let _ = writeln!(out, "Fichiers ({}) :", manifest.files.len());
    for file in manifest.files.iter().take(MAX_LISTED) {
        let _ = writeln!(out, "  {}  ({} octets)", file.path, file.size);
    }
    if manifest.files.len() > MAX_LISTED {
        let _ = writeln!(
            out,
            "  … et {} autres (voir manifest.json)",
            manifest.files.len() - MAX_LISTED
        );
    }
    out.replace('\n', "\r\n")
}
