//! Timeline entries for the user.

use mesdonnees_db::{DbConnection, DbError, Export, Notification, jobs, notifications};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::error_code::FailureCode;
use mesdonnees_shared::jobs::JobPayload;
use mesdonnees_shared::{DocumentId, JobId, Lang};
use serde_json::json;

use crate::error::JobError;
use crate::export_mail::Email;

/// Creates the e-mail job of a finished export, in the caller's transaction, when its owner
/// asked for an e-mail and SMTP is configured. Push the returned job after the commit.
pub(crate) fn email_job(
    conn: &mut DbConnection,
    ctx: &Context,
    export: &Export,
) -> Result<Option<JobId>, DbError> {
    let options = match export.export_options() {
        Ok(options) => options,
        Err(e) => {
            // Only an export that failed anyway gets here with such a row (a running one reads
            // its options first): its failure is recorded, its e-mail cannot be addressed.
            tracing::error!(error = %e, "export e-mail not sent");
            return Ok(None);
        }
    };
    if options.notify_email.is_none() || ctx.mailer.is_none() {
        return Ok(None);
    }
    let payload = JobPayload::ExportEmail { export_id: export.id.clone() };
    jobs::create(conn, &payload, ctx.config.queue.max_attempts).map(Some)
}

/// Pushes a job created in a committed transaction; a lost push is found by the reconciler.
pub(crate) async fn enqueue(ctx: &Context, job: Option<JobId>) {
    if let Some(job) = job
        && let Err(e) = ctx.queue.push(job).await
    {
        tracing::warn!(job_id = %job, error = %e, "job not enqueued now; the reconciler will");
    }
}

/// The e-mail of a finished export.
pub(crate) async fn send_export_email(ctx: &Context, export_id: &str) -> Result<(), JobError> {
    let Some(mailer) = &ctx.mailer else { return Ok(()) };
    let id = export_id.to_owned();
    let export = ctx.db.run(move |conn| mesdonnees_db::exports::find(conn, &id)).await?;
    let Some(export) = export else { return Ok(()) };
    let options = export.export_options()?;
    let Some(to) = options.notify_email else { return Ok(()) };
    let base = ctx.config.http.public_url.as_deref().unwrap_or("").trim_end_matches('/');
    let words = Email {
        lang: options.lang,
        name: &export.name,
        kind: options.kind,
        zone: ctx.config.locale.time_zone,
    };
    let (subject, body) = match export.status.as_str() {
        "ready" => words.ready(
            export.size.and_then(|size| u64::try_from(size).ok()).unwrap_or(0),
            &format!("{base}/api/v1/exports/{}/download", export.id),
            export.expires_at,
        ),
        "failed" => words.failed(
            &export
                .error_code
                .as_deref()
                .map_or(ErrorCode::ExportFailed.into(), FailureCode::parse),
        ),
        // Cancelled or expired meanwhile: nothing worth a message.
        _ => return Ok(()),
    };
    mailer.send(&to, &subject, body).await.map_err(|e| match e {
        mesdonnees_infra::mailer::MailError::To => JobError::Permanent(e.to_string()),
        other => JobError::Transient(other.to_string()),
    })
}

/// The timeline entry of a ready export, titled in the language it was asked in.
pub(crate) fn export_ready(
    conn: &mut DbConnection,
    export: &Export,
    failed_apps: &[(String, String)],
) -> Result<(), DbError> {
    let (id, name) = (&export.id, &export.name);
    let state = if failed_apps.is_empty() { Ended::Ready } else { Ended::Incomplete };
    let title = export_title(lang_of(export), name, state);
    let body = json!({
        "export_id": id,
        "name": name,
        "download": format!("/api/v1/exports/{id}/download"),
        "link": format!("/api/v1/exports/{id}/link"),
        "failed_apps": failed_apps.iter().map(|(app, reason)| json!({"app": app, "reason": reason})).collect::<Vec<_>>(),
    });
    insert(conn, &export.owner_id, "export_ready", &title, &body, id)
}

pub(crate) fn export_failed(
    conn: &mut DbConnection,
    export: &Export,
    code: ErrorCode,
    reason: &str,
) -> Result<(), DbError> {
    let (id, name) = (&export.id, &export.name);
    let title = export_title(lang_of(export), name, Ended::Failed);
    let body = json!({ "export_id": id, "name": name, "code": code.as_str(), "reason": reason });
    insert(conn, &export.owner_id, "export_failed", &title, &body, id)
}

/// An import ended: done (with its report's totals) or failed (with the reason). An import
/// carries no language: its title is French, and the page words it from the details.
pub(crate) fn import_ended(
    conn: &mut DbConnection,
    user: &str,
    import_id: &str,
    file_name: &str,
    outcome: Result<(u64, u64), (ErrorCode, &str)>,
) -> Result<(), DbError> {
    let name = format!("«{NBSP}{file_name}{NBSP}»");
    let (kind, title, body) = match outcome {
        Ok((imported, failed)) => (
            "import_done",
            match failed {
                0 => format!("L'import de {name} est terminé"),
                1 => format!("L'import de {name} est terminé, avec 1{NBSP}erreur"),
                n => format!("L'import de {name} est terminé, avec {n}{NBSP}erreurs"),
            },
            json!({ "import_id": import_id, "file_name": file_name, "imported": imported, "failed": failed }),
        ),
        Err((code, reason)) => (
            "import_failed",
            format!("L'import de {name} a échoué"),
            json!({ "import_id": import_id, "file_name": file_name, "code": code.as_str(), "reason": reason }),
        ),
    };
    insert(conn, user, kind, &title, &body, import_id)
}

const NBSP: char = '\u{a0}';

#[derive(Clone, Copy)]
enum Ended {
    Ready,
    Incomplete,
    Failed,
}

/// The language the export was asked in; French for a row whose options cannot be read.
fn lang_of(export: &Export) -> Lang {
    export.export_options().map(|o| o.lang).unwrap_or_default()
}

/// An export's timeline title, as the page words the same entry.
fn export_title(lang: Lang, name: &str, state: Ended) -> String {
    match (lang, state) {
        (Lang::Fr, Ended::Ready) => format!("Votre export «{NBSP}{name}{NBSP}» est prêt"),
        (Lang::Fr, Ended::Incomplete) => {
            format!("Votre export «{NBSP}{name}{NBSP}» est prêt, mais incomplet")
        }
        (Lang::Fr, Ended::Failed) => format!("Votre export «{NBSP}{name}{NBSP}» a échoué"),
        (Lang::En, Ended::Ready) => format!("Your export “{name}” is ready"),
        (Lang::En, Ended::Incomplete) => format!("Your export “{name}” is ready, but incomplete"),
        (Lang::En, Ended::Failed) => format!("Your export “{name}” failed"),
    }
}

fn insert(
    conn: &mut DbConnection,
    user: &str,
    kind: &str,
    title: &str,
    body: &serde_json::Value,
    resource: &str,
) -> Result<(), DbError> {
    notifications::insert(
        conn,
        &Notification {
            id: DocumentId::new().to_string(),
            user_id: user.to_owned(),
            kind: kind.to_owned(),
            title: title.to_owned(),
            body: body.to_string(),
            resource_id: Some(resource.to_owned()),
            created_at: mesdonnees_db::models::now(),
            read_at: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::{Ended, Lang, export_title};

    #[test]
    fn an_exports_title_speaks_its_language_with_french_spacing() {
        assert_eq!(
            export_title(Lang::Fr, "Mon année", Ended::Incomplete),
            "Votre export «\u{a0}Mon année\u{a0}» est prêt, mais incomplet"
        );
        assert_eq!(
            export_title(Lang::En, "Mon année", Ended::Failed),
            "Your export “Mon année” failed"
        );
    }
}
