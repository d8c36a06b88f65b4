//! Writing an export in parts from its plan (`parts`): at each switch point the part being
//! written is closed — its viewer pages, read-me, SHA256SUMS, manifest and signature — its upload
//! completed and its row published, and the next part opened in its place. A file cut across
//! parts is streamed from one read of the store, a piece per part.
//!
//! A part's row is written only while the export is `running`: a part finished after a
//! cancellation is removed at once. A failed or cancelled export removes every part it
//! published, and a rerun removes those of the attempt before it, before its plan.

use std::collections::BTreeMap;
use std::sync::Arc;

use mesdonnees_db::{Export, ExportPart, export_parts};
use mesdonnees_infra::Context;
use mesdonnees_infra::signing::InstanceSigner;
use mesdonnees_shared::Lang;
use mesdonnees_shared::apps::AppDescriptor;
use mesdonnees_shared::archive::{
    AppOutcome, ManifestApp, ManifestFile, PartsOf, Piece, piece_path,
};
use mesdonnees_shared::exports::part_key;
use object_store::ObjectStoreExt;
use object_store::path::Path;
use tokio::io::AsyncReadExt;

use super::archive::{ArchiveSummary, ArchiveWriter, StreamedFile};
use super::listing::{Head, Listing};
use super::objects::{self, ReadError};
use super::parts::{Place, Plan};
use super::prepare::Ready;
use super::{Output, Stop, readme, sink, viewer, write_metadata, write_page};
use crate::apps::ViewSlot;
use crate::error::JobError;

/// What writing in parts carries from one part to the next.
pub struct PartState {
    plan: Plan,
    /// Entries seen so far, to find the plan's switch points.
    seq: u64,
    current: u32,
    set: String,
    lang: Lang,
    zone: mesdonnees_shared::Zone,
    scratch: std::path::PathBuf,
    signer: Arc<InstanceSigner>,
    export: Export,
}

/// The last part, written, to be recorded with the export's `ready`.
pub struct LastPart {
    pub key: String,
    pub part: u32,
    pub count: u32,
}

/// What became of an entry at a switch point.
pub enum Switched {
    /// Written here (a file cut across parts): its bytes.
    Written(u64),
    /// A file to cut that the store no longer has.
    Missing(String),
    /// To be written as usual, in the part now open.
    Next(Ready),
}

/// Files and bytes an app wrote so far, and its failure.
type Counts<'a> =
    ((&'a mut u64, &'a mut u64), &'a mut Option<(mesdonnees_shared::ErrorCode, String)>);

/// For an export in parts, opens the part an entry goes in when it starts one; an entry the switch wrote itself (a file
/// cut across parts) is counted for its app here, and `None` returned.
pub async fn place(
    ctx: &Context,
    out: &mut Output<'_, '_, '_, '_>,
    (descriptor, folder, view): (&AppDescriptor, &str, &ViewSlot),
    item: Ready,
    ((files, bytes), failure): Counts<'_>,
    progress: &mut super::Progress<'_>,
) -> Result<Option<Ready>, Stop> {
    if out.parts.is_none() {
        return Ok(Some(item));
    }
    let written = match switch(ctx, out, descriptor, folder, view, item).await? {
        Switched::Next(next) => return Ok(Some(next)),
        Switched::Written(written) => {
            *files += 1;
            *bytes += written;
            written
        }
        Switched::Missing(path) => {
            failure.get_or_insert_with(|| super::missing(&path));
            0
        }
    };
    progress.advance(written).await?;
    Ok(None)
}

impl PartState {
    pub fn new(
        ctx: &Context,
        export: &Export,
        lang: Lang,
        plan: Plan,
        signer: Arc<InstanceSigner>,
    ) -> Self {
        Self {
            plan,
            seq: 0,
            current: 1,
            set: mesdonnees_shared::JobId::new().to_string(),
            lang,
            zone: ctx.config.locale.time_zone,
            scratch: crate::scratch::dir(&ctx.config),
            signer,
            export: export.clone(),
        }
    }

    fn parts_of(&self, part: u32) -> PartsOf {
        PartsOf { part, count: self.plan.parts, set: self.set.clone() }
    }

    /// The head of the part being written.
    pub fn head<'a>(&self, base: &Head<'a>) -> Head<'a> {
        base.of_part(self.parts_of(self.current))
    }

    /// Starts the manifest of `part` with the files of the other parts.
    pub fn begin(&self, listing: &mut Listing<'_>, base: &Head<'_>, part: u32) -> Result<(), Stop> {
        let head = base.of_part(self.parts_of(part));
        let others = super::parts::others(&self.plan.listing, part)?;
        listing.begin_part(&head, others, part)?;
        Ok(())
    }

    /// An app whose stream failed while planned fails, though its replay ended cleanly.
    pub fn planned_failure(&self, app_id: &str, app: &mut ManifestApp) {
        if let (Some((code, message)), AppOutcome::Ok) =
            (self.plan.failures.get(app_id), &app.outcome)
        {
            app.outcome =
                AppOutcome::Failed { code: code.as_str().to_owned(), message: message.clone() };
        }
    }

    pub fn last(self) -> LastPart {
        LastPart {
            key: part_key(&self.export.id, self.current),
            part: self.current,
            count: self.plan.parts,
        }
    }
}

fn part_state<'a>(out: &'a mut Output<'_, '_, '_, '_>) -> Result<&'a mut PartState, Stop> {
    out.parts
        .as_deref_mut()
        .ok_or_else(|| Stop::Failed(JobError::Permanent("not an export in parts".into())))
}

/// Opens the part an entry goes in when the plan says it starts one; writes a file to cut.
async fn switch(
    ctx: &Context,
    out: &mut Output<'_, '_, '_, '_>,
    descriptor: &AppDescriptor,
    folder: &str,
    view: &ViewSlot,
    item: Ready,
) -> Result<Switched, Stop> {
    let state = part_state(out)?;
    let seq = state.seq;
    state.seq += 1;
    let place = match state.plan.switches.front() {
        Some((at, _)) if *at == seq => state.plan.switches.pop_front().map(|(_, place)| place),
        _ => None,
    };
    match place {
        None => Ok(Switched::Next(item)),
        Some(Place::Whole(part)) => {
            next_part(ctx, out, descriptor, folder, view, part).await?;
            Ok(Switched::Next(item))
        }
        Some(Place::Cut(pieces)) => {
            let large = match item {
                Ready::Large(large) => (large.path, large.key, large.content_type, large.modified),
                other => {
                    // Not the file planned (gone meanwhile): its parts are made all the same,
                    // so that the numbering every manifest gives holds.
                    for &(part, _) in &pieces {
                        if part != part_state(out)?.current {
                            next_part(ctx, out, descriptor, folder, view, part).await?;
                        }
                    }
                    return Ok(Switched::Next(other));
                }
            };
            write_cut(ctx, out, descriptor, folder, view, &pieces, large).await
        }
    }
}

/// A file larger than a part, streamed in pieces, each in its planned part.
async fn write_cut(
    ctx: &Context,
    out: &mut Output<'_, '_, '_, '_>,
    descriptor: &AppDescriptor,
    folder: &str,
    view: &ViewSlot,
    pieces: &[(u32, u64)],
    (path, key, content_type, modified): (String, String, String, chrono::DateTime<chrono::Utc>),
) -> Result<Switched, Stop> {
    let whole = format!("{folder}/{path}");
    let mut reader = match objects::open_reader(&ctx.storage, &key).await {
        Ok(reader) => Some(reader),
        Err(ReadError::Missing) => None,
        Err(e) => return Err(Stop::Failed(JobError::Transient(e.to_string()))),
    };
    let count = u32::try_from(pieces.len()).unwrap_or(u32::MAX);
    let mut bytes = 0;
    for (index, &(part, len)) in (1..).zip(pieces) {
        if part != part_state(out)?.current {
            next_part(ctx, out, descriptor, folder, view, part).await?;
        }
        let Some(reader) = reader.as_mut() else { continue };
        let piece = piece_path(&whole, index);
        let file = StreamedFile { path: &piece, content_type: &content_type, size: len, modified };
        let summary = out.writer.add_stream(file, reader.take(len), &mut out.large_buffer).await?;
        if let Some(pages) = &mut out.viewer {
            pages.file(&piece, summary.size, modified, None)?;
        }
        bytes += summary.size;
        let listed = ManifestFile {
            path: piece,
            app: descriptor.id.clone(),
            size: summary.size,
            sha256: summary.sha256,
            kind: None,
            part: None,
            piece: Some(Piece { of: whole.clone(), index, count }),
        };
        out.listing.add(&listed).await?;
    }
    Ok(if reader.is_some() { Switched::Written(bytes) } else { Switched::Missing(whole) })
}

/// Closes the part being written, publishes it, and opens `part` in its place.
async fn next_part(
    ctx: &Context,
    out: &mut Output<'_, '_, '_, '_>,
    descriptor: &AppDescriptor,
    folder: &str,
    view: &ViewSlot,
    part: u32,
) -> Result<(), Stop> {
    let state = out
        .parts
        .as_deref_mut()
        .ok_or_else(|| Stop::Failed(JobError::Permanent("not an export in parts".into())))?;
    let head = state.head(out.head);
    let apps: &BTreeMap<String, ManifestApp> = &state.plan.apps;
    if let Some(pages) = &mut out.viewer {
        write_page(out.writer, out.listing, viewer::Viewer::style()).await?;
        while let Some(page) = pages.next_listing()? {
            write_page(out.writer, out.listing, page).await?;
        }
        let owner = state.export.owner_name.as_deref().unwrap_or(&state.export.owner_id);
        let about = viewer::About {
            export_name: &state.export.name,
            owner,
            instance: state.signer.instance(),
            created_at: out.head.created_at,
            apps,
        };
        write_page(out.writer, out.listing, pages.home(&about)).await?;
    }
    let words = readme::Words { lang: state.lang, zone: state.zone };
    write_metadata(&state.export, words, out.writer, &state.signer, &head, out.listing, apps)
        .await?;
    let key = part_key(&state.export.id, part);
    let sink = sink::Sink::open(ctx.storage.store.clone(), ctx.storage.local_root.as_deref(), &key)
        .await
        .map_err(|e| Stop::Failed(JobError::storage("cannot open a part for writing", &e)))?;
    let done = std::mem::replace(out.writer, ArchiveWriter::create(sink, &state.scratch).await?);
    let summary = done.finish().await?;
    let finished = LastPart {
        key: part_key(&state.export.id, state.current),
        part: state.current,
        count: state.plan.parts,
    };
    if !record(ctx, &state.export.id, &finished, &summary).await.map_err(Stop::Failed)? {
        let _ = ctx.storage.store.delete(&Path::from(finished.key.as_str())).await;
        return Err(Stop::Cancelled);
    }
    tracing::info!(part = finished.part, parts = finished.count, "export part published");
    state.current = part;
    state.begin(out.listing, out.head, part)?;
    if out.viewer.is_some() {
        let mut pages = viewer::Viewer::new(state.lang, state.zone, &state.scratch)?;
        pages.begin_app(descriptor, folder, view.clone());
        out.viewer = Some(pages);
    }
    Ok(())
}

/// Publishes a finished part; `false` when the export stopped running meanwhile.
pub async fn record(
    ctx: &Context,
    export_id: &str,
    part: &LastPart,
    summary: &ArchiveSummary,
) -> Result<bool, JobError> {
    let row = ExportPart {
        export_id: export_id.to_owned(),
        part: i64::from(part.part),
        parts_total: i64::from(part.count),
        object_key: part.key.clone(),
        size: i64::try_from(summary.size).unwrap_or(i64::MAX),
        sha256: summary.sha256.clone(),
        created_at: chrono::Utc::now().naive_utc(),
    };
    Ok(ctx.db.run(move |conn| export_parts::publish(conn, &row)).await?)
}

/// What the export's row names once ready: its first part (the one a client that knows
/// nothing of parts downloads), with that part's size and checksum.
pub async fn whole(ctx: &Context, export_id: &str) -> Result<(String, ArchiveSummary), JobError> {
    let id = export_id.to_owned();
    let first = ctx.db.run(move |conn| export_parts::find(conn, &id, 1)).await?;
    let first =
        first.ok_or_else(|| JobError::Permanent("the first part is not recorded".into()))?;
    let size = u64::try_from(first.size).unwrap_or(0);
    Ok((first.object_key, ArchiveSummary { size, sha256: first.sha256 }))
}

/// Removes the parts an export published (an earlier attempt's, or this one's when it stops).
pub async fn remove_published(ctx: &Context, export_id: &str) -> Result<(), JobError> {
    let id = export_id.to_owned();
    let published = ctx.db.run(move |conn| export_parts::list(conn, &id)).await?;
    for part in published {
        match ctx.storage.store.delete(&Path::from(part.object_key.as_str())).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(JobError::Transient(format!("a part not removed: {e}"))),
        }
    }
    let id = export_id.to_owned();
    ctx.db.run(move |conn| export_parts::clear(conn, &id)).await?;
    Ok(())
}

/// After a failure or a cancellation: no part of an export that did not finish stays.
pub async fn forget_parts(ctx: &Context, export_id: &str, in_parts: bool) {
    if in_parts && let Err(e) = remove_published(ctx, export_id).await {
        tracing::warn!(error = %e, "parts of a stopped export not removed; the cleanup will");
    }
}
