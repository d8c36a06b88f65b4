//! Making the exports that are due: every worker runs [`run_periodically`], and any number of
//! them may find the same schedule due at once. Each run goes through the export creation use
//! case with the owner as the actor (same reuse, quota, rate limit and timeline rules as an
//! export they ask for) and claims its occurrence in the transaction that writes the export, so
//! exactly one worker makes it. The schedule then moves to its first occurrence after now:
//! an instance stopped across several periods makes one catch-up export, not one per period.

use std::future::Future;
use std::time::Duration;

use mesdonnees_db::{ExportSchedule, Notification, notifications, schedules};
use mesdonnees_infra::Context;
use mesdonnees_shared::{DocumentId, ErrorCode, Lang, UserId};

use super::{occurrences, period};
use crate::exports::{self, Claim, Occurrence, Request, Settings};
use crate::{Actor, Caller, Error};

/// Most schedules one pass takes; the rest wait for the next pass.
const PER_PASS: i64 = 100;

/// Looks for due schedules every `exports.schedule_check_secs` until `stop` resolves.
pub async fn run_periodically(ctx: Context, stop: impl Future<Output = ()>) {
    let every = Duration::from_secs(ctx.config.exports.schedule_check_secs);
    tokio::pin!(stop);
    loop {
        if let Err(e) = run_due(&ctx).await {
            tracing::error!(error = ?e, "cannot look for due schedules");
        }
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// Makes the export of each schedule due now; answers how many this call made (a run another
/// worker made, or one refused for now, is not counted).
pub async fn run_due(ctx: &Context) -> Result<usize, Error> {
    let now = exports::clock_now(ctx).naive_utc();
    let due = ctx.db.run(move |conn| schedules::due(conn, now, PER_PASS)).await?;
    let mut made = 0;
    for schedule in due {
        let id = schedule.id.clone();
        match run_one(ctx, schedule, now).await {
            Ok(true) => made += 1,
            Ok(false) => {}
            // The export's own refusal (its owner's export in progress, the quota): the
            // schedule's other runs and the other schedules go on.
            Err(e) => tracing::warn!(schedule_id = %id, error = %e, "scheduled export not made"),
        }
    }
    Ok(made)
}

/// Runs one occurrence; `false` when another worker had it.
async fn run_one(
    ctx: &Context,
    schedule: ExportSchedule,
    now: chrono::NaiveDateTime,
) -> Result<bool, Error> {
    let lang = Lang::from_tag(&schedule.lang).unwrap_or_default();
    let settings = match (schedule.app_ids()?, schedule.export_options()?) {
        (Some(apps), Some(options)) => Settings {
            apps: Some(apps),
            filters: Some(options.filters),
            kind: Some(options.kind),
            table: options.table,
        },
        _ => Settings::default(),
    };
    let owner = UserId::parse(&schedule.owner_id).map_err(Error::unexpected)?;
    let actor =
        Actor::User(Caller { id: owner, name: schedule.owner_name.clone(), rights: vec![] });
    let occurrence = Occurrence {
        schedule_id: schedule.id.clone(),
        due: schedule.next_run_at,
        next: occurrences::first_after(schedule.anchor_at, period(&schedule), now),
    };
    let request = Request {
        template_id: schedule.template_id.clone(),
        name: Some(name(lang, ctx.config.locale.time_zone.local(now.and_utc()).date())),
        notify_email: None,
        settings,
        lang,
        deliver_to: schedule.delivery()?,
        part_size_bytes: None,
    };
    match exports::create_claimed(ctx, &actor, request, Claim::Schedule(occurrence)).await {
        Ok(made) => Ok(made.is_some()),
        // The occurrence is used up by a quota's refusal: the owner is told, not left to
        // wonder why no export came.
        Err(e @ Error::Invalid { code, .. })
            if matches!(
                code,
                ErrorCode::ArchiveQuotaExceeded | ErrorCode::DocumentsQuotaExceeded
            ) =>
        {
            let day = ctx.config.locale.time_zone.local(now.and_utc()).date();
            tell_refused(ctx, &schedule, lang, day, code).await?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// The owner's timeline entry for a run a quota refused, with the code that says which and the
/// run's day on the ENT's clock (`YYYY-MM-DD`), from which the page words it in its language.
async fn tell_refused(
    ctx: &Context,
    schedule: &ExportSchedule,
    lang: Lang,
    day: chrono::NaiveDate,
    code: ErrorCode,
) -> Result<(), Error> {
    let title = match lang {
        Lang::Fr => format!("L'export automatique du {} n'a pas été fait", lang.date(day)),
        Lang::En => format!("The automatic export of {} was not made", lang.date(day)),
    };
    let entry = Notification {
        id: DocumentId::new().to_string(),
        user_id: schedule.owner_id.clone(),
        kind: "schedule_refused".to_owned(),
        title,
        body: serde_json::json!({ "schedule_id": schedule.id, "day": day, "code": code.as_str() })
            .to_string(),
        resource_id: Some(schedule.id.clone()),
        created_at: mesdonnees_db::models::now(),
        read_at: None,
    };
    ctx.db.run(move |conn| notifications::insert(conn, &entry)).await?;
    Ok(())
}

/// A run's name in its owner's list: « Export automatique du 7 décembre 2026 ».
fn name(lang: Lang, day: chrono::NaiveDate) -> String {
    match lang {
        Lang::Fr => format!("Export automatique du {}", lang.date(day)),
        Lang::En => format!("Automatic export of {}", lang.date(day)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use mesdonnees_shared::Lang;

    #[test]
    fn a_run_is_named_with_its_day_in_words() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a day");
        assert_eq!(super::name(Lang::Fr, day), "Export automatique du 7 décembre 2026");
        assert_eq!(super::name(Lang::En, day), "Automatic export of 7 December 2026");
    }
}
