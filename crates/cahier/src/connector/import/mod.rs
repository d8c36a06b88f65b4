//! `POST /connector/import`: an NDJSON body read as it arrives, `begin`, entries, `end`. The
//! whole call is one transaction, committed only after a correct end line; objects copied by a
//! call that fails are deleted.

mod copy;
mod entcore;
mod entries;
mod session;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use futures_util::StreamExt;
use mesdonnees_shared::UserId;
use mesdonnees_shared::connector::{
    EntryLine, ImportBegin, ImportReport, LineError, LineSplitter, SplitError,
};

use crate::auth::Service;
use crate::connector::FORMAT_VERSION;
use crate::connector::import::entries::{Importer, ObjectLine};
use crate::connector::import::session::Session;
use crate::problem::{Problem, codes};
use crate::state::{Ctx, declared_length};

/// Longest import id accepted.
const IMPORT_ID_MAX: usize = 200;

#[post("/import")]
pub async fn import(
    ctx: Ctx,
    service: Service,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    tracing::info!(instance = %service.claims.sub, "import requested");
    let max = ctx.config.max_import_bytes;
    if declared_length(&req).is_some_and(|len| len > max) {
        return Err(body_too_large(max));
    }
    let mut call = Call { ctx, stage: Stage::AwaitingBegin, seen: 0 };
    match call.read(payload).await {
        Ok(report) => Ok(HttpResponse::Ok().json(report)),
        Err(e) => {
            call.abort().await;
            Err(e)
        }
    }
}

enum Stage {
    AwaitingBegin,
    Open(Importer),
    Ended(Importer),
    Done,
}

struct Call {
    ctx: Ctx,
    stage: Stage,
    /// `json` and `object` lines read so far.
    seen: u64,
}

impl Call {
    async fn read(&mut self, mut payload: web::Payload) -> Result<ImportReport, Problem> {
        let max = self.ctx.config.max_import_bytes;
        let mut splitter = LineSplitter::new(self.ctx.config.max_line_bytes);
        let mut total: u64 = 0;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                Problem::bad_request(codes::TRUNCATED_STREAM, format!("the body was cut: {e}"))
            })?;
            total = total.saturating_add(chunk.len() as u64);
            if total > max {
                return Err(body_too_large(max));
            }
            let mut lines = Vec::new();
            splitter
                .push(&chunk, |raw| {
                    serde_json::from_slice::<EntryLine>(raw).map(|line| lines.push(line))
                })
                .map_err(|e| match e {
                    SplitError::Line(LineError::TooLong(limit)) => Problem::too_large(
                        codes::LINE_TOO_LONG,
                        format!("a line is longer than {limit} bytes"),
                    ),
                    SplitError::Caller(e) => invalid(format!("a line is not an entry line: {e}")),
                })?;
            for line in lines {
                self.handle(line).await?;
            }
        }
        let ended = matches!(self.stage, Stage::Ended(_));
        if splitter.has_partial_line() {
            return Err(if ended {
                invalid("data after the end line")
            } else {
                truncated("the body ends inside a line")
            });
        }
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Ended(importer) => importer.commit().await,
            other => {
                self.stage = other;
                Err(truncated("the body has no end line"))
            }
        }
    }

    async fn handle(&mut self, line: EntryLine) -> Result<(), Problem> {
        match (&mut self.stage, line) {
            (Stage::AwaitingBegin, EntryLine::Begin(begin)) => {
                let importer = self.open(begin).await?;
                self.stage = Stage::Open(importer);
                Ok(())
            }
            (Stage::AwaitingBegin, _) => Err(invalid("the first line must be `begin`")),
            (Stage::Open(importer), EntryLine::Json { path, data }) => {
                self.seen += 1;
                importer.json(path, data).await
            }
            (
                Stage::Open(importer),
                EntryLine::Object { path, key, size, sha256, content_type },
            ) => {
                self.seen += 1;
                importer.object(ObjectLine { path, key, size, sha256, content_type }).await
            }
            (Stage::Open(_), EntryLine::End { count }) if count == self.seen => {
                if let Stage::Open(importer) = std::mem::replace(&mut self.stage, Stage::Done) {
                    self.stage = Stage::Ended(importer);
                }
                Ok(())
            }
            (Stage::Open(_), EntryLine::End { count }) if count > self.seen => {
                Err(truncated(format!("the end line counts {count} lines, {} arrived", self.seen)))
            }
            (Stage::Open(_), EntryLine::End { count }) => {
                Err(invalid(format!("the end line counts {count} lines, {} arrived", self.seen)))
            }
            (Stage::Open(_), EntryLine::Begin(_)) => Err(invalid("a second `begin` line")),
            (Stage::Ended(_) | Stage::Done, _) => Err(invalid("a line after the end line")),
        }
    }

    async fn open(&self, begin: ImportBegin) -> Result<Importer, Problem> {
        // Entries of an entcore archive are in entcore's format, whatever `version` says.
        let legacy = match &begin.origin {
            None => false,
            Some(origin) if origin.format == entcore::FORMAT => true,
            Some(origin) => {
                return Err(Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    codes::UNSUPPORTED_VERSION,
                    format!("this app reads no entries of the {:?} format", origin.format),
                ));
            }
        };
        if !legacy && begin.version.major != FORMAT_VERSION.major {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                codes::UNSUPPORTED_VERSION,
                format!("this app reads format {FORMAT_VERSION}, not {}", begin.version),
            ));
        }
        let owner =
            UserId::parse(&begin.user_id).map_err(|e| Problem::invalid(format!("user_id: {e}")))?;
        if begin.import_id.is_empty() || begin.import_id.len() > IMPORT_ID_MAX {
            return Err(Problem::invalid(format!("an import id has 1 to {IMPORT_ID_MAX} bytes")));
        }
        let session = Session::begin(&self.ctx.db).await?;
        Ok(Importer::new(self.ctx.clone(), owner.to_string(), begin.import_id, session, legacy))
    }

    async fn abort(&mut self) {
        if let Stage::Open(importer) | Stage::Ended(importer) =
            std::mem::replace(&mut self.stage, Stage::Done)
        {
            importer.abort().await;
        }
    }
}

fn invalid(detail: impl Into<String>) -> Problem {
    Problem::bad_request(codes::INVALID_STREAM, detail)
}

fn truncated(detail: impl Into<String>) -> Problem {
    Problem::bad_request(codes::TRUNCATED_STREAM, detail)
}

fn body_too_large(max: u64) -> Problem {
    Problem::too_large(codes::PAYLOAD_TOO_LARGE, format!("an import body has at most {max} bytes"))
}
