//! The leavers' window: an administrator or an operator declares a user whose account closes
//! at a date. The workers then prepare an export of all their data, tell them in their
//! timeline and by e-mail (their guardian's address instead, for a minor) with a link that
//! downloads it without logging in until the date, remind them at `leavers.reminder_days`
//! while they have not downloaded it, and close the window at the date: the export then
//! expires as any other. Every step is in the audit log.
//!
//! Declaring the same user again changes the row, never adds an export: a new date (or a link
//! revoked meanwhile) sends a new notice with a new date; an export that failed, was deleted or
//! expired is prepared again. So an interrupted `mesdonnees leavers` is simply run again.
//!
//! Times are the context's clock, as for schedules, so the tests can live through a window;
//! the export's own expiry is written in the system's time when the window closes, which the
//! cleanup reads.
//!
//! Pitfall: a closing day is the ENT's (`locale.time_zone`), not UTC's: « le 30 juin » closes
//! at midnight in Paris, two hours before midnight UTC in summer, and the words told read the
//! closing instant back in that zone (`shared::leavers::closing_day`), so they say that day.

mod link;
mod status;
mod steps;

pub use link::{check_link, downloaded};
pub use status::{Listed as LeaverListed, Status, Viewed};
pub(crate) use steps::record_export;
pub use steps::{Pass, run_due, run_periodically};

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use mesdonnees_db::{AuditEntry, Leaver, audit, leavers};
use mesdonnees_infra::Context;
use mesdonnees_shared::exports::valid_email;
use mesdonnees_shared::{DocumentId, ErrorCode, Lang, UserId, Zone};

use crate::listing::{self};
use crate::{Actor, Error};

/// The audit log's actor for the steps the workers take on their own.
pub(crate) const SYSTEM: &str = "system";

/// When a leaver's account closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// As this day begins in the ENT's time zone: the day they are told.
    Day(NaiveDate),
    /// At this instant.
    At(DateTime<Utc>),
}

impl Closing {
    /// The instant the account closes, a day read in `zone`.
    pub fn instant(self, zone: Zone) -> DateTime<Utc> {
        match self {
            Self::Day(day) => zone.start_of(day),
            Self::At(at) => at,
        }
    }
}

/// A user declared as leaving.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// When their account closes: after now, at most `leavers.max_window_days` ahead.
    pub until: Closing,
    /// Their address; kept from an earlier declaration when absent.
    pub email: Option<String>,
    /// A guardian's address, written to instead of theirs (a minor); kept when absent.
    pub guardian_email: Option<String>,
    /// The language they are written to in; kept when absent (French at first).
    pub lang: Option<Lang>,
}

/// Whether a declaration made a new leaver or changed one.
#[derive(Debug)]
pub enum Declared {
    New(Box<Viewed>),
    Changed(Box<Viewed>),
}

/// Declares the actor's user as leaving (`actor` is an administrator or an operator acting for
/// them). Idempotent: the same declaration twice is one leaver and one export.
pub async fn declare(ctx: &Context, actor: &Actor, draft: Declaration) -> Result<Declared, Error> {
    let Some(declared_by) = actor.audit_name() else {
        return Err(Error::Forbidden {
            code: ErrorCode::Forbidden,
            detail: "only an administrator or an operator declares a leaver".into(),
        });
    };
    let now = now(ctx);
    let until = draft.until.instant(ctx.config.locale.time_zone).naive_utc().trunc_subsecs(0);
    check(ctx, &draft, until, now)?;
    let user = actor.owner().to_string();
    let outcome = ctx
        .db
        .transaction(move |conn| {
            leavers::lock(conn, &user)?;
            let existing = leavers::find(conn, &user)?;
            let export_status = match existing.as_ref().and_then(|l| l.export_id.clone()) {
                Some(id) => leavers::export_statuses(conn, &[id])?.pop().map(|(_, s)| s),
                None => None,
            };
            let is_new = existing.is_none();
            let row =
                merged(existing, &draft, until, &user, &declared_by, export_status.as_deref(), now);
            leavers::save(conn, &row)?;
            if let Some(export_id) = &row.export_id {
                // A new date moves the ready export's expiry with it.
                leavers::keep_until_closing(conn, export_id)?;
            }
            let resource = row.export_id.as_deref();
            audit::record(conn, &entry(&declared_by, "leaver.declare", &user, resource))?;
            Ok((is_new, row))
        })
        .await?;
    let (is_new, row) = outcome;
    let viewed = status::view(ctx, row).await?;
    Ok(if is_new { Declared::New(Box::new(viewed)) } else { Declared::Changed(Box::new(viewed)) })
}

/// Revokes every download link given to the leaver so far; recorded in the audit log.
/// Declaring them again sends a new one.
pub async fn revoke_link(ctx: &Context, actor: &Actor) -> Result<Viewed, Error> {
    let Some(by) = actor.audit_name() else { return Err(Error::NotFound("leaver")) };
    let user = actor.owner().to_string();
    let now = now(ctx);
    let row = ctx
        .db
        .transaction(move |conn| {
            let new_link = DocumentId::new().to_string();
            if !leavers::revoke_link(conn, &user, &new_link, now)? {
                return Ok(None);
            }
            let row = leavers::find(conn, &user)?;
            let resource = row.as_ref().and_then(|r| r.export_id.as_deref());
            audit::record(conn, &entry(&by, "leaver.link_revoke", &user, resource))?;
            Ok(row)
        })
        .await?
        .ok_or(Error::NotFound("leaver"))?;
    status::view(ctx, row).await
}

/// One leaver, with their status.
pub async fn get(ctx: &Context, raw_user: &str) -> Result<Viewed, Error> {
    let user = UserId::parse(raw_user).map_err(|_| Error::NotFound("leaver"))?.to_string();
    let row = ctx
        .db
        .run(move |conn| leavers::find(conn, &user))
        .await?
        .ok_or(Error::NotFound("leaver"))?;
    status::view(ctx, row).await
}

/// A page of leavers, by closing date, each with their status.
pub async fn list(
    ctx: &Context,
    number: Option<i64>,
    size: Option<i64>,
) -> Result<LeaverListed, Error> {
    let page = listing::page(ctx, number, size)?;
    let found = ctx.db.run(move |conn| leavers::list(conn, page)).await?;
    status::view_page(ctx, page, found).await
}

/// The clock's now, to the second: the dates compare equal once stored and read back.
fn now(ctx: &Context) -> NaiveDateTime {
    ctx.clock.now().naive_utc().trunc_subsecs(0)
}

/// The date within the window the configuration allows, the addresses addresses.
fn check(
    ctx: &Context,
    draft: &Declaration,
    until: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let max_days = i64::from(ctx.config.leavers.max_window_days);
    if until <= now || until > now + chrono::Duration::days(max_days) {
        return Err(Error::invalid(
            ErrorCode::InvalidClosingDate,
            format!(
                "until is after now and at most {max_days} days ahead (leavers.max_window_days)"
            ),
        ));
    }
    for (name, value) in [("email", &draft.email), ("guardian_email", &draft.guardian_email)] {
        if value.as_deref().is_some_and(|v| !valid_email(v)) {
            return Err(Error::invalid(
                ErrorCode::InvalidRequest,
                format!("{name} is not an e-mail address"),
            ));
        }
    }
    Ok(())
}

/// The row a declaration leaves: the existing one changed, or a new one.
fn merged(
    existing: Option<Leaver>,
    draft: &Declaration,
    until: NaiveDateTime,
    user: &str,
    declared_by: &str,
    export_status: Option<&str>,
    now: NaiveDateTime,
) -> Leaver {
    let Some(mut row) = existing else {
        return Leaver {
            user_id: user.to_owned(),
            until_at: until,
            email: draft.email.clone(),
            guardian_email: draft.guardian_email.clone(),
            lang: draft.lang.unwrap_or_default().tag().to_owned(),
            export_id: None,
            export_error: None,
            link_id: DocumentId::new().to_string(),
            link_revoked_at: None,
            notified_at: None,
            reminded_days: None,
            downloaded_at: None,
            expired_at: None,
            declared_by: declared_by.to_owned(),
            created_at: now,
            updated_at: now,
        };
    };
    // An export that can no longer be downloaded, or none for a refusal: prepared again.
    let export_usable = matches!(export_status, Some("queued" | "running" | "ready"));
    if !export_usable || row.export_error.is_some() {
        row.export_id = None;
        row.export_error = None;
        row.notified_at = None;
        row.downloaded_at = None;
    }
    // A new date, a revoked link or a closed window: told again, with the new date.
    if row.until_at != until || row.link_revoked_at.is_some() || row.expired_at.is_some() {
        row.notified_at = None;
        row.reminded_days = None;
        row.link_revoked_at = None;
        row.expired_at = None;
    }
    row.until_at = until;
    row.email = draft.email.clone().or(row.email);
    row.guardian_email = draft.guardian_email.clone().or(row.guardian_email);
    if let Some(lang) = draft.lang {
        lang.tag().clone_into(&mut row.lang);
    }
    declared_by.clone_into(&mut row.declared_by);
    row.updated_at = now;
    row
}

/// An audit entry about `user`, at the system's time as every entry of the log.
fn entry(actor: &str, action: &str, user: &str, resource: Option<&str>) -> AuditEntry {
    AuditEntry {
        id: DocumentId::new().to_string(),
        actor_id: actor.to_owned(),
        action: action.to_owned(),
        target_user_id: Some(user.to_owned()),
        resource_id: resource.map(str::to_owned),
        created_at: mesdonnees_db::models::now(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use mesdonnees_shared::Zone;
    use mesdonnees_shared::leavers::closing_day;

    use super::Closing;

    #[test]
    fn a_closing_day_closes_at_midnight_in_the_ents_zone_and_is_told_as_that_day() {
        let june_30 = NaiveDate::from_ymd_opt(2027, 6, 30).expect("a day");
        let closes = Closing::Day(june_30).instant(Zone::PARIS);
        // Midnight in Paris, not at UTC's: two hours earlier in summer.
        let paris_midnight = Utc.with_ymd_and_hms(2027, 6, 29, 22, 0, 0).single().expect("UTC");
        assert_eq!(closes, paris_midnight);
        assert_eq!(closing_day(Zone::PARIS, closes.naive_utc()), june_30, "« le 30 juin »");
        // A minute before, the account is still open on the 29th in Paris.
        let before = closes - chrono::Duration::minutes(1);
        assert_eq!(Zone::PARIS.local(before).date(), june_30.pred_opt().expect("the 29th"));
        let cayenne = Zone::parse("America/Cayenne").expect("a zone");
        let later = Utc.with_ymd_and_hms(2027, 6, 30, 3, 0, 0).single().expect("UTC");
        assert_eq!(Closing::Day(june_30).instant(cayenne), later);
        // An instant is kept as given, whatever the zone.
        assert_eq!(Closing::At(later).instant(Zone::PARIS), later);
    }
}
