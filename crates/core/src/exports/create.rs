//! Creating an export: the request completed by its template, checked, then in one transaction
//! the creation rate limit, the reuse of an identical export, the one-export-at-a-time rule, the
//! archive quota and, for a delivery into the documents space, its quota, before the row and its
//! job are written.
//!
//! "Now" here is the context's clock (the reuse window, the rate limit, the default name), so
//! that recurring exports, which call this use case, can be tested over a simulated year. A
//! scheduled run claims its occurrence in the same transaction that writes the export: the
//! claim and the export exist together or not at all.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use mesdonnees_db::{
    CorruptColumn, Export, ExportTemplate, creations, documents, exports, jobs, leavers, schedules,
};
use mesdonnees_infra::Context;
use mesdonnees_shared::exports::{Delivery, ExportOptions, NAME_MAX_CHARS, valid_email};
use mesdonnees_shared::jobs::JobPayload;
use mesdonnees_shared::{DocumentId, ErrorCode, JobId, Lang};

use super::size::{Shape, sizes_in, total};
use super::{Settings, Settled, check_folders};
use crate::{Actor, Error, audit, names, templates};

/// What is asked for.
#[derive(Debug, Default)]
pub struct Request {
    /// A saved template of the owner's: its settings, each overridden by the same member of
    /// `settings` when given; its name names the export.
    pub template_id: Option<String>,
    /// A name for the owner's list; the template's, or « Mes données du 7 décembre 2026 » in
    /// the request's language, the day on the ENT's clock.
    pub name: Option<String>,
    /// Also send an e-mail here when the archive is ready or failed.
    pub notify_email: Option<String>,
    pub settings: Settings,
    /// The language of the person asking: the archive's viewer speaks it.
    pub lang: Lang,
    /// Also copy the finished file there; refused before anything starts when it would not
    /// fit.
    pub deliver_to: Option<Delivery>,
    /// Write the archive as parts of about this many bytes, within
    /// `exports.{min,max}_part_size_bytes`.
    pub part_size_bytes: Option<u64>,
}

/// What a request made by the service itself takes with the export it makes, in the same
/// transaction: an occurrence of a schedule, or a leaver's preparation.
#[derive(Debug, Clone)]
pub(crate) enum Claim {
    Schedule(Occurrence),
    /// The leaver (the owner) whose export this is: attached to their row, or the refusal
    /// recorded there.
    Leaver,
}

/// The occurrence of a recurring export a request runs: claimed with the export it makes.
#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    pub schedule_id: String,
    /// The schedule's `next_run_at` as read: the claim holds only if it is still that.
    pub due: NaiveDateTime,
    /// What `next_run_at` becomes.
    pub next: NaiveDateTime,
}

/// What creating an export came to: a new one, queued, or an identical one reused.
#[derive(Debug)]
pub enum Made {
    Queued(Box<Export>),
    Reused(Box<Export>),
}

impl Made {
    pub fn export(&self) -> &Export {
        match self {
            Self::Queued(e) | Self::Reused(e) => e,
        }
    }

    pub fn into_export(self) -> Export {
        match self {
            Self::Queued(e) | Self::Reused(e) => *e,
        }
    }
}

/// Creates (or reuses) an export of the actor's owner's data. Asking again for an export
/// identical to one in progress, or ready since less than `exports.reuse_window_secs`,
/// answers that one instead of building it twice.
pub async fn create(ctx: &Context, actor: &Actor, request: Request) -> Result<Made, Error> {
    let made = create_unaudited(ctx, actor, request, None)
        .await?
        .ok_or_else(|| Error::unexpected(anyhow::anyhow!("an unscheduled export has no claim")))?;
    audit::record(ctx, actor, "export.create", Some(&made.export().id)).await?;
    Ok(made)
}

/// Runs one occurrence of a schedule, or prepares a leaver's export: `None` when another
/// worker claimed it first. A refusal that time may lift (the owner's export in progress, the
/// rate limit) leaves the claim to be tried again; a refusal of this export itself (the
/// quota) uses it up (a leaver's row records it).
pub(crate) async fn create_claimed(
    ctx: &Context,
    actor: &Actor,
    request: Request,
    claim: Claim,
) -> Result<Option<Made>, Error> {
    create_unaudited(ctx, actor, request, Some(claim)).await
}

/// The context's "now", to the microsecond the database keeps.
pub(crate) fn clock_now(ctx: &Context) -> DateTime<Utc> {
    ctx.clock.now().trunc_subsecs(6)
}

async fn create_unaudited(
    ctx: &Context,
    actor: &Actor,
    request: Request,
    claim: Option<Claim>,
) -> Result<Option<Made>, Error> {
    let owner = actor.owner().to_string();
    let template = match &request.template_id {
        Some(raw) => Some(templates::owned(ctx, actor, raw).await?),
        None => None,
    };
    let lang = request.lang;
    let deliver_to = request.deliver_to;
    let part_size = request.part_size_bytes;
    let now = clock_now(ctx);
    let (mut export, settled) = new_export(ctx, actor, request, template, now)?;
    // A scheduled run keeps the folders that are still there rather than failing each time
    // once one is deleted: the walk leaves out a folder it does not find.
    if claim.is_none() {
        check_folders(ctx, actor, &settled.filters).await?;
    }
    let reuse_since = (now
        - chrono::Duration::seconds(
            i64::try_from(ctx.config.exports.reuse_window_secs).unwrap_or(0),
        ))
    .naive_utc();
    let reuse = ctx.config.exports.reuse_window_secs > 0;
    let Settled { apps, filters, kind, table } = settled.clone();
    let shape = Shape { kind, columns: table.map_or(0, |t| t.fields.len() as u64) };
    let quota = ctx.config.exports.user_archive_quota_bytes;
    let documents_quota = ctx.config.limits.user_quota_bytes;
    let max_attempts = ctx.config.queue.max_attempts;
    let per_minute = ctx.config.limits.creations_per_minute;
    // One transaction, few statements: creating an export is the API's busiest write.
    let outcome = ctx
        .db
        .transaction(move |conn| {
            // Counted in the database, not in this process: several API processes share the
            // count, and deleting an export does not give its creation back.
            let now = now.naive_utc();
            let limited = creations::admit(conn, &owner, per_minute, now)?;
            let take = |conn: &mut mesdonnees_db::DbConnection, id: &str, code: Option<&str>| {
                take_claim(conn, claim.as_ref(), &owner, id, code)
            };
            // Under the owner's lock (`admit`), so two identical requests at once find each
            // other. A reused export is not a creation: not counted, nor refused by the limit.
            // Nor is it a run of the schedule, when an occurrence reuses it: it is the owner's
            // (or an earlier run's), and the schedule's next run must not make it expire.
            if reuse {
                for same in exports::reusable(conn, &owner, reuse_since)? {
                    match same_request(&same, &settled, lang, (deliver_to, part_size)) {
                        Ok(true) if take(conn, &same.id, None)? => {
                            return Ok(Created::Reused(Box::new(same)));
                        }
                        Ok(true) => return Ok(Created::Taken),
                        Ok(false) => {}
                        Err(e) => return Ok(Created::Corrupt(e)),
                    }
                }
            }
            if let Some(retry_after) = limited {
                return Ok(Created::RateLimited { retry_after });
            }
            // The owner's creations wait for this transaction (`admit`), so no other export
            // of theirs can start between this check and the insert.
            let standing = exports::standing(conn, &owner)?;
            if let Some(running) = standing.active {
                return Ok(Created::Busy(running));
            }
            let bytes = total(&sizes_in(conn, &owner, &apps, &filters, shape)?).bytes;
            let used = u64::try_from(standing.ready_bytes).unwrap_or(0);
            let refused = if used.saturating_add(bytes) > quota {
                Some(Created::OverQuota { used, bytes })
            } else {
                documents_full(conn, &owner, deliver_to, bytes, documents_quota)?
            };
            // An occurrence refused by a quota is used up, like one that runs.
            let code = refused.as_ref().and_then(Created::code).map(ErrorCode::as_str);
            if !take(conn, &export.id, code)? {
                return Ok(Created::Taken);
            }
            if let Some(refused) = refused {
                return Ok(refused);
            }
            let job = jobs::create(
                conn,
                &JobPayload::Export { export_id: export.id.clone() },
                max_attempts,
            )?;
            export.job_id = Some(job.to_string());
            exports::insert_checked(conn, &export)?;
            if let Some(Claim::Schedule(run)) = &claim {
                schedules::record_run(conn, &run.schedule_id, &export.id, run.due)?;
            }
            creations::record(conn, &export.id, &owner, now)?;
            Ok(Created::Queued(job, Box::new(export)))
        })
        .await?;
    let (job, export) = match outcome {
        Created::Queued(job, export) => (job, export),
        Created::Reused(export) => return Ok(Some(Made::Reused(export))),
        Created::Taken => return Ok(None),
        refused => return Err(refusal(refused, quota, documents_quota)),
    };
    if let Err(e) = ctx.queue.push(job).await {
        tracing::warn!(job_id = %job, error = %e, "export job not enqueued now; the reconciler will");
    }
    Ok(Some(Made::Queued(export)))
}

/// Takes the claim, if there is one, with the export `id` (or the refusal's `code`); `false`
/// when another worker has it.
fn take_claim(
    conn: &mut mesdonnees_db::DbConnection,
    claim: Option<&Claim>,
    owner: &str,
    id: &str,
    code: Option<&str>,
) -> Result<bool, mesdonnees_db::DbError> {
    match claim {
        Some(Claim::Schedule(run)) => schedules::claim(conn, &run.schedule_id, run.due, run.next),
        Some(Claim::Leaver) => {
            let taken = match code {
                Some(code) => leavers::refuse(conn, owner, code)?,
                None => leavers::attach_export(conn, owner, id)?,
            };
            if taken {
                crate::leavers::record_export(conn, owner, id, code)?;
            }
            Ok(taken)
        }
        None => Ok(true),
    }
}

/// For a delivery into the documents space, whether the export would not fit there. The
/// estimate counts the files whole: the archive, compressed, is no larger but for its small
/// headers and pages, so a refusal here is never a needless one.
fn documents_full(
    conn: &mut mesdonnees_db::DbConnection,
    owner: &str,
    deliver_to: Option<Delivery>,
    bytes: u64,
    quota: u64,
) -> Result<Option<Created>, mesdonnees_db::DbError> {
    if deliver_to != Some(Delivery::Documents) {
        return Ok(None);
    }
    let held = u64::try_from(documents::used_bytes(conn, owner)?).unwrap_or(0);
    Ok((held.saturating_add(bytes) > quota).then_some(Created::DocumentsFull { held, bytes }))
}

/// The error of a creation the rules refused.
fn refusal(outcome: Created, quota: u64, documents_quota: u64) -> Error {
    match outcome {
        Created::Corrupt(e) => e.into(),
        Created::OverQuota { used, bytes } => over_archive_quota(used, bytes, quota),
        Created::DocumentsFull { held, bytes } => {
            over_documents_quota(held, bytes, documents_quota)
        }
        Created::RateLimited { retry_after } => Error::RateLimited { retry_after },
        Created::Busy(running) => Error::conflict(
            ErrorCode::ExportInProgress,
            format!("export {running} is in progress; wait for it or cancel it"),
        ),
        Created::Queued(..) | Created::Reused(_) | Created::Taken => {
            Error::unexpected(anyhow::anyhow!("a made export is no refusal"))
        }
    }
}

fn over_archive_quota(used: u64, bytes: u64, quota: u64) -> Error {
    Error::invalid(
        ErrorCode::ArchiveQuotaExceeded,
        format!(
            "this export (about {bytes} bytes) and your ready archives ({used} bytes) exceed the \
             {quota}-byte archive quota; delete an archive or export less"
        ),
    )
}

fn over_documents_quota(held: u64, bytes: u64, quota: u64) -> Error {
    Error::invalid(
        ErrorCode::DocumentsQuotaExceeded,
        format!(
            "this export (about {bytes} bytes) and your documents ({held} bytes) exceed the \
             {quota}-byte storage quota; free some space or do not deliver it to your documents"
        ),
    )
}

/// Whether an existing export was asked with the same settings (the e-mail aside), in the same
/// language, which its archive speaks, and for the same delivery.
fn same_request(
    export: &Export,
    settled: &Settled,
    lang: Lang,
    (deliver_to, part_size): (Option<Delivery>, Option<u64>),
) -> Result<bool, CorruptColumn> {
    let options = export.export_options()?;
    Ok(export.app_ids()? == settled.apps
        && options.lang == lang
        && options.deliver_to == deliver_to
        && options.part_size_bytes == part_size
        && options.filters == settled.filters
        && options.kind == settled.kind
        && options.table == settled.table)
}

/// Validates the request, completed by its template, into a new export row.
fn new_export(
    ctx: &Context,
    actor: &Actor,
    request: Request,
    template: Option<ExportTemplate>,
    now: DateTime<Utc>,
) -> Result<(Export, Settled), Error> {
    let (settings, template_name) = match template {
        Some(t) => (request.settings.or(templates::settings_of(&t)?), Some(t.name)),
        None => (request.settings, None),
    };
    let settled = settings.settle(ctx)?;
    check_part_size(ctx, (request.part_size_bytes, request.deliver_to), &settled)?;
    let name = match request.name.or(template_name).map(|n| n.trim().to_owned()) {
        Some(n) if !names::acceptable(&n, NAME_MAX_CHARS) => {
            return Err(Error::invalid(
                ErrorCode::InvalidName,
                format!(
                    "an export name has 1 to {NAME_MAX_CHARS} characters and no control character"
                ),
            ));
        }
        Some(n) => n,
        None => default_name(request.lang, ctx.config.locale.time_zone.local(now).date()),
    };
    if let Some(email) = &request.notify_email
        && !valid_email(email)
    {
        return Err(Error::invalid(
            ErrorCode::InvalidRequest,
            "notify_email is not an e-mail address",
        ));
    }
    let export = Export::queued(
        DocumentId::new().to_string(),
        actor.owner().to_string(),
        actor.owner_name().map(str::to_owned),
        name,
        serde_json::to_string(&settled.apps).map_err(Error::unexpected)?,
        serde_json::to_string(&ExportOptions {
            filters: settled.filters.clone(),
            notify_email: request.notify_email,
            kind: settled.kind,
            table: settled.table.clone(),
            lang: request.lang,
            deliver_to: request.deliver_to,
            part_size_bytes: request.part_size_bytes,
        })
        .map_err(Error::unexpected)?,
    );
    Ok((export, settled))
}

/// The name of an export its owner did not name: the day it was asked, as the page writes it
/// (its placeholder says the same).
fn default_name(lang: Lang, day: chrono::NaiveDate) -> String {
    match lang {
        Lang::Fr => format!("Mes données du {}", lang.date(day)),
        Lang::En => format!("My data of {}", lang.date(day)),
    }
}

/// A part size within the configured bounds. An archive in parts has no index table and is
/// not copied into the documents space: both are made of the whole archive.
fn check_part_size(
    ctx: &Context,
    (part_size, deliver_to): (Option<u64>, Option<Delivery>),
    settled: &Settled,
) -> Result<(), Error> {
    let Some(size) = part_size else { return Ok(()) };
    let (min, max) =
        (ctx.config.exports.min_part_size_bytes, ctx.config.exports.max_part_size_bytes);
    if settled.kind == mesdonnees_shared::tables::ExportKind::Table
        || settled.table.is_some()
        || deliver_to.is_some()
    {
        return Err(Error::invalid(
            ErrorCode::PartSizeOutOfRange,
            "part_size_bytes is for an archive without index table nor deliver_to",
        ));
    }
    if !(min..=max).contains(&size) {
        return Err(Error::invalid(
            ErrorCode::PartSizeOutOfRange,
            format!("part_size_bytes is between {min} and {max}"),
        ));
    }
    Ok(())
}

impl Created {
    /// The code of a refusal by a quota, which uses a claim up.
    fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::OverQuota { .. } => Some(ErrorCode::ArchiveQuotaExceeded),
            Self::DocumentsFull { .. } => Some(ErrorCode::DocumentsQuotaExceeded),
            _ => None,
        }
    }
}

enum Created {
    Queued(JobId, Box<Export>),
    Reused(Box<Export>),
    Busy(String),
    OverQuota {
        used: u64,
        bytes: u64,
    },
    DocumentsFull {
        held: u64,
        bytes: u64,
    },
    RateLimited {
        retry_after: u64,
    },
    /// A candidate for reuse whose stored settings do not decode.
    Corrupt(CorruptColumn),
    /// The occurrence this request runs was claimed by another worker.
    Taken,
}
