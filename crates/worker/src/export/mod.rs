//! The export job: builds one user's archive from the selected apps, streaming every file from
//! the object store into a zip uploaded to the object store, then makes it visible with the
//! `ready` status in one statement.

mod archive;
mod checksums;
mod chunk_thread;
mod cleanup;
mod compress;
mod deliver;
mod listing;
mod objects;
mod part_writer;
mod parts;
mod prepare;
mod readme;
mod sink;
mod table;
mod table_export;
mod viewer;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::StreamExt;
use mesdonnees_db::{Export, exports};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;
use mesdonnees_shared::apps::AppDescriptor;
use mesdonnees_shared::archive::{
    AppOutcome, CHECKSUMS_PATH, FileKind, MANIFEST_PATH, ManifestApp, ManifestFile, Owner,
    README_PATH, SIGNATURE_PATH, Source,
};
use mesdonnees_shared::entry_name::sanitize_segment;
use mesdonnees_shared::exports::{ExportOptions, export_key};
use mesdonnees_shared::tables::{ExportKind, TableRow};
use object_store::ObjectStoreExt;
use object_store::path::Path;

use crate::apps::{ExportRequest, app_for};
use crate::error::JobError;
use crate::notify;
use archive::{ArchiveError, ArchiveWriter, StreamedFile};
use listing::{Head, Listing};
use objects::ReadError;
use prepare::{PrepareError, Ready};

pub use cleanup::cleanup_once;

enum Stop {
    Cancelled,
    Failed(JobError),
}

impl From<ArchiveError> for Stop {
    fn from(e: ArchiveError) -> Self {
        Self::Failed(JobError::storage("archive", &e))
    }
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        Self::Failed(JobError::storage("viewer", &e))
    }
}

impl From<mesdonnees_db::DbError> for Stop {
    fn from(e: mesdonnees_db::DbError) -> Self {
        Self::Failed(e.into())
    }
}

/// Builds the archive of one export row and publishes it (what the `export` job runs). When
/// `interrupt` resolves first, the upload is aborted and the job reports itself interrupted.
pub async fn run(
    ctx: &Context,
    export_id: &str,
    interrupt: impl Future<Output = ()>,
) -> Result<(), JobError> {
    run_with(ctx, export_id, interrupt, true).await
}

/// The same export with no viewer in the archive: only the bench runs it, to measure what the
/// viewer costs (every archive a user gets has one).
#[doc(hidden)]
pub async fn run_without_viewer(
    ctx: &Context,
    export_id: &str,
    interrupt: impl Future<Output = ()>,
) -> Result<(), JobError> {
    run_with(ctx, export_id, interrupt, false).await
}

async fn run_with(
    ctx: &Context,
    export_id: &str,
    interrupt: impl Future<Output = ()>,
    with_viewer: bool,
) -> Result<(), JobError> {
    let id = export_id.to_owned();
    let started = ctx
        .db
        .run(
            move |conn| {
                if exports::start(conn, &id)? { exports::find(conn, &id) } else { Ok(None) }
            },
        )
        .await?;
    let Some(export) = started else {
        // Cancelled or deleted before it ran: nothing to build. A worker killed after its
        // upload and before `ready` may have left the archive and its delivered copy.
        remove_leftovers(ctx, export_id).await?;
        return Ok(());
    };
    let options = export.export_options()?;
    let app_ids = export.app_ids()?;
    let key = export_key(&export.id, &options);
    remove_local_staging(ctx, &key).await;
    let id = export.id.clone();
    ctx.db.run(move |conn| exports::clear_entries(conn, &id)).await?;
    let mut plan = match prepare(ctx, &export, &options, &app_ids).await {
        Ok(plan) => plan,
        Err(Stop::Cancelled) => return Ok(()),
        Err(Stop::Failed(e)) => return Err(e),
    };
    let in_parts = match options.part_size_bytes {
        Some(size) if options.kind != ExportKind::Table => {
            part_writer::remove_published(ctx, &export.id).await?;
            let scratch = crate::scratch::dir(&ctx.config);
            let planned = parts::plan(&mut plan.prepared, size, &scratch)
                .await
                .map_err(|e| JobError::storage("cannot plan the export's parts", &e))?;
            Some(planned)
        }
        _ => None,
    };
    let key =
        if in_parts.is_some() { mesdonnees_shared::exports::part_key(&export.id, 1) } else { key };
    if options.kind == ExportKind::Table {
        let Some(spec) = &options.table else {
            return Err(JobError::Permanent("a table export without its table".into()));
        };
        return table_export::run(ctx, &export, plan, spec, &key, interrupt).await;
    }
    let sink = sink::Sink::open(ctx.storage.store.clone(), ctx.storage.local_root.as_deref(), &key)
        .await
        .map_err(|e| JobError::storage("cannot open the archive for writing", &e))?;
    let mut writer = ArchiveWriter::create(sink, &crate::scratch::dir(&ctx.config))
        .await
        .map_err(|e| JobError::storage("cannot open the archive's scratch files", &e))?;
    let scratch_files = in_parts.as_ref().map(|p| (p.listing.clone(), p.scratch.clone()));
    let built = tokio::select! {
        biased;
        () = interrupt => None,
        // Boxed: the archive's state is large, and the job's future would carry it inline.
        built = Box::pin(build(ctx, &export, plan, &options, &mut writer, in_parts, with_viewer)) => Some(built),
    };
    if let Some((listing, files)) = &scratch_files {
        for path in files.iter().chain(std::iter::once(listing)) {
            let _ = tokio::fs::remove_file(path).await;
        }
    }
    let Some(built) = built else {
        writer.abort().await;
        tracing::info!("export interrupted by a shutdown; upload aborted");
        return Err(JobError::Interrupted);
    };
    match built {
        Ok(built) => {
            let summary = writer.finish().await.map_err(|e| JobError::storage("archive", &e))?;
            if let Some(last) = &built.last_part {
                let summary = archive::ArchiveSummary { ..summary.clone() };
                if !part_writer::record(ctx, &export.id, last, &summary).await? {
                    let _ = ctx.storage.store.delete(&Path::from(last.key.as_str())).await;
                    part_writer::remove_published(ctx, &export.id).await?;
                    return Ok(());
                }
                let whole = part_writer::whole(ctx, &export.id).await?;
                return publish(ctx, &export, &whole.0, &built, &whole.1).await;
            }
            publish(ctx, &export, &key, &built, &summary).await
        }
        Err(Stop::Cancelled) => {
            writer.abort().await;
            part_writer::forget_parts(ctx, &export.id, scratch_files.is_some()).await;
            tracing::info!("export cancelled; upload aborted");
            Ok(())
        }
        Err(Stop::Failed(e)) => {
            writer.abort().await;
            part_writer::forget_parts(ctx, &export.id, scratch_files.is_some()).await;
            Err(e)
        }
    }
}

/// What the archive holds, for the row and the notification.
struct Built {
    files: u64,
    bytes: u64,
    apps: BTreeMap<String, ManifestApp>,
    /// For an export in parts, the last part, written but not yet recorded.
    last_part: Option<part_writer::LastPart>,
}

/// The apps ready to stream, with the totals known up front.
struct Plan<'a> {
    progress: Progress<'a>,
    prepared: Vec<(AppDescriptor, crate::apps::PreparedExport)>,
    failed: BTreeMap<String, ManifestApp>,
}

/// Asks every selected app what it will export; totals first, so the progress bar has an end.
async fn prepare<'a>(
    ctx: &'a Context,
    export: &'a Export,
    options: &ExportOptions,
    app_ids: &[String],
) -> Result<Plan<'a>, Stop> {
    let request = ExportRequest {
        owner: export.owner_id.clone(),
        filters: options.filters.clone(),
        rows_only: options.kind == ExportKind::Table,
    };
    let mut progress = Progress::new(ctx, &export.id);
    let mut apps = BTreeMap::new();
    let mut prepared = Vec::new();
    for app_id in app_ids {
        let Some(app) = app_for(ctx, app_id) else {
            apps.insert(
                app_id.clone(),
                failed_app(
                    &AppDescriptor::workspace(),
                    app_id,
                    ErrorCode::UnknownApp,
                    "this instance has no such app",
                ),
            );
            continue;
        };
        let descriptor = app.descriptor().clone();
        match app.export(&request).await {
            Ok(p) => {
                progress.files_total += p.files_total.unwrap_or(0);
                progress.bytes_total += p.bytes_total.unwrap_or(0);
                prepared.push((descriptor, p));
            }
            Err(e) => {
                apps.insert(
                    descriptor.id.clone(),
                    failed_app(&descriptor, &descriptor.id, e.code, &e.message),
                );
            }
        }
    }
    progress.save_totals().await?;
    Ok(Plan { progress, prepared, failed: apps })
}

async fn build(
    ctx: &Context,
    export: &Export,
    plan: Plan<'_>,
    options: &ExportOptions,
    writer: &mut ArchiveWriter,
    in_parts: Option<parts::Plan>,
    with_viewer: bool,
) -> Result<Built, Stop> {
    let index = if in_parts.is_some() { None } else { options.table.as_ref() };
    let Plan { mut progress, prepared, failed: mut apps } = plan;
    let signer =
        ctx.signer().await.map_err(|e| Stop::Failed(JobError::Transient(e.to_string())))?;
    let source = Source {
        instance: signer.instance().to_owned(),
        service_version: env!("CARGO_PKG_VERSION").to_owned(),
        key_id: signer.key_id().to_owned(),
    };
    let owner = Owner { id: export.owner_id.clone(), name: export.owner_name.clone() };
    let head = Head::new(&export.id, &source, &owner);
    let mut listing = Listing::new(ctx, &export.id, &head)
        .map_err(|e| Stop::Failed(JobError::Permanent(format!("manifest: {e}"))))?;
    let mut part_state = in_parts
        .map(|plan| part_writer::PartState::new(ctx, export, options.lang, plan, signer.clone()));
    if let Some(state) = &part_state {
        state.begin(&mut listing, &head, 1)?;
    }
    let index = match index {
        Some(spec) => Some((
            spec.format,
            table::TableFile::create(
                spec,
                table::headers(ctx, spec, options.lang),
                options.lang,
                &crate::scratch::dir(&ctx.config),
            )
            .map_err(|e| Stop::Failed(JobError::storage("index", &e)))?,
        )),
        None => None,
    };
    let mut out = Output {
        writer,
        listing: &mut listing,
        entries: 0,
        large_buffer: Vec::new(),
        index: index.as_ref().map(|(_, file)| file),
        viewer: if with_viewer {
            Some(viewer::Viewer::new(
                options.lang,
                ctx.config.locale.time_zone,
                &crate::scratch::dir(&ctx.config),
            )?)
        } else {
            None
        },
        parts: part_state.as_mut(),
        head: &head,
    };
    for (descriptor, p) in prepared {
        if let Some(viewer) = &mut out.viewer {
            let folder = sanitize_segment(&descriptor.display_name);
            viewer.begin_app(&descriptor, &folder, p.view.clone());
        }
        let mut app = write_app(ctx, &mut out, &mut progress, &descriptor, p).await?;
        if let Some(state) = &out.parts {
            state.planned_failure(&descriptor.id, &mut app);
        }
        apps.insert(descriptor.id.clone(), app);
    }
    let Output { writer, listing: written_listing, mut large_buffer, viewer, .. } = out;
    if let Some((format, file)) = index {
        write_index(writer, &mut large_buffer, written_listing, format, file).await?;
    }
    let about = viewer::About {
        export_name: &export.name,
        owner: owner.name.as_deref().unwrap_or(&owner.id),
        instance: &source.instance,
        created_at: head.created_at,
        apps: &apps,
    };
    if let Some(mut viewer) = viewer {
        write_page(writer, &mut listing, viewer::Viewer::style()).await?;
        while let Some(page) = viewer.next_listing()? {
            write_page(writer, &mut listing, page).await?;
        }
        write_page(writer, &mut listing, viewer.home(&about)).await?;
    }
    progress.flush().await?;
    let last_head = part_state.as_ref().map(|s| s.head(&head));
    let (files, bytes) = write_metadata(
        export,
        readme::Words { lang: options.lang, zone: ctx.config.locale.time_zone },
        writer,
        &signer,
        last_head.as_ref().unwrap_or(&head),
        &mut listing,
        &apps,
    )
    .await?;
    let last_part = part_state.map(part_writer::PartState::last);
    Ok(Built { files, bytes, apps, last_part })
}

/// Where entries go, and what is counted across apps.
struct Output<'w, 'l, 'c, 'i> {
    /// For an export in parts, the part being written, replaced by the next at each switch.
    writer: &'w mut ArchiveWriter,
    /// What writing in parts needs; none for one archive.
    parts: Option<&'i mut part_writer::PartState>,
    head: &'i Head<'i>,
    listing: &'l mut Listing<'c>,
    entries: u64,
    /// One read buffer for every large file of the export.
    large_buffer: Vec<u8>,
    /// The table of the archive's files, when asked, written at its root at the end.
    index: Option<&'i table::TableFile>,
    /// The pages for people, recording what goes in (none only when the bench measures
    /// without them).
    viewer: Option<viewer::Viewer>,
}

/// A page of the viewer, listed in the manifest as the viewer's.
async fn write_page(
    writer: &mut ArchiveWriter,
    listing: &mut Listing<'_>,
    page: viewer::Page,
) -> Result<(), Stop> {
    let summary = writer.add_whole(&page.path, page.html.as_bytes(), true, Utc::now()).await?;
    let listed = ManifestFile {
        path: page.path,
        app: String::new(),
        size: summary.size,
        sha256: summary.sha256,
        kind: Some(FileKind::Viewer),
        part: None,
        piece: None,
    };
    listing.add(&listed).await
}

/// The index table, as `index.<format>` at the archive's root; listed in the manifest with no
/// app, since it belongs to none.
async fn write_index(
    writer: &mut ArchiveWriter,
    buffer: &mut Vec<u8>,
    listing: &mut Listing<'_>,
    format: mesdonnees_shared::tables::TableFormat,
    file: table::TableFile,
) -> Result<(), Stop> {
    let failed =
        |e: &(dyn std::error::Error + 'static)| Stop::Failed(JobError::storage("index", e));
    let written = file.finish().await.map_err(|e| failed(&e))?;
    let size = tokio::fs::metadata(&written.file).await.map_err(|e| failed(&e))?.len();
    let reader = tokio::fs::File::open(&written.file).await.map_err(|e| failed(&e))?;
    let path = format!("index.{}", format.extension());
    let modified = Utc::now();
    let entry = StreamedFile { path: &path, content_type: format.content_type(), size, modified };
    let summary = writer.add_stream(entry, reader, buffer).await?;
    let listed = ManifestFile {
        path,
        app: String::new(),
        size: summary.size,
        sha256: summary.sha256,
        kind: None,
        part: None,
        piece: None,
    };
    listing.add(&listed).await?;
    Ok(())
}

/// Streams one app's entries into the archive; its outcome says whether all of them made it.
/// A large entry streamed from the store; `Err(path)` when the store no longer has it.
async fn write_large_entry(
    ctx: &Context,
    out: &mut Output<'_, '_, '_, '_>,
    folder: &str,
    entry: prepare::LargeEntry,
) -> Result<Result<Written, String>, Stop> {
    let prepare::LargeEntry { path, key, size, content_type, modified, expected_sha256, row } =
        entry;
    let path = format!("{folder}/{path}");
    let file = StreamedFile { path: &path, content_type: &content_type, size, modified };
    // What an app declared is read no further than declared; the checksum then tells whether
    // the store held that.
    let limit = expected_sha256.is_some().then_some(size);
    match write_large(ctx, out.writer, &mut out.large_buffer, file, &key, limit).await {
        Ok(summary) => Ok(Ok(Written {
            path,
            summary,
            json: false,
            expected_sha256,
            row,
            modified,
            document: None,
        })),
        Err(ObjectFailure::Missing) => Ok(Err(path)),
        Err(ObjectFailure::Stop(stop)) => Err(stop),
    }
}

async fn write_app(
    ctx: &Context,
    out: &mut Output<'_, '_, '_, '_>,
    progress: &mut Progress<'_>,
    descriptor: &AppDescriptor,
    p: crate::apps::PreparedExport,
) -> Result<ManifestApp, Stop> {
    let max_entries = ctx.config.exports.max_entries;
    let folder = sanitize_segment(&descriptor.display_name);
    let (mut app_files, mut app_bytes) = (0_u64, 0_u64);
    let mut failure: Option<(ErrorCode, String)> = None;
    let storage = ctx.storage.clone();
    let (pool, app) = (prepare::BufferPool::default(), (descriptor, &*folder, &p.view));
    let reader_pool = pool.clone();
    let mut ready = prepare::batches(p.entries)
        .map(move |batch| prepare::prepare_batch(storage.clone(), reader_pool.clone(), batch))
        .buffered(prepare::batches_in_flight())
        .flat_map(futures_util::stream::iter);
    while let Some(item) = ready.next().await {
        let item = match item {
            Ok(item) => item,
            Err(PrepareError::Connector(e)) => {
                failure = Some((e.code, e.message));
                break;
            }
            Err(PrepareError::Store(e)) => return Err(Stop::Failed(JobError::Transient(e))),
        };
        let counts = ((&mut app_files, &mut app_bytes), &mut failure);
        let Some(item) = part_writer::place(ctx, out, app, item, counts, progress).await? else {
            continue;
        };
        if out.entries >= max_entries {
            failure = Some((ErrorCode::TooManyEntries, format!("more than {max_entries} entries")));
            break;
        }
        out.entries += 1;
        let written = match item {
            Ready::Directory { path, modified } => {
                let path = format!("{folder}/{path}");
                out.writer.add_directory(&path, modified).await?;
                if let Some(viewer) = &mut out.viewer {
                    viewer.directory(&path);
                }
                None
            }
            Ready::Whole { path, data, json, modified, expected_sha256, row } => {
                let path = format!("{folder}/{path}");
                let summary = out.writer.add_prepared(&path, &data, modified).await?;
                let document = if json { Some(data.content()?) } else { None };
                pool.give_back(data.data);
                Some(Written { path, summary, json, expected_sha256, row, modified, document })
            }
            Ready::Large(large) => match write_large_entry(ctx, out, &folder, large).await? {
                Ok(written) => Some(written),
                Err(path) => {
                    failure.get_or_insert_with(|| missing(&path));
                    progress.advance(0).await?;
                    None
                }
            },
            Ready::Missing { path } => {
                // One lost file makes the app incomplete, not the export.
                failure.get_or_insert_with(|| missing(&format!("{folder}/{path}")));
                progress.advance(0).await?;
                None
            }
            Ready::Mismatch { path } => {
                failure.get_or_insert_with(|| mismatch(&format!("{folder}/{path}")));
                progress.advance(0).await?;
                None
            }
        };
        if let Some(written) = written {
            if written.expected_sha256.as_ref().is_some_and(|e| *e != written.summary.sha256) {
                failure.get_or_insert_with(|| mismatch(&written.path));
            }
            app_files += 1;
            app_bytes += written.summary.size;
            progress.advance(written.summary.size).await?;
            record(out, &descriptor.id, written).await?;
        }
    }
    Ok(ManifestApp {
        version: descriptor.version,
        folder,
        entries: app_files,
        bytes: app_bytes,
        outcome: failure.map_or(AppOutcome::Ok, |(code, message)| AppOutcome::Failed {
            code: code.as_str().to_owned(),
            message,
        }),
    })
}

/// An entry written, recorded: in the manifest and the listing, the viewer (with a JSON
/// document's page, written next), the index when asked.
async fn record(out: &mut Output<'_, '_, '_, '_>, app: &str, written: Written) -> Result<(), Stop> {
    let Written { path, summary, json, row, modified, document, .. } = written;
    if let Some(viewer) = &mut out.viewer {
        viewer.file(&path, summary.size, modified, row.as_deref())?;
    }
    if let (Some(index), Some(row)) = (out.index, row) {
        index_row(index, &path, &summary, app, *row).await?;
    }
    let file = ManifestFile {
        path,
        app: app.to_owned(),
        size: summary.size,
        sha256: summary.sha256,
        kind: json.then_some(FileKind::Json),
        part: None,
        piece: None,
    };
    out.listing.add(&file).await?;
    let viewer = out.viewer.as_mut();
    if let Some(page) =
        document.zip(viewer).and_then(|(d, v)| v.document(&file.path, &d).transpose())
    {
        write_page(out.writer, out.listing, page?).await?;
    }
    Ok(())
}

/// The index's row of an entry written: its path in the archive, what was written.
async fn index_row(
    index: &table::TableFile,
    path: &str,
    summary: &archive::EntrySummary,
    app: &str,
    row: TableRow,
) -> Result<(), Stop> {
    let row = TableRow {
        path: path.to_owned(),
        app: app.to_owned(),
        size: Some(summary.size),
        sha256: Some(summary.sha256.clone()),
        ..row
    };
    index.push(row).await.map_err(|e| Stop::Failed(JobError::storage("index", &e)))
}

/// An entry in the archive, and what its app said of it.
struct Written {
    path: String,
    summary: archive::EntrySummary,
    json: bool,
    expected_sha256: Option<String>,
    row: Option<Box<TableRow>>,
    modified: chrono::DateTime<Utc>,
    /// A JSON document's content in clear, for its page in the viewer.
    document: Option<Vec<u8>>,
}

enum ObjectFailure {
    Missing,
    Stop(Stop),
}

impl From<ArchiveError> for ObjectFailure {
    fn from(e: ArchiveError) -> Self {
        Self::Stop(e.into())
    }
}

fn missing(path: &str) -> (ErrorCode, String) {
    (ErrorCode::ObjectMissing, format!("{path} is missing from the store"))
}

fn mismatch(path: &str) -> (ErrorCode, String) {
    (ErrorCode::ObjectMismatch, format!("{path} in the store is not what its app declared"))
}

/// A file too large to hold, streamed from the store into the archive.
async fn write_large(
    ctx: &Context,
    writer: &mut ArchiveWriter,
    buffer: &mut Vec<u8>,
    file: StreamedFile<'_>,
    key: &str,
    limit: Option<u64>,
) -> Result<archive::EntrySummary, ObjectFailure> {
    use tokio::io::AsyncReadExt;
    let reader = objects::open_reader(&ctx.storage, key).await.map_err(|e| match e {
        ReadError::Missing => ObjectFailure::Missing,
        other => ObjectFailure::Stop(Stop::Failed(JobError::Transient(other.to_string()))),
    })?;
    let reader = reader.take(limit.unwrap_or(u64::MAX));
    Ok(writer.add_stream(file, reader, buffer).await?)
}

/// The read-me, SHA256SUMS, the manifest and its signature, which close the archive; the
/// files and bytes the manifest lists.
async fn write_metadata(
    export: &Export,
    words: readme::Words,
    writer: &mut ArchiveWriter,
    signer: &mesdonnees_infra::signing::InstanceSigner,
    head: &Head<'_>,
    listing: &mut Listing<'_>,
    apps: &BTreeMap<String, ManifestApp>,
) -> Result<(u64, u64), Stop> {
    let now = Utc::now();
    {
        let readme =
            readme::render(words, &export.name, head, apps, listing.files, &listing.listed);
        writer.add_whole(README_PATH, readme.as_bytes(), true, now).await?;
    }
    let sums = writer.add_checksums(now).await?;
    let listed = ManifestFile {
        path: CHECKSUMS_PATH.to_owned(),
        app: String::new(),
        size: sums.size,
        sha256: sums.sha256,
        kind: Some(FileKind::Checksums),
        part: None,
        piece: None,
    };
    listing.add_to_manifest(&listed)?;
    listing.write_rows().await?;
    let (files, bytes) = (listing.files, listing.bytes);
    let manifest = listing
        .finish_manifest(apps)
        .map_err(|e| Stop::Failed(JobError::Permanent(format!("manifest: {e}"))))?;
    writer.add_prepared(MANIFEST_PATH, &manifest, now).await?;
    let signature = signer
        .sign_manifest(&export.id, &manifest.sha256)
        .map_err(|e| Stop::Failed(JobError::Transient(e.to_string())))?;
    writer.add_whole(SIGNATURE_PATH, signature.as_bytes(), false, now).await?;
    Ok((files, bytes))
}

async fn publish(
    ctx: &Context,
    export: &Export,
    key: &str,
    built: &Built,
    summary: &archive::ArchiveSummary,
) -> Result<(), JobError> {
    let outcomes =
        serde_json::to_string(&built.apps).map_err(|e| JobError::Permanent(e.to_string()))?;
    let failed_apps: Vec<(String, String)> = built
        .apps
        .iter()
        .filter_map(|(id, app)| match &app.outcome {
            AppOutcome::Failed { message, .. } => Some((id.clone(), message.clone())),
            AppOutcome::Ok => None,
        })
        .collect();
    let hours = i64::try_from(ctx.config.exports.expires_after_hours).unwrap_or(24 * 7);
    let expires_at = (Utc::now() + chrono::Duration::hours(hours)).naive_utc();
    let (files, bytes) = (as_i64(built.files), as_i64(built.bytes));
    let size = i64::try_from(summary.size).unwrap_or(i64::MAX);
    let (id, key_owned, sha) = (export.id.clone(), key.to_owned(), summary.sha256.clone());
    let options = export.export_options()?;
    let staged = deliver::stage(ctx, export, &options, key, size, &summary.sha256).await?;
    let (job_ctx, row) = (ctx.clone(), export.clone());
    let delivery = staged.map(std::sync::Arc::new);
    let in_transaction = delivery.clone();
    let published = ctx
        .db
        .transaction(move |conn| {
            let ready = exports::mark_ready(
                conn,
                &id,
                &exports::Finished {
                    object_key: &key_owned,
                    size,
                    sha256: &sha,
                    app_outcomes: &outcomes,
                    files,
                    bytes,
                    expires_at,
                },
            )?;
            if !ready {
                return Ok(None);
            }
            let delivered = match &in_transaction {
                Some(staged) => deliver::record(conn, staged)?,
                None => true,
            };
            notify::export_ready(conn, &row, &failed_apps)?;
            Ok(Some((notify::email_job(conn, &job_ctx, &row)?, delivered)))
        })
        .await?;
    let Some((email, delivered)) = published else {
        // Cancelled while the last bytes were written: the archive must not outlive it.
        let _ = ctx.storage.store.delete(&Path::from(key)).await;
        if let Some(staged) = &delivery {
            deliver::drop_copy(ctx, staged).await;
        }
        return Ok(());
    };
    if let Some(staged) = delivery.as_ref().filter(|_| !delivered) {
        deliver::drop_copy(ctx, staged).await;
    }
    notify::enqueue(ctx, email).await;
    ctx.metrics.add_exported_bytes(summary.size);
    tracing::info!(size = summary.size, files, "export ready");
    Ok(())
}

/// What an attempt cut after its upload left of an export that ended without being published
/// (cancelled or failed meanwhile): its archive or parts, and the copy for its documents. A
/// ready export, or one still to run, is left alone.
async fn remove_leftovers(ctx: &Context, export_id: &str) -> Result<(), JobError> {
    let id = export_id.to_owned();
    let Some(export) = ctx.db.run(move |conn| exports::find(conn, &id)).await? else {
        return Ok(());
    };
    if !matches!(export.status.as_str(), "cancelled" | "failed") {
        return Ok(());
    }
    let options = export.export_options()?;
    match ctx.storage.store.delete(&Path::from(export_key(&export.id, &options))).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => return Err(JobError::storage("a stopped export's archive not removed", &e)),
    }
    if options.part_size_bytes.is_some() {
        part_writer::remove_published(ctx, &export.id).await?;
    }
    deliver::remove_undelivered(ctx, &export, &options).await
}

/// Marks the export failed once its job has no attempts left.
pub(crate) async fn give_up(ctx: &Context, export_id: &str, code: ErrorCode, reason: &str) {
    let id = export_id.to_owned();
    let reason = reason.to_owned();
    let result = ctx
        .db
        .transaction(move |conn| {
            let Some(export) = exports::find(conn, &id)? else { return Ok(()) };
            if exports::mark_failed(conn, &id, code.as_str(), &reason)? {
                notify::export_failed(conn, &export, code, &reason)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!(error = ?e, "export could not be marked failed");
    }
}

fn failed_app(descriptor: &AppDescriptor, id: &str, code: ErrorCode, message: &str) -> ManifestApp {
    ManifestApp {
        version: descriptor.version,
        folder: sanitize_segment(if id == descriptor.id { &descriptor.display_name } else { id }),
        entries: 0,
        bytes: 0,
        outcome: AppOutcome::Failed { code: code.as_str().to_owned(), message: message.to_owned() },
    }
}

/// A local store stages a multipart upload in a file next to the target; a worker killed mid
/// upload leaves it behind. A new attempt removes what an earlier one left.
async fn remove_local_staging(ctx: &Context, key: &str) {
    let Some(root) = &ctx.storage.local_root else { return };
    let target = root.join(key);
    let (Some(dir), Some(name)) = (target.parent(), target.file_name().and_then(|n| n.to_str()))
    else {
        return;
    };
    let Ok(mut listing) = tokio::fs::read_dir(dir).await else { return };
    let prefix = format!("{name}#");
    while let Ok(Some(entry)) = listing.next_entry().await {
        if entry.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) {
            let _ = tokio::fs::remove_file(entry.path()).await;
        }
    }
}

/// Progress written to the row at most every `exports.progress_interval_ms`; each write also
/// tells whether the export was cancelled meanwhile.
struct Progress<'a> {
    ctx: &'a Context,
    export_id: &'a str,
    files_done: u64,
    bytes_done: u64,
    files_total: u64,
    bytes_total: u64,
    last: Instant,
    every: Duration,
}

impl<'a> Progress<'a> {
    fn new(ctx: &'a Context, export_id: &'a str) -> Self {
        Self {
            ctx,
            export_id,
            files_done: 0,
            bytes_done: 0,
            files_total: 0,
            bytes_total: 0,
            last: Instant::now(),
            every: Duration::from_millis(ctx.config.exports.progress_interval_ms),
        }
    }

    async fn save_totals(&mut self) -> Result<(), Stop> {
        let (id, files, bytes) =
            (self.export_id.to_owned(), as_i64(self.files_total), as_i64(self.bytes_total));
        self.ctx.db.run(move |conn| exports::set_totals(conn, &id, files, bytes)).await?;
        Ok(())
    }

    async fn advance(&mut self, bytes: u64) -> Result<(), Stop> {
        self.files_done += 1;
        self.bytes_done += bytes;
        if self.last.elapsed() >= self.every { self.flush().await } else { Ok(()) }
    }

    async fn flush(&mut self) -> Result<(), Stop> {
        self.last = Instant::now();
        mesdonnees_infra::memory::release_free_memory();
        let (id, files, bytes) =
            (self.export_id.to_owned(), as_i64(self.files_done), as_i64(self.bytes_done));
        let status =
            self.ctx.db.run(move |conn| exports::progress(conn, &id, files, bytes)).await?;
        match status.as_deref() {
            Some("running") => Ok(()),
            _ => Err(Stop::Cancelled),
        }
    }
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
