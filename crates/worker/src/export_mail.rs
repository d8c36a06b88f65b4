//! The words of the e-mail announcing a finished export, in the language the export was asked
//! in. French typography: non-breaking spaces inside « » and before « : », sizes and dates as
//! the page writes them, times on the ENT's clock.

use std::fmt::Write as _;

use chrono::NaiveDateTime;
use mesdonnees_shared::error_code::FailureCode;
use mesdonnees_shared::tables::ExportKind;
use mesdonnees_shared::{Lang, Zone};

/// What an export's e-mail speaks of.
pub(crate) struct Email<'a> {
    pub lang: Lang,
    pub name: &'a str,
    pub kind: ExportKind,
    pub zone: Zone,
}

const NBSP: char = '\u{a0}';

impl Email<'_> {
    /// Subject and body of a ready export.
    pub fn ready(
        &self,
        bytes: u64,
        link: &str,
        expires: Option<NaiveDateTime>,
    ) -> (String, String) {
        let size = self.lang.size(bytes);
        let until = expires.map(|at| self.lang.date(self.zone.local(at.and_utc()).date()));
        let name = self.quoted();
        match self.lang {
            Lang::Fr => {
                // A table is a « tableau » (masculine), an archive an « archive » (feminine).
                let (what, ready, it, gone) = match self.kind {
                    ExportKind::Table => ("Le tableau", "prêt", "le", "Il sera supprimé"),
                    ExportKind::Archive => ("L'archive", "prête", "la", "Elle sera supprimée"),
                };
                let mut body = format!(
                    "Bonjour,\r\n\r\n{what} de vos données {name} est {ready} ({size}).\r\n\
                     Retrouvez-{it} dans «{NBSP}Mes données{NBSP}» de votre ENT, ou \
                     téléchargez-{it} une fois connecté{NBSP}:\r\n{link}\r\n"
                );
                if let Some(until) = until {
                    let _ = write!(body, "\r\n{gone} le {until}.\r\n");
                }
                (format!("Votre export {name} est prêt"), body)
            }
            Lang::En => {
                let what = match self.kind {
                    ExportKind::Table => "table",
                    ExportKind::Archive => "archive",
                };
                let mut body = format!(
                    "Hello,\r\n\r\nThe {what} of your data {name} is ready ({size}).\r\n\
                     Find it in \"Mes données\" on your ENT, or download it once signed in:\r\n\
                     {link}\r\n"
                );
                if let Some(until) = until {
                    let _ = write!(body, "\r\nIt will be deleted on {until}.\r\n");
                }
                (format!("Your export {name} is ready"), body)
            }
        }
    }

    /// Subject and body of a failed export: what happened and what to do, from its code.
    pub fn failed(&self, code: &FailureCode) -> (String, String) {
        let name = self.quoted();
        let reason = code.message(self.lang);
        match self.lang {
            Lang::Fr => (
                format!("Votre export {name} a échoué"),
                format!(
                    "Bonjour,\r\n\r\nL'export de vos données {name} n'a pas pu être fait.\r\n\
                     {reason}\r\n\r\nVous pouvez le demander de nouveau depuis \
                     «{NBSP}Mes données{NBSP}».\r\n"
                ),
            ),
            Lang::En => (
                format!("Your export {name} failed"),
                format!(
                    "Hello,\r\n\r\nThe export of your data {name} could not be made.\r\n\
                     {reason}\r\n\r\nYou can ask for it again from \"Mes données\".\r\n"
                ),
            ),
        }
    }

    fn quoted(&self) -> String {
        match self.lang {
            Lang::Fr => format!("«{NBSP}{}{NBSP}»", self.name),
            Lang::En => format!("\"{}\"", self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mesdonnees_shared::ErrorCode;

    fn email(lang: Lang, kind: ExportKind) -> Email<'static> {
        Email { lang, name: "Mon année de 6e", kind, zone: Zone::PARIS }
    }

    #[test]
    fn a_ready_archive_in_french_agrees_and_reads_its_date_in_paris() {
        // 23:30 UTC on 31 December is already 1 January in Paris.
        let expires =
            chrono::NaiveDate::from_ymd_opt(2026, 12, 31).and_then(|d| d.and_hms_opt(23, 30, 0));
        let (subject, body) =
            email(Lang::Fr, ExportKind::Archive).ready(20_300_000, "https://ent.test/x", expires);
        assert_eq!(subject, "Votre export «\u{a0}Mon année de 6e\u{a0}» est prêt");
        assert!(
            body.contains(
                "L'archive de vos données «\u{a0}Mon année de 6e\u{a0}» est prête (20,3\u{a0}Mo)."
            ),
            "{body}"
        );
        assert!(
            body.contains("téléchargez-la une fois connecté\u{a0}:\r\nhttps://ent.test/x"),
            "{body}"
        );
        assert!(body.contains("Elle sera supprimée le 1 janvier 2027."), "{body}");
        let (_, table) = email(Lang::Fr, ExportKind::Table).ready(1, "l", None);
        assert!(
            table.contains(
                "Le tableau de vos données «\u{a0}Mon année de 6e\u{a0}» est prêt (1\u{a0}octet)."
            ),
            "{table}"
        );
        assert!(!table.contains("supprim"), "no date, no sentence: {table}");
    }

    #[test]
    fn an_english_export_speaks_english_throughout() {
        let (subject, body) = email(Lang::En, ExportKind::Archive).ready(2_000, "l", None);
        assert_eq!(subject, "Your export \"Mon année de 6e\" is ready");
        assert!(
            body.contains("The archive of your data \"Mon année de 6e\" is ready (2\u{a0}KB)."),
            "{body}"
        );
        let (_, failed) =
            email(Lang::En, ExportKind::Archive).failed(&ErrorCode::ExportFailed.into());
        assert!(failed.contains(ErrorCode::ExportFailed.message(Lang::En)), "{failed}");
    }

    #[test]
    fn a_failure_says_what_happened_from_its_code_never_a_raw_message() {
        let code = FailureCode::parse("documents_quota_exceeded");
        let (subject, body) = email(Lang::Fr, ExportKind::Archive).failed(&code);
        assert_eq!(subject, "Votre export «\u{a0}Mon année de 6e\u{a0}» a échoué");
        assert!(body.contains(code.message(Lang::Fr)), "{body}");
        let unknown = FailureCode::parse("a_code_of_a_later_version");
        let (_, body) = email(Lang::Fr, ExportKind::Archive).failed(&unknown);
        assert!(body.contains(unknown.message(Lang::Fr)), "{body}");
    }
}
