//! What the archive holds, recorded as each file goes in: the manifest (deflated into a scratch
//! file, written at the end since it carries every checksum), the export's listing (to the
//! database in batches) and the first files for the read-me. Nothing here grows in memory with
//! the file count beyond the read-me's first [`README_LISTED`] files.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mesdonnees_db::{ExportEntry, exports};
use mesdonnees_infra::Context;
use mesdonnees_shared::archive::{
    FORMAT, FORMAT_VERSION, ManifestApp, ManifestFile, Owner, PartsOf, Source,
};
use serde::Serialize;

use super::Stop;
use crate::apps::{DeflatedFile, PreparedData};

/// Files listed by name in the read-me; the manifest lists them all.
pub const README_LISTED: usize = 5000;
/// Listing rows written to the database at once.
const ROWS_PER_WRITE: usize = 500;

/// The manifest's fields that come before its file list.
#[derive(Serialize)]
pub struct Head<'a> {
    pub format: &'a str,
    pub format_version: u32,
    pub archive_id: &'a str,
    pub created_at: DateTime<Utc>,
    pub source: &'a Source,
    pub owner: &'a Owner,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<PartsOf>,
}

impl<'a> Head<'a> {
    pub fn new(archive_id: &'a str, source: &'a Source, owner: &'a Owner) -> Self {
        Self {
            format: FORMAT,
            format_version: FORMAT_VERSION,
            archive_id,
            created_at: Utc::now(),
            source,
            owner,
            parts: None,
        }
    }

    /// The head of one part of an export written in parts.
    pub fn of_part(&self, parts: PartsOf) -> Self {
        Self { parts: Some(parts), ..*self }
    }
}

pub struct Listing<'a> {
    ctx: &'a Context,
    export_id: &'a str,
    /// Where the manifest waits for the end.
    scratch_dir: std::path::PathBuf,
    /// None once finished, until the next part begins.
    manifest: Option<DeflatedFile>,
    scratch: Vec<u8>,
    rows: Vec<ExportEntry>,
    /// Items of the manifest's file list so far.
    in_manifest: u64,
    /// The part being written, for an export in parts: each file listed says it.
    part: Option<u32>,
    pub files: u64,
    pub bytes: u64,
    /// The first [`README_LISTED`] files: path and size.
    pub listed: Vec<(String, u64)>,
}

impl<'a> Listing<'a> {
    pub fn new(ctx: &'a Context, export_id: &'a str, head: &Head<'_>) -> std::io::Result<Self> {
        let mut scratch = Vec::new();
        let scratch_dir = crate::scratch::dir(&ctx.config);
        let manifest = opened(head, &scratch_dir, &mut scratch)?;
        Ok(Self {
            ctx,
            export_id,
            scratch_dir,
            manifest: Some(manifest),
            scratch,
            rows: Vec::with_capacity(ROWS_PER_WRITE),
            in_manifest: 0,
            part: None,
            files: 0,
            bytes: 0,
            listed: Vec::new(),
        })
    }

    pub async fn add(&mut self, file: &ManifestFile) -> Result<(), Stop> {
        self.add_to_manifest(file)?;
        if self.listed.len() < README_LISTED {
            self.listed.push((file.path.clone(), file.size));
        }
        self.rows.push(ExportEntry {
            export_id: self.export_id.to_owned(),
            seq: i64::try_from(self.files).unwrap_or(i64::MAX),
            path: file.path.clone(),
            app: file.app.clone(),
            size: i64::try_from(file.size).unwrap_or(i64::MAX),
        });
        self.files += 1;
        self.bytes += file.size;
        if self.rows.len() >= ROWS_PER_WRITE { self.write_rows().await } else { Ok(()) }
    }

    /// A file the manifest lists but the export's listing, counts and read-me leave out, like
    /// the read-me itself: SHA256SUMS, the archive's own bookkeeping.
    pub fn add_to_manifest(&mut self, file: &ManifestFile) -> Result<(), Stop> {
        let manifest = self.manifest.as_mut().ok_or_else(|| io_failure(&closed()))?;
        if self.in_manifest > 0 {
            manifest.append(b",").map_err(|e| io_failure(&e))?;
        }
        match self.part {
            Some(part) => {
                let file = ManifestFile { part: Some(part), ..file.clone() };
                manifest.append_json(&mut self.scratch, &file)
            }
            None => manifest.append_json(&mut self.scratch, file),
        }
        .map_err(|e| io_failure(&e))?;
        self.in_manifest += 1;
        Ok(())
    }

    /// Starts the manifest of `part`, listing first the files the other parts hold.
    pub fn begin_part(
        &mut self,
        head: &Head<'_>,
        others: impl Iterator<Item = std::io::Result<ManifestFile>>,
        part: u32,
    ) -> std::io::Result<()> {
        self.manifest = Some(opened(head, &self.scratch_dir, &mut self.scratch)?);
        self.in_manifest = 0;
        self.part = None;
        for file in others {
            self.add_to_manifest(&file?).map_err(|_| std::io::Error::other("manifest"))?;
        }
        self.part = Some(part);
        Ok(())
    }

    /// Writes the listing rows not yet in the database.
    pub async fn write_rows(&mut self) -> Result<(), Stop> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(ROWS_PER_WRITE));
        self.ctx.db.run(move |conn| exports::append_entries(conn, &rows)).await?;
        Ok(())
    }

    /// Closes the manifest with the apps' outcomes (known only now).
    pub fn finish_manifest(
        &mut self,
        apps: &BTreeMap<String, ManifestApp>,
    ) -> std::io::Result<PreparedData> {
        self.scratch.clear();
        self.scratch.extend_from_slice(b"],\"apps\":");
        serde_json::to_writer(&mut self.scratch, apps)?;
        self.scratch.push(b'}');
        let mut manifest = self.manifest.take().ok_or_else(closed)?;
        manifest.append(&self.scratch)?;
        manifest.finish()
    }
}

/// A manifest holding its head, open for the file list.
fn opened(
    head: &Head<'_>,
    dir: &std::path::Path,
    scratch: &mut Vec<u8>,
) -> std::io::Result<DeflatedFile> {
    scratch.clear();
    serde_json::to_writer(&mut *scratch, head)?;
    // The head object, reopened for the file list.
    scratch.pop();
    scratch.extend_from_slice(b",\"files\":[");
    let mut manifest = DeflatedFile::create(dir)?;
    manifest.append(scratch)?;
    Ok(manifest)
}

fn closed() -> std::io::Error {
    std::io::Error::other("the manifest is already finished")
}

fn io_failure(e: &std::io::Error) -> Stop {
    Stop::Failed(crate::error::JobError::Transient(format!("manifest: {e}")))
}
