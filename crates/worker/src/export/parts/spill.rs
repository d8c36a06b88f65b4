//! The plan's scratch files: every entry the apps sent, in order, so that the parts are
//! written from exactly what was planned (an app's stream cannot be asked twice), and the
//! manifest's file list of the whole export, copied into every part. A prepared entry's bytes
//! follow its line as they are (already deflated), so nothing is held in memory.
//!
//! An entry's table row is not kept: an export in parts has no index table (refused when
//! asked).

use std::path::Path;

use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter};

use crate::apps::{AppEntry, ConnectorError, PreparedData};

#[derive(Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Line {
    Directory {
        path: String,
        modified: DateTime<Utc>,
    },
    Prepared {
        path: String,
        json: bool,
        modified: DateTime<Utc>,
        deflate: bool,
        crc32: u32,
        size: u64,
        sha256: String,
        /// Bytes that follow the line.
        len: u64,
    },
    Object {
        path: String,
        key: String,
        size: u64,
        content_type: String,
        modified: DateTime<Utc>,
        expected_sha256: Option<String>,
    },
}

/// Writes the entries of one app.
pub struct EntrySpill {
    file: BufWriter<tokio::fs::File>,
    line: Vec<u8>,
}

impl EntrySpill {
    pub async fn create(path: &Path) -> std::io::Result<Self> {
        Ok(Self { file: BufWriter::new(tokio::fs::File::create(path).await?), line: Vec::new() })
    }

    pub async fn push(&mut self, entry: &AppEntry) -> std::io::Result<()> {
        let (line, bytes) = match entry {
            AppEntry::Directory { path, modified } => {
                (Line::Directory { path: path.clone(), modified: *modified }, None)
            }
            AppEntry::Prepared { path, data, json, modified, .. } => {
                let len = data.data.len() + data.rest.iter().map(Vec::len).sum::<usize>();
                let line = Line::Prepared {
                    path: path.clone(),
                    json: *json,
                    modified: *modified,
                    deflate: data.deflate,
                    crc32: data.crc32,
                    size: data.size,
                    sha256: data.sha256.clone(),
                    len: len as u64,
                };
                (line, Some(data))
            }
            AppEntry::Object {
                path, key, size, content_type, modified, expected_sha256, ..
            } => (
                Line::Object {
                    path: path.clone(),
                    key: key.clone(),
                    size: *size,
                    content_type: content_type.clone(),
                    modified: *modified,
                    expected_sha256: expected_sha256.clone(),
                },
                None,
            ),
        };
        self.write_line(&line).await?;
        if let Some(data) = bytes {
            self.file.write_all(&data.data).await?;
            for chunk in &data.rest {
                self.file.write_all(chunk).await?;
            }
        }
        Ok(())
    }

    async fn write_line(&mut self, line: &Line) -> std::io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, line)?;
        self.line.push(b'\n');
        self.file.write_all(&self.line).await
    }

    pub async fn finish(mut self) -> std::io::Result<()> {
        self.file.flush().await
    }
}

/// One app's entries read back, in the order they were written; a spill that cannot be read
/// ends the stream with an error.
pub fn replay(path: std::path::PathBuf) -> BoxStream<'static, Result<AppEntry, ConnectorError>> {
    enum State {
        Closed(std::path::PathBuf),
        Open(BufReader<tokio::fs::File>),
        Done,
    }
    let failed = |e: &std::io::Error| {
        ConnectorError::new(
            mesdonnees_shared::ErrorCode::Internal,
            format!("the export's plan could not be read back: {e}"),
        )
    };
    futures_util::stream::unfold(State::Closed(path), move |state| async move {
        let mut reader = match state {
            State::Closed(path) => match tokio::fs::File::open(&path).await {
                Ok(file) => BufReader::new(file),
                Err(e) => return Some((Err(failed(&e)), State::Done)),
            },
            State::Open(reader) => reader,
            State::Done => return None,
        };
        match read_entry(&mut reader).await {
            Ok(Some(entry)) => Some((Ok(entry), State::Open(reader))),
            Ok(None) => None,
            Err(e) => Some((Err(failed(&e)), State::Done)),
        }
    })
    .boxed()
}

async fn read_entry(reader: &mut BufReader<tokio::fs::File>) -> std::io::Result<Option<AppEntry>> {
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let line: Line = serde_json::from_str(&line)?;
    Ok(match line {
        Line::Directory { path, modified } => Some(AppEntry::Directory { path, modified }),
        Line::Prepared { path, json, modified, deflate, crc32, size, sha256, len } => {
            let mut data = vec![0; usize::try_from(len).map_err(std::io::Error::other)?];
            reader.read_exact(&mut data).await?;
            let data = PreparedData { data, rest: Vec::new(), deflate, crc32, size, sha256 };
            Some(AppEntry::Prepared { path, data, json, modified, row: None })
        }
        Line::Object { path, key, size, content_type, modified, expected_sha256 } => {
            Some(AppEntry::Object {
                path,
                key,
                size,
                content_type,
                modified,
                expected_sha256,
                row: None,
            })
        }
    })
}
