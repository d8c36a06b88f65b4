//! The e-mail to a leaver, or to their guardian: the first notice, or a reminder, with the link
//! that downloads their export without logging in until their account closes. The link is made
//! here, when the message is written, with the leaver's link id of the moment: a link revoked
//! before the message goes is never sent.
//!
//! Written in the leaver's language (French unless declared English), in plain text.

use chrono::NaiveDateTime;
use mesdonnees_db::{Leaver, exports, leavers};
use mesdonnees_infra::Context;
use mesdonnees_infra::mailer::MailError;
use mesdonnees_shared::leavers::{closing_day, days_left};
use mesdonnees_shared::{Lang, Zone};

use crate::error::JobError;

/// Sends the notice (`reminder` absent) or the reminder; nothing once it is pointless (the
/// window closed, the link revoked, a reminder after the download).
pub(crate) async fn send(ctx: &Context, user: &str, reminder: Option<u32>) -> Result<(), JobError> {
    let Some(mailer) = &ctx.mailer else { return Ok(()) };
    let id = user.to_owned();
    let Some(leaver) = ctx.db.run(move |conn| leavers::find(conn, &id)).await? else {
        return Ok(());
    };
    let Some(to) = leaver.guardian_email.clone().or_else(|| leaver.email.clone()) else {
        return Ok(());
    };
    let over = leaver.expired_at.is_some() || leaver.link_revoked_at.is_some();
    if over || (reminder.is_some() && leaver.downloaded_at.is_some()) {
        return Ok(());
    }
    let Some(export_id) = leaver.export_id.clone() else { return Ok(()) };
    let id = export_id.clone();
    let Some(export) = ctx.db.run(move |conn| exports::find(conn, &id)).await? else {
        return Ok(());
    };
    let signer = ctx.signer().await.map_err(|e| JobError::Transient(e.to_string()))?;
    let token = signer
        .mint_leaver_link(&export_id, &leaver.link_id, leaver.until_at.and_utc())
        .map_err(|e| JobError::Permanent(e.to_string()))?;
    let base = ctx.config.http.public_url.as_deref().unwrap_or("").trim_end_matches('/');
    let link = format!("{base}/api/v1/exports/{export_id}/download?token={token}");
    let now = ctx.clock.now().naive_utc();
    let size = export.size.unwrap_or(0);
    let zone = ctx.config.locale.time_zone;
    let (subject, body) = words(&leaver, reminder.is_some(), size, &link, now, zone);
    mailer.send(&to, &subject, body).await.map_err(|e| match e {
        MailError::To => JobError::Permanent(e.to_string()),
        other => JobError::Transient(other.to_string()),
    })
}

/// The subject and body, in the leaver's language; a guardian is addressed as one.
fn words(
    leaver: &Leaver,
    reminder: bool,
    size: i64,
    link: &str,
    now: NaiveDateTime,
    zone: Zone,
) -> (String, String) {
    let lang = Lang::from_tag(&leaver.lang).unwrap_or_default();
    let date = lang.date(closing_day(zone, leaver.until_at));
    let days = days_left(leaver.until_at, now);
    let guardian = leaver.guardian_email.is_some();
    let size = lang.size(u64::try_from(size).unwrap_or(0));
    match lang {
        Lang::Fr => {
            let whose = if guardian { "de votre enfant" } else { "de votre compte" };
            let account =
                if guardian { "Le compte ENT de votre enfant" } else { "Votre compte ENT" };
            let data = if guardian { "ses données" } else { "vos données" };
            let subject = if reminder {
                format!("{} pour télécharger {data} de l'ENT", capitalised(&left_fr(days)))
            } else {
                format!("{account} ferme le {date}\u{a0}: {data} sont prêtes")
            };
            let recall = if reminder {
                format!("Rappel\u{a0}: {} pour télécharger {data}.\r\n", left_fr(days))
            } else {
                String::new()
            };
            let body = format!(
                "Bonjour,\r\n\r\n{recall}{account} ferme le {date}. Une archive de toutes {data} \
                 ({size}) est prête\u{a0}; ce lien la télécharge sans se connecter \
                 jusqu'à cette date\u{a0}:\r\n{link}\r\n\r\nAprès le {date}, l'archive sera \
                 supprimée et le lien ne fonctionnera plus. Gardez ce message pour vous\r\n\
                 (le lien donne accès aux données {whose}).\r\n"
            );
            (subject, body)
        }
        Lang::En => {
            let account =
                if guardian { "Your child's school account" } else { "Your school account" };
            let data = if guardian { "their data" } else { "your data" };
            let subject = if reminder {
                let left = capitalised(&left_en(days));
                format!("{left} to download {data} from the school platform")
            } else {
                format!("{account} closes on {date}: {data} is ready")
            };
            let recall = if reminder {
                format!("Reminder: {} to download {data}.\r\n", left_en(days))
            } else {
                String::new()
            };
            let body = format!(
                "Hello,\r\n\r\n{recall}{account} closes on {date}. An archive of all {data} ({size}) \
                 is ready; this link downloads it without logging in until then:\r\n\
                 {link}\r\n\r\nAfter {date}, the archive will be deleted and the link will no \
                 longer work. Keep this message to yourself (the link opens the data).\r\n"
            );
            (subject, body)
        }
    }
}

/// The time left, in words: « plus que 12 jours », « dernier jour ».
fn left_fr(days: i64) -> String {
    if days <= 1 { "dernier jour".to_owned() } else { format!("plus que {days}\u{a0}jours") }
}

fn left_en(days: i64) -> String {
    if days <= 1 { "last day".to_owned() } else { format!("{days} days left") }
}

/// A subject begins with a capital.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use mesdonnees_db::Leaver;

    fn leaver(lang: &str) -> Leaver {
        let at = |d| NaiveDate::from_ymd_opt(2027, 8, d).and_then(|d| d.and_hms_opt(0, 0, 0));
        let until = at(31).expect("a date");
        Leaver {
            user_id: "lea".into(),
            until_at: until,
            email: Some("lea@ecole.test".into()),
            guardian_email: None,
            lang: lang.into(),
            export_id: Some("e1".into()),
            export_error: None,
            link_id: "l1".into(),
            link_revoked_at: None,
            notified_at: None,
            reminded_days: None,
            downloaded_at: None,
            expired_at: None,
            declared_by: "admin".into(),
            created_at: until,
            updated_at: until,
        }
    }

    #[test]
    fn the_archive_size_reads_as_the_page_writes_it() {
        let now = NaiveDate::from_ymd_opt(2027, 8, 1).and_then(|d| d.and_hms_opt(8, 0, 0));
        let now = now.expect("a date");
        let (subject, body) = super::words(
            &leaver("fr"),
            false,
            20_300_000,
            "l",
            now,
            mesdonnees_shared::Zone::PARIS,
        );
        assert_eq!(
            subject,
            "Votre compte ENT ferme le 31 août 2027\u{a0}: vos données sont prêtes"
        );
        assert!(body.contains("toutes vos données (20,3\u{a0}Mo) est prête\u{a0};"), "{body}");
        let (_, body) =
            super::words(&leaver("en"), true, 1, "l", now, mesdonnees_shared::Zone::PARIS);
        assert!(body.contains("An archive of all your data (1\u{a0}byte) is ready;"), "{body}");
    }
}
