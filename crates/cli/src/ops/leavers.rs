//! `mesdonnees leavers --users FILE --until DATE [--lang fr|en] [--no-wait]`: declares the
//! users of the file as leaving, their accounts closing at DATE (the users file of `transfer`,
//! with optional e-mail and guardian's e-mail columns, see [`super::users_file`]). Each
//! declaration is the admin API's (`PUT /admin/leavers/{user}`): idempotent, so a rerun after a
//! kill declares the same users again, changes nothing that was done and goes on with the rest.
//! Then, unless `--no-wait`, it takes the leavers' steps due and follows the users until each
//! export is made (or refused), within `operator.wait_timeout_secs`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use mesdonnees_core::leavers::{self, Closing, Declaration, Status, Viewed};
use mesdonnees_shared::Lang;

use super::users_file::{self, UserLine};
use super::{Exit, OpError, Operator};

/// Pause between two passes while following the users.
const POLL: Duration = Duration::from_millis(500);

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Users file: one user a line, `user_id[,email[,guardian_email]]` (a comma, a semicolon or a tab
between columns; an empty column is no address). The guardian's address is written to instead
of the user's. Blank lines and lines starting with # are ignored.

Exit codes:
  0  every user declared, and their export made (unless --no-wait)
  1  a user's export failed or was refused, or was not made in time
  2  usage or configuration error (users file, date)")]
pub struct LeaversArgs {
    /// The users file.
    #[arg(long)]
    pub users: PathBuf,
    /// When their accounts close: a day (YYYY-MM-DD, as it begins in `locale.time_zone`) or
    /// an RFC 3339 time.
    #[arg(long)]
    pub until: String,
    /// The language they are written to in (fr or en); kept for users declared before.
    #[arg(long)]
    pub lang: Option<String>,
    /// Declare only: the deployment's workers make the exports and send the e-mails.
    #[arg(long)]
    pub no_wait: bool,
}

pub async fn run(op: &Operator, args: LeaversArgs) -> Result<Exit, OpError> {
    let until = closing(&args.until)?;
    let lang = match args.lang.as_deref() {
        None => None,
        Some(tag) => Some(
            Lang::from_tag(tag)
                .ok_or_else(|| OpError::Usage(format!("--lang {tag:?}: fr or en")))?,
        ),
    };
    let max = op.ctx.config.leavers.max_file_users;
    let lines = users_file::read(&args.users, max, true)?;
    let closes = until.instant(op.ctx.config.locale.time_zone);
    eprintln!("{} leavers, accounts closing on {closes}", lines.len());
    for UserLine { user, email, guardian_email } in &lines {
        let draft = Declaration {
            until,
            email: email.clone(),
            guardian_email: guardian_email.clone(),
            lang,
        };
        leavers::declare(&op.ctx, &op.acting_for(user.clone()), draft).await?;
    }
    let users: Vec<String> = lines.iter().map(|l| l.user.to_string()).collect();
    let found =
        if args.no_wait { now_standing(op, &users).await? } else { follow(op, &users).await? };
    Ok(summary(&found))
}

/// The closing day or time of `--until`.
fn closing(raw: &str) -> Result<Closing, OpError> {
    if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(Closing::Day(day));
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| Closing::At(t.with_timezone(&Utc)))
        .map_err(|_| OpError::Usage(format!("--until {raw:?}: YYYY-MM-DD or an RFC 3339 time")))
}

async fn now_standing(op: &Operator, users: &[String]) -> Result<Vec<Viewed>, OpError> {
    let mut found = Vec::with_capacity(users.len());
    for user in users {
        found.push(leavers::get(&op.ctx, user).await?);
    }
    Ok(found)
}

/// Takes the steps due and reads the users again until none is still preparing.
async fn follow(op: &Operator, users: &[String]) -> Result<Vec<Viewed>, OpError> {
    let started = Instant::now();
    let wait = Duration::from_secs(op.ctx.config.operator.wait_timeout_secs);
    loop {
        leavers::run_due(&op.ctx).await?;
        let found = now_standing(op, users).await?;
        let preparing = found.iter().filter(|v| v.status == Status::Preparing).count();
        if preparing == 0 || started.elapsed() >= wait {
            return Ok(found);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Prints a line per user and the summary; exit 1 when one is not through.
fn summary(found: &[Viewed]) -> Exit {
    let mut failed = 0;
    for Viewed { leaver, status } in found {
        let status = match status {
            Status::Preparing => "preparing",
            Status::Prepared => "prepared",
            Status::Notified => "notified",
            Status::Downloaded => "downloaded",
            Status::Expired => "expired",
            Status::Failed => {
                failed += 1;
                "failed"
            }
        };
        let export = leaver.export_id.as_deref().unwrap_or("-");
        let error = leaver.export_error.as_deref().map(|e| format!(" {e}")).unwrap_or_default();
        println!("{} {status} export {export}{error}", leaver.user_id);
    }
    println!("summary: {} declared, {failed} failed", found.len());
    if failed > 0 { Exit::Failed } else { Exit::Done }
}
