//! Recurring exports: a schedule makes an ordinary export of its owner's every 1, 2, 3, 6 or
//! 12 months until a date at most a year ahead (renewed by replacing the schedule), with the
//! settings of a template or its own. Owner-only: another user's schedule is "no such
//! schedule". The runs are made by [`run`], which every worker calls periodically.
//!
//! The first run is due as soon as the schedule is saved. Times come from the context's clock
//! (`Context::clock`), so that the tests can live through a year in seconds.

mod occurrences;
mod run;

pub use occurrences::PERIODS;
pub use run::{run_due, run_periodically};

use chrono::{DateTime, Months, NaiveDateTime, Utc};
use mesdonnees_db::ExportSchedule;
use mesdonnees_db::schedules;
use mesdonnees_infra::Context;
use mesdonnees_shared::exports::{Delivery, ExportOptions};
use mesdonnees_shared::{DocumentId, ErrorCode, Lang};

use crate::exports::{Settings, Settled, check_folders};
use crate::listing::{self, Listed};
use crate::{Actor, Error, templates};

/// A schedule to save: what its runs are of, how often, until when.
#[derive(Debug)]
pub struct Draft {
    /// A template of the owner's whose settings each run takes (at the time of the run); when
    /// absent, `settings` are saved with the schedule.
    pub template_id: Option<String>,
    pub settings: Settings,
    /// Months between two runs: one of [`PERIODS`].
    pub every_months: u32,
    /// No run at or after this; after now and at most a year ahead.
    pub until: DateTime<Utc>,
    /// Each run stays until its own expiry instead of expiring when the next one is ready.
    pub keep_runs: bool,
    /// The language the runs are named and written in.
    pub lang: Lang,
    /// Each run also copied there (the documents space), when it fits.
    pub deliver_to: Option<Delivery>,
}

/// Saves a new schedule of the owner's; its first run is due at once.
pub async fn create(ctx: &Context, actor: &Actor, draft: Draft) -> Result<ExportSchedule, Error> {
    let now = whole_seconds(ctx);
    let row = into_row(ctx, actor, draft, DocumentId::new().to_string(), now).await?;
    let saved = row.clone();
    if ctx.db.transaction(move |conn| schedules::insert(conn, &row)).await? {
        Ok(saved)
    } else {
        Err(Error::invalid(
            ErrorCode::TooManySchedules,
            format!("at most {} schedules per user", schedules::MAX_PER_OWNER),
        ))
    }
}

/// Replaces a schedule's settings, period and end: how a schedule is renewed. The series keeps
/// its anchor; a changed period, or a schedule that was over, goes on from now.
pub async fn update(
    ctx: &Context,
    actor: &Actor,
    raw_id: &str,
    draft: Draft,
) -> Result<ExportSchedule, Error> {
    let existing = owned(ctx, actor, raw_id).await?;
    let now = whole_seconds(ctx);
    let mut row = into_row(ctx, actor, draft, existing.id.clone(), now).await?;
    row.created_at = existing.created_at;
    row.anchor_at = existing.anchor_at;
    let was_over = existing.next_run_at >= existing.until_at;
    row.next_run_at = if row.every_months == existing.every_months && !was_over {
        existing.next_run_at
    } else {
        occurrences::first_after(row.anchor_at, period(&row), now)
    };
    let saved = row.clone();
    if ctx.db.run(move |conn| schedules::update(conn, &row)).await? {
        Ok(saved)
    } else {
        Err(Error::NotFound("schedule"))
    }
}

/// Deletes a schedule: no further run; the exports it made stay as they are.
pub async fn delete(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<(), Error> {
    let schedule = owned(ctx, actor, raw_id).await?;
    let owner = actor.owner().to_string();
    if ctx.db.run(move |conn| schedules::delete(conn, &owner, &schedule.id)).await? {
        Ok(())
    } else {
        Err(Error::NotFound("schedule"))
    }
}

/// One schedule of the owner's.
pub async fn get(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<ExportSchedule, Error> {
    owned(ctx, actor, raw_id).await
}

/// A page of the owner's schedules, oldest first.
pub async fn list(
    ctx: &Context,
    actor: &Actor,
    number: Option<i64>,
    size: Option<i64>,
) -> Result<Listed<ExportSchedule>, Error> {
    let page = listing::page(ctx, number, size)?;
    let owner = actor.owner().to_string();
    let found = ctx.db.run(move |conn| schedules::list(conn, &owner, page)).await?;
    Ok(Listed::of(page, found))
}

/// The next run of a schedule, `None` once it is over.
pub fn next_run(schedule: &ExportSchedule) -> Option<NaiveDateTime> {
    (schedule.next_run_at < schedule.until_at).then_some(schedule.next_run_at)
}

/// The owner's schedule with this id; anything else is no such schedule.
async fn owned(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<ExportSchedule, Error> {
    let id = DocumentId::parse(raw_id).map_err(|_| Error::NotFound("schedule"))?.to_string();
    let owner = actor.owner().to_string();
    ctx.db
        .read(move |conn| schedules::find_owned(conn, &owner, &id))
        .await?
        .ok_or(Error::NotFound("schedule"))
}

/// The row's period, as the series counts it.
fn period(row: &ExportSchedule) -> u32 {
    u32::try_from(row.every_months).unwrap_or(1)
}

/// The clock's now, to the second: the series' times compare equal once stored and read back.
fn whole_seconds(ctx: &Context) -> NaiveDateTime {
    use chrono::SubsecRound;
    ctx.clock.now().naive_utc().trunc_subsecs(0)
}

/// The row a draft makes: the period and end checked, the template found or the settings
/// settled like an export request's.
async fn into_row(
    ctx: &Context,
    actor: &Actor,
    draft: Draft,
    id: String,
    now: NaiveDateTime,
) -> Result<ExportSchedule, Error> {
    if !PERIODS.contains(&draft.every_months) {
        return Err(Error::invalid(
            ErrorCode::InvalidSchedule,
            "every_months is one of 1, 2, 3, 6 and 12",
        ));
    }
    let until = draft.until.naive_utc();
    let latest = now.checked_add_months(Months::new(12)).unwrap_or(NaiveDateTime::MAX);
    if until <= now || until > latest {
        return Err(Error::invalid(
            ErrorCode::InvalidSchedule,
            "until is after now and at most a year ahead",
        ));
    }
    let (template_id, apps, options) = if let Some(raw) = draft.template_id {
        let given = &draft.settings;
        if given.apps.is_some()
            || given.filters.is_some()
            || given.kind.is_some()
            || given.table.is_some()
        {
            return Err(Error::invalid(
                ErrorCode::InvalidRequest,
                "a schedule takes a template or its own settings, not both",
            ));
        }
        (Some(templates::owned(ctx, actor, &raw).await?.id), None, None)
    } else {
        let Settled { apps, filters, kind, table } = draft.settings.settle(ctx)?;
        check_folders(ctx, actor, &filters).await?;
        let options = ExportOptions {
            filters,
            kind,
            table,
            lang: draft.lang,
            notify_email: None,
            deliver_to: None,
            part_size_bytes: None,
        };
        (
            None,
            Some(serde_json::to_string(&apps).map_err(Error::unexpected)?),
            Some(serde_json::to_string(&options).map_err(Error::unexpected)?),
        )
    };
    Ok(ExportSchedule {
        id,
        owner_id: actor.owner().to_string(),
        owner_name: actor.owner_name().map(str::to_owned),
        template_id,
        apps,
        options,
        every_months: i32::try_from(draft.every_months).unwrap_or(1),
        anchor_at: now,
        until_at: until,
        next_run_at: now,
        keep_runs: draft.keep_runs,
        lang: draft.lang.tag().to_owned(),
        created_at: now,
        updated_at: now,
        deliver_to: draft
            .deliver_to
            .and_then(|d| serde_json::to_value(d).ok())
            .and_then(|v| v.as_str().map(str::to_owned)),
    })
}
