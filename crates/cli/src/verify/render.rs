//! What `verify` prints: a report for a person, in French or English, or JSON for a script.
//! A problem with a code is worded by the failure vocabulary, the file it concerns first.

use std::fmt::Write as _;

use mesdonnees_core::verify::{Verdict, Verification};
use mesdonnees_shared::Lang;
use mesdonnees_shared::imports::SignatureStatus;
use serde::Serialize;

#[derive(Serialize)]
struct Json<'a> {
    verdict: Verdict,
    #[serde(flatten)]
    verification: &'a Verification,
}

pub fn json(found: &Verification) -> String {
    serde_json::to_string_pretty(&Json { verdict: found.verdict(), verification: found })
        .unwrap_or_default()
}

pub fn usage_error(lang: Lang, message: &str) -> String {
    match lang {
        Lang::Fr => format!("Vérification impossible\u{a0}: {message}"),
        Lang::En => format!("Cannot verify: {message}"),
    }
}

/// The words of the report, in one language.
struct Words {
    /// Before a colon: French typography puts a no-break space there.
    colon: &'static str,
    archive: &'static str,
    by: &'static str,
    signature: &'static str,
    apps: &'static str,
    files: &'static str,
    bytes: &'static str,
    intact: &'static str,
    altered: &'static str,
    incomplete: &'static str,
    problems: &'static str,
}

const FR: Words = Words {
    colon: "\u{a0}:",
    archive: "Archive",
    by: "créée par",
    signature: "Signature",
    apps: "Applications",
    files: "fichiers",
    bytes: "octets",
    intact: "intacts",
    altered: "modifiés",
    incomplete: "incomplète à l'export",
    problems: "Problèmes",
};

const EN: Words = Words {
    colon: ":",
    archive: "Archive",
    by: "made by",
    signature: "Signature",
    apps: "Apps",
    files: "files",
    bytes: "bytes",
    intact: "intact",
    altered: "altered",
    incomplete: "incomplete at export",
    problems: "Problems",
};

pub fn text(found: &Verification, lang: Lang) -> String {
    let words = match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    };
    let mut out = String::new();
    if let (Some(id), Some(instance)) = (&found.archive_id, &found.instance) {
        let _ = writeln!(out, "{} {id} {} {instance}", words.archive, words.by);
        let key = found.key_id.as_deref().unwrap_or("-");
        let _ = writeln!(out, "{}{} {}", words.signature, words.colon, signature(found, lang, key));
    }
    if !found.apps.is_empty() {
        let _ = writeln!(out, "{}{}", words.apps, words.colon);
    }
    for app in &found.apps {
        let state = if app.altered == 0 {
            format!("{} {}", app.checked, words.intact)
        } else {
            format!("{} {}", app.altered, words.altered)
        };
        let incomplete = app.outcome.as_ref().map(|_| format!(", {}", words.incomplete));
        let _ = writeln!(
            out,
            "  {}/ ({}, {}){} {} {}, {} {} — {state}{}",
            app.folder,
            app.id,
            app.version,
            words.colon,
            app.entries,
            words.files,
            app.bytes,
            words.bytes,
            incomplete.unwrap_or_default()
        );
    }
    if !found.problems.is_empty() {
        let _ = writeln!(out, "{}{}", words.problems, words.colon);
    }
    for problem in &found.problems {
        let sentence = problem.code.message(lang);
        let place =
            problem.path.as_deref().map(|p| format!("{p}{} ", words.colon)).unwrap_or_default();
        let facts = match lang {
            Lang::En => format!(" ({})", problem.detail),
            Lang::Fr => String::new(),
        };
        let _ = writeln!(out, "  {place}{sentence} [{}]{facts}", problem.code);
    }
    let _ = writeln!(out, "{}", verdict(found.verdict(), lang));
    out
}

fn signature(found: &Verification, lang: Lang, key: &str) -> String {
    let instance = found.signature.instance.as_deref().unwrap_or("?");
    match (found.signature.status, lang) {
        (SignatureStatus::Valid, Lang::Fr) => format!("valide, clé {key} de {instance}"),
        (SignatureStatus::Valid, Lang::En) => format!("valid, key {key} of {instance}"),
        (SignatureStatus::Unsigned, Lang::Fr) => "absente".to_owned(),
        (SignatureStatus::Unsigned, Lang::En) => "none".to_owned(),
        (SignatureStatus::Invalid, Lang::Fr) => format!("invalide (clé {key})"),
        (SignatureStatus::Invalid, Lang::En) => format!("invalid (key {key})"),
        (SignatureStatus::Untrusted | SignatureStatus::Unverified, Lang::Fr) => {
            format!("clé {key} inconnue\u{a0}: donnez-la avec --key, --keys-url ou --trust-store")
        }
        (SignatureStatus::Untrusted | SignatureStatus::Unverified, Lang::En) => {
            format!("unknown key {key}: give it with --key, --keys-url or --trust-store")
        }
    }
}

fn verdict(verdict: Verdict, lang: Lang) -> &'static str {
    match (verdict, lang) {
        (Verdict::Valid, Lang::Fr) => "Archive intacte, signée par une clé reconnue.",
        (Verdict::Valid, Lang::En) => "The archive is intact and signed by a trusted key.",
        (Verdict::Altered, Lang::Fr) => "Archive modifiée ou abîmée depuis sa création.",
        (Verdict::Altered, Lang::En) => "The archive was altered or damaged since it was made.",
        (Verdict::UntrustedSigner, Lang::Fr) => {
            "Contenu conforme à sa table des matières, mais signataire inconnu\u{a0}: origine non \
             prouvée."
        }
        (Verdict::UntrustedSigner, Lang::En) => {
            "The content matches its manifest, but the signer is unknown: its origin is not proven."
        }
    }
}
