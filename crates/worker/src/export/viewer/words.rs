//! The viewer's words, in French and in English: the language of the person who asked for the
//! export.

use chrono::{DateTime, Utc};
use mesdonnees_shared::{Lang, Zone};

/// Every fixed text of the pages, in one language.
pub struct Words {
    pub lang: Lang,
    pub archive: &'static str,
    pub skip: &'static str,
    pub trail: &'static str,
    pub pages: &'static str,
    pub footer: &'static str,
    pub home_intro: &'static str,
    pub owner: &'static str,
    pub instance: &'static str,
    pub created: &'static str,
    pub contents: &'static str,
    pub app: &'static str,
    pub files: &'static str,
    pub size: &'static str,
    pub state: &'static str,
    pub ok: &'static str,
    pub incomplete: &'static str,
    pub browse: &'static str,
    pub read: &'static str,
    pub verify: &'static str,
    pub verify_text: &'static [&'static str],
    pub other_files: &'static str,
    pub files_title: &'static str,
    pub all_files: &'static str,
    pub readme: &'static str,
    pub manifest: &'static str,
    pub folders_caption: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub date: &'static str,
    pub folder: &'static str,
    pub empty: &'static str,
    pub resources: &'static str,
    pub title: &'static str,
    pub attachments: &'static str,
    pub body: &'static str,
    pub details: &'static str,
    pub raw: &'static str,
    pub too_long: &'static str,
    pub untitled: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
}

const FR: Words = Words {
    lang: Lang::Fr,
    archive: "Mes Données",
    skip: "Aller au contenu",
    trail: "Vous êtes ici",
    pages: "Pages",
    footer: "Archive consultable hors ligne\u{a0}: ces pages ne chargent rien d'Internet et \
             n'exécutent aucun script.",
    home_intro: "Cette archive contient vos données telles qu'elles ont été exportées. Ces pages \
                 permettent de les parcourir sans connexion.",
    owner: "Propriétaire",
    instance: "Exportée depuis",
    created: "Créée le",
    contents: "Contenu, par application",
    app: "Application",
    files: "Fichiers",
    size: "Taille",
    state: "État",
    ok: "complète",
    incomplete: "incomplète",
    browse: "Parcourir les fichiers de",
    read: "Lire les éléments de",
    verify: "Vérifier l'archive",
    verify_text: &[
        "Le fichier manifest.json liste chaque fichier de l'archive avec sa taille et son \
         empreinte SHA-256\u{a0}; manifest.sig le signe au nom de l'instance qui a créé l'archive.",
        "Pour vérifier qu'aucun fichier n'a été modifié, décompressez l'archive puis, dans le \
         dossier obtenu, lancez la commande «\u{a0}sha256sum -c SHA256SUMS\u{a0}»\u{a0}: chaque fichier doit \
         être déclaré «\u{a0}OK\u{a0}».",
        "Pour vérifier aussi la signature, lancez «\u{a0}mesdonnees verify archive.zip\u{a0}» avec la clé \
         publique de l'instance, qu'elle publie à l'adresse /.well-known/mesdonnees/keys.",
    ],
    other_files: "Autres fichiers",
    files_title: "Fichiers",
    all_files: "Tous les fichiers, dossier par dossier",
    readme: "Lisez-moi (texte)",
    manifest: "Liste signée des fichiers (manifest.json)",
    folders_caption: "Contenu du dossier",
    name: "Nom",
    kind: "Type",
    date: "Date",
    folder: "dossier",
    empty: "Ce dossier est vide.",
    resources: "Éléments",
    title: "Titre",
    attachments: "Pièces jointes",
    body: "Contenu",
    details: "Autres informations",
    raw: "Données brutes (JSON) de",
    too_long: "Trop long pour être affiché ici\u{a0}: voir les données brutes.",
    untitled: "Sans titre",
    yes: "oui",
    no: "non",
};

const EN: Words = Words {
    lang: Lang::En,
    archive: "My Data",
    skip: "Skip to content",
    trail: "You are here",
    pages: "Pages",
    footer: "This archive reads offline: these pages load nothing from the Internet and run no \
             script.",
    home_intro: "This archive holds your data as it was exported. These pages let you browse it \
                 without a connection.",
    owner: "Owner",
    instance: "Exported from",
    created: "Created",
    contents: "Contents, by app",
    app: "App",
    files: "Files",
    size: "Size",
    state: "State",
    ok: "complete",
    incomplete: "incomplete",
    browse: "Browse the files of",
    read: "Read the items of",
    verify: "Verify the archive",
    verify_text: &[
        "The file manifest.json lists every file of the archive with its size and SHA-256 \
         digest; manifest.sig signs it on behalf of the instance that made the archive.",
        "To check that no file was changed, unzip the archive and, in the folder it makes, run \
         \"sha256sum -c SHA256SUMS\": every file must be reported \"OK\".",
        "To check the signature too, run \"mesdonnees verify archive.zip\" with the instance's \
         public key, which it publishes at /.well-known/mesdonnees/keys.",
    ],
    other_files: "Other files",
    files_title: "Files",
    all_files: "All the files, folder by folder",
    readme: "Read me (text)",
    manifest: "Signed list of the files (manifest.json)",
    folders_caption: "Contents of the folder",
    name: "Name",
    kind: "Type",
    date: "Date",
    folder: "folder",
    empty: "This folder is empty.",
    resources: "Items",
    title: "Title",
    attachments: "Attachments",
    body: "Content",
    details: "Other details",
    raw: "Raw data (JSON) of",
    too_long: "Too long to show here: see the raw data.",
    untitled: "Untitled",
    yes: "yes",
    no: "no",
};

/// The words of one language, and the zone its times are read in.
#[derive(Clone, Copy)]
pub struct Voice {
    words: &'static Words,
    zone: Zone,
}

impl Voice {
    pub fn new(lang: Lang, zone: Zone) -> Self {
        Self { words: Words::of(lang), zone }
    }

    /// An instant as the reader's clock showed it.
    pub fn date_time(&self, at: DateTime<Utc>) -> String {
        self.words.lang.date_time(self.zone.local(at))
    }
}

impl std::ops::Deref for Voice {
    type Target = Words;

    fn deref(&self) -> &Words {
        self.words
    }
}

impl Words {
    pub fn of(lang: Lang) -> &'static Self {
        match lang {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// A name (already escaped) quoted as the language does: «\u{a0}Cours\u{a0}», “Cours”.
    pub fn quoted(&self, name: &str) -> String {
        match self.lang {
            Lang::Fr => format!("«\u{a0}{name}\u{a0}»"),
            Lang::En => format!("“{name}”"),
        }
    }

    pub fn page_of(&self, page: usize, pages: usize) -> String {
        match self.lang {
            Lang::Fr => format!("Page {page} sur {pages}"),
            Lang::En => format!("Page {page} of {pages}"),
        }
    }
}
