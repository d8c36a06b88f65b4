//! `POST /connector/export`: the user's entries and attachments as NDJSON lines, written while
//! the database is read a page at a time.

use std::time::Duration;

use actix_web::{HttpResponse, post, web};
use bytes::Bytes;
use chrono::NaiveDateTime;
use mesdonnees_shared::UserId;
use mesdonnees_shared::connector::{EntryLine, ExportCall, NDJSON};
use mesdonnees_shared::entry_name::UniqueNames;
use mesdonnees_shared::filters::ExportFilters;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::auth::Service;
use crate::db::DbError;
use crate::entry::{AttachmentView, EntryView, utc};
use crate::models::{Attachment, Entry};
use crate::paths::{attachment_path, entry_path};
use crate::problem::{Problem, error_chain};
use crate::queries;
use crate::state::Ctx;

/// Lines buffered between the database reader and the connection.
const CHANNEL_LINES: usize = 64;

type Chunk = Result<Bytes, std::io::Error>;

/// An attachment in an entry's exported JSON: also where its bytes are in the archive.
#[derive(Debug, Serialize)]
struct ExportedAttachment {
    #[serde(flatten)]
    view: AttachmentView,
    path: String,
}

#[post("/export")]
pub async fn export(
    ctx: Ctx,
    service: Service,
    call: web::Json<ExportCall>,
) -> Result<HttpResponse, Problem> {
    let call = call.into_inner();
    tracing::info!(instance = %service.claims.sub, "export requested");
    let user =
        UserId::parse(&call.user_id).map_err(|e| Problem::invalid(format!("user_id: {e}")))?;
    let job = Job {
        user: user.to_string(),
        since: call.since.map(|s| s.naive_utc()),
        formats: call.filters.map(normalise),
        page: ctx.config.export_page_entries,
        pace: ctx.config.export_pace,
    };
    let (tx, rx) = mpsc::channel::<Chunk>(CHANNEL_LINES);
    tokio::spawn(job.run(ctx.clone(), tx));
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok(HttpResponse::Ok()
        .content_type(NDJSON)
        .insert_header(("cache-control", "no-store"))
        .streaming(body))
}

/// Formats as mesdonnees checked them, lower-cased; a family this app cannot map matches none
/// of its files rather than failing the export.
fn normalise(mut filters: ExportFilters) -> ExportFilters {
    for format in &mut filters.formats {
        *format = format.trim().to_lowercase();
    }
    filters
}

struct Job {
    user: String,
    since: Option<NaiveDateTime>,
    formats: Option<ExportFilters>,
    page: i64,
    pace: Duration,
}

impl Job {
    async fn run(self, ctx: Ctx, tx: mpsc::Sender<Chunk>) {
        let mut after: Option<String> = None;
        let mut count: u64 = 0;
        loop {
            let page = match self.read_page(&ctx, after.take()).await {
                Ok(page) => page,
                Err(e) => return interrupt(&tx, &e).await,
            };
            let last_page = i64::try_from(page.len()).unwrap_or(i64::MAX) < self.page;
            after = page.last().map(|(entry, _)| entry.id.clone());
            for (entry, attachments) in page {
                let lines = match self.lines(entry, attachments) {
                    Ok(lines) => lines,
                    Err(e) => return interrupt(&tx, &e).await,
                };
                for line in lines {
                    if !send(&tx, &line).await {
                        return;
                    }
                    count += 1;
                    if !self.pace.is_zero() {
                        tokio::time::sleep(self.pace).await;
                    }
                }
            }
            if last_page {
                break;
            }
        }
        send(&tx, &EntryLine::End { count }).await;
    }

    async fn read_page(
        &self,
        ctx: &Ctx,
        after: Option<String>,
    ) -> Result<Vec<(Entry, Vec<Attachment>)>, DbError> {
        let (user, since, limit) = (self.user.clone(), self.since, self.page);
        ctx.db
            .run(move |conn| {
                let entries = queries::export_page(conn, &user, since, after.as_deref(), limit)?;
                Ok(queries::with_attachments(conn, entries)?)
            })
            .await
    }

    /// The entry's JSON line, then one object line per attachment the filters keep.
    fn lines(
        &self,
        entry: Entry,
        attachments: Vec<Attachment>,
    ) -> Result<Vec<EntryLine>, serde_json::Error> {
        let mut names = UniqueNames::new();
        let kept: Vec<(Attachment, String)> = attachments
            .into_iter()
            .filter(|a| {
                self.formats
                    .as_ref()
                    .is_none_or(|f| f.keeps(&a.name, &a.content_type, utc(a.created_at)))
            })
            .map(|a| {
                let path = attachment_path(&entry.id, &names.claim(&a.name));
                (a, path)
            })
            .collect();
        let path = entry_path(&entry.id, entry.due_date, &entry.title);
        let listed = kept
            .iter()
            .map(|(a, path)| ExportedAttachment { view: a.into(), path: path.clone() })
            .collect();
        let data = EntryView::new(entry, &self.user, listed);
        let mut lines = Vec::with_capacity(kept.len() + 1);
        lines.push(EntryLine::Json { path, data: serde_json::to_value(data)? });
        lines.extend(kept.into_iter().map(|(a, path)| EntryLine::Object {
            path,
            key: a.object_key,
            size: u64::try_from(a.size).unwrap_or(0),
            sha256: a.sha256,
            content_type: Some(a.content_type),
        }));
        Ok(lines)
    }
}

/// Ends the stream with an error and no end line: the reader sees an export cut short, never
/// one that looks complete but lacks entries.
async fn interrupt(tx: &mpsc::Sender<Chunk>, error: &(dyn std::error::Error + Send + Sync)) {
    tracing::error!(error = %error_chain(error), "export interrupted");
    let _ = tx.send(Err(std::io::Error::other("export interrupted"))).await;
}

/// Writes one line; false when the reader has gone.
async fn send(tx: &mpsc::Sender<Chunk>, line: &EntryLine) -> bool {
    let mut bytes = match serde_json::to_vec(line) {
        Ok(bytes) => bytes,
        Err(e) => {
            interrupt(tx, &e).await;
            return false;
        }
    };
    bytes.push(b'\n');
    tx.send(Ok(Bytes::from(bytes))).await.is_ok()
}
