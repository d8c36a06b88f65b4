//! An app's export stream read into archive entries: NDJSON lines checked one by one, bounded
//! in length, count, bytes and time, and a stream that stops before its `end` line told apart
//! from a complete one.
//!
//! An `object` line must name a key under the app's prefix, so that an app cannot have another
//! user's documents copied into an archive.

use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::connector::{EntryLine, LineSplitter, SplitError};
use tokio::sync::mpsc::Sender;
use tokio::time::Instant;

use super::paths::PathMapper;
use crate::apps::{AppEntry, ConnectorError};
use mesdonnees_shared::tables::TableRow;

/// A JSON member as a cell's text: strings as they are, numbers and booleans printed; arrays,
/// objects and null give no cell.
fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
use crate::apps::pack;

/// Entries handed to the archive at once.
const BATCH: usize = 64;

pub type Batch = Vec<Result<AppEntry, ConnectorError>>;

/// What bounds one app's stream.
pub struct StreamLimits {
    pub max_line_bytes: usize,
    pub max_json_bytes: u64,
    pub idle: Duration,
    pub deadline: Instant,
    /// Keys the app may name start with this.
    pub object_prefix: String,
    /// Members of its JSON documents the app offers to tables.
    pub table_fields: Vec<String>,
}

/// Reads the body into `sender`, ending with an error entry when the stream is not a complete,
/// valid one. Stops early when the export is gone.
pub async fn read_stream(
    app: String,
    response: reqwest::Response,
    limits: StreamLimits,
    sender: Sender<Batch>,
) {
    let mut body = response.bytes_stream();
    let mut splitter = LineSplitter::new(limits.max_line_bytes);
    let mut lines = Lines {
        app,
        limits,
        mapper: PathMapper::default(),
        count: 0,
        json_bytes: 0,
        ended: false,
        batch: Vec::new(),
    };
    let outcome = loop {
        let wait = (Instant::now() + lines.limits.idle).min(lines.limits.deadline);
        let chunk = match tokio::time::timeout_at(wait, body.next()).await {
            Err(_) => break Err(lines.timed_out()),
            Ok(None) => break lines.finish(splitter.has_partial_line()),
            Ok(Some(Err(e))) => {
                tracing::warn!(app = %lines.app, error = %super::client::error_chain(&e), "export stream cut");
                break Err(lines.truncated("the connection was lost"));
            }
            Ok(Some(Ok(chunk))) => chunk,
        };
        if let Err(e) = splitter.push(&chunk, |line| lines.line(line)) {
            break Err(match e {
                SplitError::Line(e) => {
                    ConnectorError::new(ErrorCode::InvalidStream, format!("{}: {e}", lines.app))
                }
                SplitError::Caller(e) => e,
            });
        }
        if lines.batch.len() >= BATCH
            && sender.send(std::mem::take(&mut lines.batch)).await.is_err()
        {
            return;
        }
    };
    let mut batch = std::mem::take(&mut lines.batch);
    if let Err(e) = outcome {
        batch.push(Err(e));
    }
    if !batch.is_empty() {
        let _ = sender.send(batch).await;
    }
}

struct Lines {
    app: String,
    limits: StreamLimits,
    mapper: PathMapper,
    /// `json` and `object` lines read.
    count: u64,
    json_bytes: u64,
    ended: bool,
    batch: Batch,
}

impl Lines {
    fn invalid(&self, message: impl std::fmt::Display) -> ConnectorError {
        ConnectorError::new(
            ErrorCode::InvalidStream,
            format!(
                "{} sent an invalid export stream (line {}): {message}",
                self.app,
                self.count + 1
            ),
        )
    }

    fn truncated(&self, why: &str) -> ConnectorError {
        ConnectorError::new(
            ErrorCode::TruncatedStream,
            format!("{}'s export stream stopped after {} entries: {why}", self.app, self.count),
        )
    }

    fn timed_out(&self) -> ConnectorError {
        let message = if Instant::now() >= self.limits.deadline {
            format!("{}'s export took longer than allowed", self.app)
        } else {
            format!("{} sent nothing for {:?}", self.app, self.limits.idle)
        };
        ConnectorError::new(ErrorCode::AppTimeout, message)
    }

    fn finish(&self, partial_line: bool) -> Result<(), ConnectorError> {
        if partial_line {
            Err(self.truncated("it ended inside a line"))
        } else if !self.ended {
            Err(self.truncated("no end line"))
        } else {
            Ok(())
        }
    }

    /// What a table says of an entry: owner and dates from the document's conventional members
    /// when it has them, and the members the app offers as columns.
    fn row(
        &self,
        raw: &str,
        path: &str,
        kind: &str,
        size: u64,
        sha256: &str,
        data: Option<&serde_json::Value>,
    ) -> Box<TableRow> {
        let text = |name: &str| data.and_then(|d| d.get(name)).and_then(scalar_text);
        Box::new(TableRow {
            name: raw.rsplit('/').next().unwrap_or(raw).to_owned(),
            path: path.to_owned(),
            kind: kind.to_owned(),
            size: Some(size),
            sha256: Some(sha256.to_owned()),
            owner: text("owner_id"),
            created: text("created_at"),
            modified: text("updated_at"),
            extra: self
                .limits
                .table_fields
                .iter()
                .filter_map(|field| text(field).map(|value| (field.clone(), value)))
                .collect(),
            ..TableRow::default()
        })
    }

    fn line(&mut self, raw: &[u8]) -> Result<(), ConnectorError> {
        if self.ended {
            return Err(self.invalid("a line after the end line"));
        }
        let line: EntryLine = serde_json::from_slice(raw).map_err(|e| self.invalid(e))?;
        let modified = Utc::now();
        let entry = match line {
            EntryLine::End { count } if count == self.count => {
                self.ended = true;
                return Ok(());
            }
            EntryLine::End { count } => {
                return Err(self.truncated(&format!("its end line counts {count}")));
            }
            EntryLine::Begin(_) => return Err(self.invalid("a begin line in an export")),
            EntryLine::Json { path: raw, data } => {
                let path = self.mapper.file(&raw).map_err(|e| self.invalid(e))?;
                let content = serde_json::to_vec_pretty(&data).map_err(|e| self.invalid(e))?;
                self.json_bytes += content.len() as u64;
                if self.json_bytes > self.limits.max_json_bytes {
                    return Err(ConnectorError::new(
                        ErrorCode::StreamTooLarge,
                        format!(
                            "{} sent more than {} bytes of data",
                            self.app, self.limits.max_json_bytes
                        ),
                    ));
                }
                let packed = pack(content, true);
                let row =
                    self.row(&raw, &path, "resource", packed.size, &packed.sha256, Some(&data));
                AppEntry::Prepared { path, data: packed, json: true, modified, row: Some(row) }
            }
            EntryLine::Object { path: raw, key, size, sha256, content_type } => {
                let path = self.mapper.file(&raw).map_err(|e| self.invalid(e))?;
                if !key.starts_with(&self.limits.object_prefix)
                    || key.split('/').any(|s| s.is_empty() || s == "." || s == "..")
                {
                    return Err(ConnectorError::new(
                        ErrorCode::ForbiddenKey,
                        format!("{} named an object outside its own keys", self.app),
                    ));
                }
                if sha256.len() != 64
                    || !sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                {
                    return Err(self.invalid("sha256 is 64 lower-case hex digits"));
                }
                let content_type = content_type.unwrap_or_else(|| {
                    mime_guess::from_path(&path).first_or_octet_stream().essence_str().to_owned()
                });
                let row = self.row(&raw, &path, &content_type, size, &sha256, None);
                AppEntry::Object {
                    path,
                    key,
                    size,
                    content_type,
                    modified,
                    expected_sha256: Some(sha256),
                    row: Some(row),
                }
            }
        };
        self.count += 1;
        self.batch.push(Ok(entry));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> StreamLimits {
        StreamLimits {
            max_line_bytes: 4096,
            max_json_bytes: 10_000,
            idle: Duration::from_secs(5),
            deadline: Instant::now() + Duration::from_secs(30),
            object_prefix: "cahier/".to_owned(),
            table_fields: vec!["title".to_owned()],
        }
    }

    /// What the archive receives of a stream whose body is `body`, sent in `chunk`-byte parts.
    async fn entries(
        body: &str,
        chunk: usize,
        limits: StreamLimits,
    ) -> Vec<Result<AppEntry, ConnectorError>> {
        let parts: Vec<Result<bytes::Bytes, std::io::Error>> =
            body.as_bytes().chunks(chunk).map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect();
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(parts));
        let response = reqwest::Response::from(http::Response::new(body));
        let (sender, mut receiver) = tokio::sync::mpsc::channel(4);
        tokio::spawn(read_stream("cahier".to_owned(), response, limits, sender));
        let mut out = Vec::new();
        while let Some(batch) = receiver.recv().await {
            out.extend(batch);
        }
        out
    }

    fn failure(entries: &[Result<AppEntry, ConnectorError>]) -> Option<&'static str> {
        entries.iter().find_map(|e| e.as_ref().err().map(|e| e.code.as_str()))
    }

    const JSON: &str = r#"{"kind":"json","path":"entrees/a.json","data":{"title":"Fractions"}}"#;
    const OBJECT: &str = r#"{"kind":"object","path":"pieces/a.pdf","key":"cahier/attachments/1","size":3,"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}"#;

    #[tokio::test]
    async fn a_complete_stream_becomes_entries_whatever_its_chunks() {
        let body = format!("{JSON}\n{OBJECT}\n{JSON}\n{{\"kind\":\"end\",\"count\":3}}\n");
        for chunk in [1, 7, 4096] {
            let got = entries(&body, chunk, limits()).await;
            assert_eq!(failure(&got), None, "chunks of {chunk}");
            let paths: Vec<String> = got
                .iter()
                .map(|e| match e {
                    Ok(AppEntry::Prepared { path, json: true, .. }) => path.clone(),
                    Ok(AppEntry::Object {
                        path, expected_sha256: Some(_), content_type, ..
                    }) => {
                        assert_eq!(content_type, "application/pdf");
                        path.clone()
                    }
                    other => panic!("unexpected {other:?}"),
                })
                .collect();
            assert_eq!(paths, ["entrees/a.json", "pieces/a.pdf", "entrees/a (2).json"]);
        }
    }

    #[tokio::test]
    async fn streams_cut_short_or_malformed_fail_with_their_code() {
        let cases: Vec<(String, &str)> = vec![
            (format!("{JSON}\n"), "truncated_stream"),
            (format!("{JSON}\n{{\"kind\":\"end\",\"count\":2}}\n"), "truncated_stream"),
            (format!("{JSON}\n{{\"kind\":\"end\",\"count\":1}}\n{JSON}\n"), "invalid_stream"),
            (format!("{JSON}\n{{\"kind\":\"end\",\"co"), "truncated_stream"),
            ("not json\n".to_owned(), "invalid_stream"),
            (
                r#"{"kind":"json","path":"../etc/passwd","data":{}}"#.to_owned() + "\n",
                "invalid_stream",
            ),
            (
                r#"{"kind":"begin","user_id":"u","import_id":"i","version":"1.0"}"#.to_owned()
                    + "\n",
                "invalid_stream",
            ),
            (OBJECT.replace("cahier/attachments", "documents") + "\n", "forbidden_key"),
            (
                OBJECT.replace("cahier/attachments/1", "cahier/../documents/1") + "\n",
                "forbidden_key",
            ),
            (OBJECT.replace("ba7816bf", "BA7816BF") + "\n", "invalid_stream"),
            (
                format!(
                    "{{\"kind\":\"json\",\"path\":\"a.json\",\"data\":\"{}\"}}\n",
                    "x".repeat(5000)
                ),
                "invalid_stream",
            ),
        ];
        for (body, code) in cases {
            let got = entries(&body, 64, limits()).await;
            assert_eq!(failure(&got), Some(code), "{body}");
            assert!(got.last().is_some_and(Result::is_err), "the failure comes last: {body}");
        }
    }

    #[tokio::test]
    async fn data_past_the_stream_limit_fails_the_app() {
        let line = format!(
            "{{\"kind\":\"json\",\"path\":\"a.json\",\"data\":\"{}\"}}\n",
            "x".repeat(3000)
        );
        let body = line.repeat(5);
        assert_eq!(failure(&entries(&body, 4096, limits()).await), Some("stream_too_large"));
    }

    #[tokio::test]
    async fn a_silent_app_times_out() {
        let limits = StreamLimits { idle: Duration::from_millis(100), ..limits() };
        let pending = futures_util::stream::pending::<Result<bytes::Bytes, std::io::Error>>();
        let response =
            reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(pending)));
        let (sender, mut receiver) = tokio::sync::mpsc::channel(4);
        tokio::spawn(read_stream("cahier".to_owned(), response, limits, sender));
        let batch = receiver.recv().await.expect("a batch");
        assert_eq!(failure(&batch), Some("app_timeout"));
    }
}
