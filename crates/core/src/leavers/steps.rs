//! The leavers' steps, taken by every worker each `leavers.check_secs`: close the windows whose
//! date has come, prepare the exports still to make, tell the leavers whose export is ready,
//! remind those who have not downloaded it. Any number of workers may find the same step due:
//! each is claimed by a conditional update in the transaction that writes what it makes (the
//! export, the timeline entry, the e-mail job, the audit entry), so it is taken once.

use std::future::Future;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use mesdonnees_db::{
    DbConnection, DbError, Leaver, Notification, audit, jobs, leavers, notifications,
};
use mesdonnees_infra::Context;
use mesdonnees_shared::jobs::JobPayload;
use mesdonnees_shared::leavers::{closing_day, days_left};
use mesdonnees_shared::{DocumentId, JobId, Lang, UserId};
use serde_json::json;

use super::status::due_reminder;
use super::{SYSTEM, entry};
use crate::exports::{self, Claim, Request, Settings};
use crate::{Actor, Caller, Error};

/// Most leavers one pass takes per step; the rest wait for the next pass.
const PER_PASS: i64 = 100;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub expired: usize,
    pub prepared: usize,
    pub notified: usize,
    pub reminded: usize,
}

/// Takes the leavers' steps every `leavers.check_secs` until `stop` resolves.
pub async fn run_periodically(ctx: Context, stop: impl Future<Output = ()>) {
    let every = Duration::from_secs(ctx.config.leavers.check_secs);
    tokio::pin!(stop);
    loop {
        if let Err(e) = run_due(&ctx).await {
            tracing::error!(error = ?e, "cannot take the leavers' steps");
        }
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// Takes every step due now; answers what this call took (a step another worker took is not
/// counted).
pub async fn run_due(ctx: &Context) -> Result<Pass, Error> {
    let now = super::now(ctx);
    let mut pass = Pass::default();
    let due = ctx.db.run(move |conn| leavers::to_expire(conn, now, PER_PASS)).await?;
    for leaver in due {
        pass.expired += usize::from(close(ctx, &leaver, now).await?);
    }
    let due = ctx.db.run(move |conn| leavers::to_prepare(conn, now, PER_PASS)).await?;
    for leaver in due {
        match prepare(ctx, leaver).await {
            Ok(made) => pass.prepared += usize::from(made),
            // Their export in progress, the rate limit: tried again at the next pass. A quota's
            // refusal is on their row already.
            Err(e) => tracing::info!(error = %e, code = %e.code(), "leaver's export not made now"),
        }
    }
    let due = ctx.db.run(move |conn| leavers::to_notify(conn, now, PER_PASS)).await?;
    for leaver in due {
        pass.notified += usize::from(tell(ctx, &leaver, now, None).await?);
    }
    let furthest = ctx.config.leavers.reminder_days.iter().copied().max().unwrap_or(0);
    let horizon = now + chrono::Duration::days(i64::from(furthest));
    let due = ctx.db.run(move |conn| leavers::to_remind(conn, now, horizon, PER_PASS)).await?;
    for leaver in due {
        let Some(days) = due_reminder(&ctx.config.leavers.reminder_days, leaver.until_at, now)
        else {
            continue;
        };
        let days = i32::try_from(days).unwrap_or(i32::MAX);
        if leaver.reminded_days.is_some_and(|sent| sent <= days) {
            continue;
        }
        pass.reminded += usize::from(tell(ctx, &leaver, now, Some(days)).await?);
    }
    Ok(pass)
}

/// Closes the window: the leaver expired, their export made to expire now (the cleanup deletes
/// it as any other).
async fn close(ctx: &Context, leaver: &Leaver, now: NaiveDateTime) -> Result<bool, Error> {
    let user = leaver.user_id.clone();
    let resource = leaver.export_id.clone();
    let export_at = mesdonnees_db::models::now();
    Ok(ctx
        .db
        .transaction(move |conn| {
            if !leavers::claim_expired(conn, &user, now, export_at)? {
                return Ok(false);
            }
            let entry = entry(SYSTEM, "leaver.expire", &user, resource.as_deref());
            audit::record(conn, &entry)?;
            Ok(true)
        })
        .await?)
}

/// Makes the leaver's export: every app, as the user would, in their language.
async fn prepare(ctx: &Context, leaver: Leaver) -> Result<bool, Error> {
    let lang = Lang::from_tag(&leaver.lang).unwrap_or_default();
    let owner = UserId::parse(&leaver.user_id).map_err(Error::unexpected)?;
    let actor = Actor::User(Caller { id: owner, name: None, rights: vec![] });
    let request = Request {
        template_id: None,
        name: Some(name(lang).to_owned()),
        notify_email: None,
        settings: Settings::default(),
        lang,
        deliver_to: None,
        part_size_bytes: None,
    };
    Ok(exports::create_claimed(ctx, &actor, request, Claim::Leaver).await?.is_some())
}

/// The leaver's export's name in their list.
fn name(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Toutes mes données",
        Lang::En => "All my data",
    }
}

/// Writes the audit entry of the leaver's export, made or refused, in the transaction that
/// claims it.
pub(crate) fn record_export(
    conn: &mut DbConnection,
    user: &str,
    export_id: &str,
    refusal: Option<&str>,
) -> Result<(), DbError> {
    let entry = match refusal {
        None => entry(SYSTEM, "leaver.export", user, Some(export_id)),
        Some(code) => entry(SYSTEM, &format!("leaver.export_refused:{code}"), user, None),
    };
    audit::record(conn, &entry)
}

/// The first notice (`reminder` absent) or a reminder: claimed, then the timeline entry, the
/// e-mail job when there is an address and a mailer, and the audit entry, together.
async fn tell(
    ctx: &Context,
    leaver: &Leaver,
    now: NaiveDateTime,
    reminder: Option<i32>,
) -> Result<bool, Error> {
    let Some(export_id) = leaver.export_id.clone() else { return Ok(false) };
    let lang = Lang::from_tag(&leaver.lang).unwrap_or_default();
    let days_left = days_left(leaver.until_at, now);
    let timeline = Notification {
        id: DocumentId::new().to_string(),
        user_id: leaver.user_id.clone(),
        kind: if reminder.is_some() { "leaver_reminder" } else { "leaver_notice" }.to_owned(),
        title: title(
            lang,
            reminder.is_some(),
            closing_day(ctx.config.locale.time_zone, leaver.until_at),
            days_left,
        ),
        body: json!({
            "export_id": export_id,
            "until": leaver.until_at.and_utc(),
            "days_left": days_left,
            "download": format!("/api/v1/exports/{export_id}/download"),
        })
        .to_string(),
        resource_id: Some(export_id.clone()),
        created_at: mesdonnees_db::models::now(),
        read_at: None,
    };
    let writes =
        ctx.mailer.is_some() && (leaver.guardian_email.is_some() || leaver.email.is_some());
    let email = writes.then(|| JobPayload::LeaverEmail {
        user_id: leaver.user_id.clone(),
        reminder_days: reminder.and_then(|d| u32::try_from(d).ok()),
    });
    let covered = due_reminder(&ctx.config.leavers.reminder_days, leaver.until_at, now)
        .and_then(|d| i32::try_from(d).ok());
    let max_attempts = ctx.config.queue.max_attempts;
    let user = leaver.user_id.clone();
    let job: Option<Option<JobId>> = ctx
        .db
        .transaction(move |conn| {
            let claimed = match reminder {
                None => leavers::claim_notice(conn, &user, now, covered)?,
                Some(days) => leavers::claim_reminder(conn, &user, days)?,
            };
            if !claimed {
                return Ok(None);
            }
            notifications::insert(conn, &timeline)?;
            let job = email.map(|p| jobs::create(conn, &p, max_attempts)).transpose()?;
            let action = if reminder.is_some() { "leaver.remind" } else { "leaver.notify" };
            audit::record(conn, &entry(SYSTEM, action, &user, Some(&export_id)))?;
            Ok(Some(job))
        })
        .await?;
    let Some(job) = job else { return Ok(false) };
    if let Some(job) = job
        && let Err(e) = ctx.queue.push(job).await
    {
        tracing::warn!(job_id = %job, error = %e, "leaver e-mail not enqueued now; the reconciler will");
    }
    Ok(true)
}

/// The timeline entry's title.
fn title(lang: Lang, reminder: bool, day: NaiveDate, days: i64) -> String {
    let date = lang.date(day);
    match (lang, reminder) {
        (Lang::Fr, false) => {
            format!("Votre compte ferme le {date}\u{a0}: vos données sont prêtes à télécharger")
        }
        (Lang::En, false) => {
            format!("Your account closes on {date}: your data is ready to download")
        }
        (Lang::Fr, true) if days <= 1 => {
            format!("Dernier jour pour télécharger vos données\u{a0}: votre compte ferme le {date}")
        }
        (Lang::Fr, true) => format!(
            "Plus que {days}\u{a0}jours pour télécharger vos données\u{a0}: votre compte ferme le {date}"
        ),
        (Lang::En, true) if days <= 1 => {
            format!("Last day to download your data: your account closes on {date}")
        }
        (Lang::En, true) => {
            format!("{days} days left to download your data: your account closes on {date}")
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use mesdonnees_shared::Lang;

    use super::title;

    #[test]
    fn a_reminder_says_the_days_left_in_words_with_a_real_plural() {
        let until = NaiveDate::from_ymd_opt(2027, 7, 4).expect("a date");
        assert_eq!(
            title(Lang::Fr, true, until, 10),
            "Plus que 10\u{a0}jours pour télécharger vos données\u{a0}: votre compte ferme le \
             4 juillet 2027"
        );
        assert!(title(Lang::Fr, true, until, 1).starts_with("Dernier jour"));
        assert!(title(Lang::En, false, until, 10).contains("4 July 2027"));
    }
}
