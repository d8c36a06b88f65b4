//! Where a leaver stands, as the admin listing shows it: worked out from their row and their
//! export's status, so it never disagrees with them.

use chrono::NaiveDateTime;
use mesdonnees_db::{Leaver, Page, leavers};
use mesdonnees_infra::Context;

use crate::Error;

/// A leaver's status, the furthest step reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Their export is being made (or waits for their export in progress to end).
    Preparing,
    /// Their export is ready; they are told at the next pass.
    Prepared,
    /// Told in their timeline and, with an address, by e-mail.
    Notified,
    /// They downloaded their export.
    Downloaded,
    /// The closing date has passed: the link no longer works and the export expires.
    Expired,
    /// Their export failed, was refused (`export_error`) or deleted: declare them again.
    Failed,
}

/// A leaver and their status.
#[derive(Debug, Clone)]
pub struct Viewed {
    pub leaver: Leaver,
    pub status: Status,
}

/// A page of leavers.
pub type Listed = crate::listing::Listed<Viewed>;

/// The status of a row whose export has `export_status` (`None`: none, or no longer a row).
pub fn status_of(row: &Leaver, export_status: Option<&str>) -> Status {
    if row.expired_at.is_some() {
        return Status::Expired;
    }
    if row.downloaded_at.is_some() {
        return Status::Downloaded;
    }
    if row.export_error.is_some() {
        return Status::Failed;
    }
    match (row.export_id.as_deref(), export_status) {
        (None, _) | (Some(_), Some("queued" | "running")) => Status::Preparing,
        (Some(_), Some("ready")) if row.notified_at.is_some() => Status::Notified,
        (Some(_), Some("ready")) => Status::Prepared,
        _ => Status::Failed,
    }
}

/// One row with its status.
pub(super) async fn view(ctx: &Context, row: Leaver) -> Result<Viewed, Error> {
    let page = Page { number: 1, size: 1 };
    let mut listed = view_page(ctx, page, (vec![row], 1)).await?;
    listed.items.pop().ok_or_else(|| Error::unexpected(anyhow::anyhow!("a row without its view")))
}

/// Rows with their statuses, their exports read in one query.
pub(super) async fn view_page(
    ctx: &Context,
    page: Page,
    (rows, total): (Vec<Leaver>, i64),
) -> Result<Listed, Error> {
    let ids: Vec<String> = rows.iter().filter_map(|r| r.export_id.clone()).collect();
    let statuses = ctx.db.run(move |conn| leavers::export_statuses(conn, &ids)).await?;
    let items = rows
        .into_iter()
        .map(|leaver| {
            let export = leaver
                .export_id
                .as_deref()
                .and_then(|id| statuses.iter().find(|(e, _)| e == id).map(|(_, s)| s.as_str()));
            Viewed { status: status_of(&leaver, export), leaver }
        })
        .collect();
    Ok(Listed { items, page: page.number, per_page: page.size, total })
}

/// The delay of the reminder due at `now` for a window closing at `until`: the shortest of
/// `delays` (days) whose time has come. `None` before the first.
pub fn due_reminder(delays: &[u32], until: NaiveDateTime, now: NaiveDateTime) -> Option<u32> {
    delays.iter().copied().filter(|d| now >= until - chrono::Duration::days(i64::from(*d))).min()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::due_reminder;

    #[test]
    fn the_reminder_due_is_the_shortest_delay_reached() {
        let until = NaiveDate::from_ymd_opt(2027, 7, 4).and_then(|d| d.and_hms_opt(0, 0, 0));
        let until = until.expect("a date");
        let days = |n| until - chrono::Duration::days(n);
        assert_eq!(due_reminder(&[30, 10], until, days(31)), None);
        assert_eq!(due_reminder(&[30, 10], until, days(30)), Some(30));
        assert_eq!(due_reminder(&[10, 30], until, days(12)), Some(30));
        assert_eq!(due_reminder(&[30, 10], until, days(3)), Some(10), "missed ones are one");
        assert_eq!(due_reminder(&[], until, days(3)), None);
    }
}
