//! The plan's scratch files: every entry the apps sent, in order, so that the parts are
//! written from exactly what was planned (an app's stream cannot be asked twice), and the
//! manifest's file list of the whole export, copied into every part. A prepared entry's bytes
//! follow its line as they are (already deflated), so nothing is held in memory; read back, the
//! large ones stay in the file, read by position when the archive takes them.
//!
//! An entry's table row is not kept: an export in parts has no index table (refused when
//! asked).

use std::path::Path;

use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter};

use crate::apps::{AppEntry, ConnectorError, PreparedData, Spilled};

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
                let len = data.stored_len();
                let line = Line::Prepared {
                    path: path.clone(),
                    json: *json,
                    modified: *modified,
                    deflate: data.deflate,
                    crc32: data.crc32,
                    size: data.size,
                    sha256: data.sha256.clone(),
                    len,
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
            if let Some(spilled) = &data.spilled {
                copy_spilled(spilled, &mut self.file).await?;
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

/// Bytes waiting in another scratch file (an app's metadata), copied a bounded buffer at a
/// time; the reads block on a file in the page cache.
async fn copy_spilled(
    spilled: &Spilled,
    out: &mut BufWriter<tokio::fs::File>,
) -> std::io::Result<()> {
    use std::io::Read;
    let mut reader = spilled.reader();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let n = reader.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        out.write_all(&chunk[..n]).await?;
    }
}

/// Prepared bytes up to this size are read back into memory; larger ones (an app's metadata,
/// which grows with its entries) are left in the plan's file for the archive to read there.
const READ_BACK_WHOLE: u64 = 64 * 1024;

/// A plan file being read back: its lines through `reader`, large prepared bytes by position
/// through `file` (the same file, opened once).
struct Replay {
    reader: BufReader<tokio::fs::File>,
    file: std::sync::Arc<std::fs::File>,
    /// Offset of the reader's next byte.
    at: u64,
}

/// One app's entries read back, in the order they were written; a spill that cannot be read
/// ends the stream with an error.
pub fn replay(path: std::path::PathBuf) -> BoxStream<'static, Result<AppEntry, ConnectorError>> {
    enum State {
        Closed(std::path::PathBuf),
        Open(Replay),
        Done,
    }
    let failed = |e: &std::io::Error| {
        ConnectorError::new(
            mesdonnees_shared::ErrorCode::Internal,
            format!("the export's plan could not be read back: {e}"),
        )
    };
    let open = |path: &Path| -> std::io::Result<Replay> {
        let file = std::fs::File::open(path)?;
        let reader = BufReader::new(tokio::fs::File::from_std(file.try_clone()?));
        Ok(Replay { reader, file: std::sync::Arc::new(file), at: 0 })
    };
    futures_util::stream::unfold(State::Closed(path), move |state| async move {
        let mut replay = match state {
            State::Closed(path) => match open(&path) {
                Ok(replay) => replay,
                Err(e) => return Some((Err(failed(&e)), State::Done)),
            },
            State::Open(replay) => replay,
            State::Done => return None,
        };
        match read_entry(&mut replay).await {
            Ok(Some(entry)) => Some((Ok(entry), State::Open(replay))),
            Ok(None) => None,
            Err(e) => Some((Err(failed(&e)), State::Done)),
        }
    })
    .boxed()
}

async fn read_entry(replay: &mut Replay) -> std::io::Result<Option<AppEntry>> {
    let mut line = String::new();
    let read = replay.reader.read_line(&mut line).await?;
    if read == 0 {
        return Ok(None);
    }
    replay.at += read as u64;
    let line: Line = serde_json::from_str(&line)?;
    Ok(match line {
        Line::Directory { path, modified } => Some(AppEntry::Directory { path, modified }),
        Line::Prepared { path, json, modified, deflate, crc32, size, sha256, len } => {
            let (data, spilled) = if len <= READ_BACK_WHOLE {
                let mut data = vec![0; usize::try_from(len).map_err(std::io::Error::other)?];
                replay.reader.read_exact(&mut data).await?;
                (data, None)
            } else {
                let spilled = Spilled { file: replay.file.clone(), start: replay.at, len };
                let skip = i64::try_from(len).map_err(std::io::Error::other)?;
                replay.reader.seek(std::io::SeekFrom::Current(skip)).await?;
                (Vec::new(), Some(spilled))
            };
            replay.at += len;
            let data = PreparedData { data, spilled, deflate, crc32, size, sha256 };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::DeflatedFile;

    /// A large prepared entry (an app's metadata, itself spilled) and a small one go through
    /// the plan's file and come back with the same content; the large one is not read back
    /// into memory.
    #[tokio::test]
    async fn prepared_entries_come_back_whole_the_large_ones_left_in_the_file() {
        let scratch = tempfile::tempdir().expect("scratch");
        let mut metadata = DeflatedFile::create(scratch.path()).expect("create");
        for i in 0_u32..40_000 {
            let line = format!("{{\"i\":{i},\"h\":\"{:064x}\"}}\n", u128::from(i) * 7919);
            metadata.append(line.as_bytes()).expect("append");
        }
        let large = metadata.finish().expect("finish");
        assert!(large.stored_len() > READ_BACK_WHOLE, "{}", large.stored_len());
        let small = crate::apps::pack(b"{\"petit\": true}".repeat(10), true);
        let plan = scratch.path().join("plan");
        let mut spill = EntrySpill::create(&plan).await.expect("plan");
        let modified = Utc::now();
        let entry = |path: &str, data| AppEntry::Prepared {
            path: path.to_owned(),
            data,
            json: false,
            modified,
            row: None,
        };
        let (large_content, small_content) = (large.content().unwrap(), small.content().unwrap());
        spill.push(&entry("workspace.json", large)).await.expect("push");
        spill.push(&AppEntry::Directory { path: "d".into(), modified }).await.expect("push");
        spill.push(&entry("petit.json", small)).await.expect("push");
        spill.finish().await.expect("finish");
        let back: Vec<AppEntry> = replay(plan).map(|e| e.expect("entry")).collect().await;
        let [
            AppEntry::Prepared { data: large, .. },
            AppEntry::Directory { .. },
            AppEntry::Prepared { data: small, .. },
        ] = back.as_slice()
        else {
            panic!("{back:?}");
        };
        assert!(large.data.is_empty() && large.spilled.is_some(), "left in the file");
        assert!(small.spilled.is_none(), "small bytes are read back");
        assert_eq!(large.content().unwrap(), large_content);
        assert_eq!(small.content().unwrap(), small_content);
    }
}
