//! Tables of an export's files and app resources (csv, xlsx, ods), written row by row on a
//! blocking thread into a temporary file, then uploaded: memory stays flat whatever the row
//! count, since no writer keeps rows (CSV and ODS stream them, xlsx in constant-memory mode
//! writes each finished row to its own temporary file).

mod csv;
mod ods;
mod xlsx;

use std::path::Path;

use mesdonnees_shared::Lang;
use mesdonnees_shared::tables::{Cell, TableField, TableFormat, TableRow, TableSpec};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::sink::Sink;

/// Rows the writer may be behind the export.
const ROWS_AHEAD: usize = 256;
/// Most rows one table holds: what xlsx allows below its header.
pub const MAX_ROWS: u64 = 1_048_575;

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("writing the table: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing the xlsx table: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing the ods table: {0}")]
    Ods(#[from] zip::result::ZipError),
    #[error("writing the csv table: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("the table writer stopped")]
    Stopped,
    #[error("the upload was interrupted by a shutdown")]
    Interrupted,
}

/// What a format does with rows.
trait Sheet {
    fn header(&mut self, headers: &[&str]) -> Result<(), TableError>;
    fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), TableError>;
    fn finish(self: Box<Self>) -> Result<(), TableError>;
}

/// A table being written: rows go in with [`TableFile::push`], the file comes out of
/// [`TableFile::finish`].
pub struct TableFile {
    rows: mpsc::Sender<TableRow>,
    writer: tokio::task::JoinHandle<Result<WrittenTable, TableError>>,
}

/// The finished file, removed when dropped.
pub struct WrittenTable {
    pub file: tempfile::TempPath,
    pub rows: u64,
}

impl TableFile {
    /// Starts a table in `dir` (created when missing), its columns headed by `headers`, its
    /// sheet (xlsx, ODS) named in `lang`.
    pub fn create(
        spec: &TableSpec,
        headers: Vec<String>,
        lang: Lang,
        dir: &Path,
    ) -> Result<Self, TableError> {
        std::fs::create_dir_all(dir)?;
        let file = tempfile::Builder::new()
            .prefix("table-")
            .suffix(&format!(".{}", spec.format.extension()))
            .tempfile_in(dir)?
            .into_temp_path();
        let (rows, receiver) = mpsc::channel(ROWS_AHEAD);
        let (format, fields, dir) = (spec.format, spec.fields.clone(), dir.to_owned());
        let writer = tokio::task::spawn_blocking(move || {
            let sheet: Box<dyn Sheet> = match format {
                TableFormat::Csv => Box::new(csv::CsvSheet::create(&file)?),
                TableFormat::Xlsx => Box::new(xlsx::XlsxSheet::create(&file, &dir, lang)?),
                TableFormat::Ods => Box::new(ods::OdsSheet::create(&file, lang)?),
            };
            let rows = write_rows(sheet, &headers, &fields, receiver)?;
            Ok(WrittenTable { file, rows })
        });
        Ok(Self { rows, writer })
    }

    pub async fn push(&self, row: TableRow) -> Result<(), TableError> {
        self.rows.send(row).await.map_err(|_| TableError::Stopped)
    }

    pub async fn finish(self) -> Result<WrittenTable, TableError> {
        drop(self.rows);
        self.writer.await.map_err(|_| TableError::Stopped)?
    }
}

fn write_rows(
    mut sheet: Box<dyn Sheet>,
    headers: &[String],
    fields: &[TableField],
    mut rows: mpsc::Receiver<TableRow>,
) -> Result<u64, TableError> {
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    sheet.header(&headers)?;
    let mut count = 0;
    while let Some(row) = rows.blocking_recv() {
        let cells: Vec<Cell<'_>> = fields.iter().map(|f| row.cell(f)).collect();
        sheet.row(&cells)?;
        count += 1;
    }
    sheet.finish()?;
    Ok(count)
}

/// The header of each column: the common ones in French, an app's with the label it declares.
pub fn headers(ctx: &mesdonnees_infra::Context, spec: &TableSpec, lang: Lang) -> Vec<String> {
    spec.fields
        .iter()
        .map(|field| match field {
            TableField::AppField { app, field: name } => ctx
                .remote_app(app)
                .and_then(|a| a.table_fields.iter().find(|f| f.field == *name))
                .map_or_else(|| field.to_string(), |f| f.label.clone()),
            common => common.header(lang).to_owned(),
        })
        .collect()
}

/// What an uploaded table came to.
#[derive(Debug)]
pub struct UploadedTable {
    pub size: u64,
    pub sha256: String,
}

/// Copies the finished table to `key` in the store, hashing it; nothing appears under the key
/// unless all of it was written.
/// Uploads the table to `key`; on `interrupt` (a shutdown) the upload is aborted, so nothing
/// is left half-written in the store.
pub async fn upload(
    storage: &mesdonnees_infra::storage::Storage,
    table: &WrittenTable,
    key: &str,
    interrupt: impl Future<Output = ()>,
) -> Result<UploadedTable, TableError> {
    let mut sink = Sink::open(storage.store.clone(), storage.local_root.as_deref(), key).await?;
    let copied = tokio::select! {
        biased;
        () = interrupt => Err(TableError::Interrupted),
        copied = copy_hashed(&table.file, &mut sink) => copied,
    };
    match copied {
        // A failed completion leaves nothing behind, and nothing to abort (`sink`).
        Ok(uploaded) => {
            sink.complete().await?;
            Ok(uploaded)
        }
        Err(e) => {
            sink.abort().await;
            Err(e)
        }
    }
}

async fn copy_hashed(path: &Path, sink: &mut Sink) -> Result<UploadedTable, TableError> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut buffer = vec![0; 1024 * 1024];
    let mut hasher = Sha256::new();
    let mut size = 0_u64;
    loop {
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        sink.write_all(&buffer[..read]).await?;
        size += read as u64;
    }
    Ok(UploadedTable { size, sha256: hex::encode(hasher.finalize()) })
}

/// Text a spreadsheet program must not take for a formula: a cell starting with `=`, `+`, `-`
/// or `@` (or a tab or carriage return before one) is run by some programs when the CSV is
/// opened. Such text is given a leading apostrophe, the common defence. xlsx and ods cells are
/// typed as text, so they need none.
pub(crate) fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests;
