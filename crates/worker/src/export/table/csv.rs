//! CSV: UTF-8 with a byte order mark (spreadsheet programs otherwise read accents as Latin-1),
//! comma-separated, CRLF line ends and quotes where needed (RFC 4180).
//!
//! A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
//! apostrophe: some spreadsheet programs run such text as a formula when they open a CSV.
//! xlsx and ODS cells are typed, so they need none.

use std::io::Write;

use mesdonnees_shared::tables::Cell;

use super::{Sheet, TableError, inert};

pub struct CsvSheet {
    writer: ::csv::Writer<std::io::BufWriter<std::fs::File>>,
}

impl CsvSheet {
    pub fn create(path: &std::path::Path) -> Result<Self, TableError> {
        let mut file = std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(path)?);
        file.write_all("\u{feff}".as_bytes())?;
        let writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .quote_style(::csv::QuoteStyle::Necessary)
            .from_writer(file);
        Ok(Self { writer })
    }
}

impl Sheet for CsvSheet {
    fn header(&mut self, headers: &[&str]) -> Result<(), TableError> {
        Ok(self.writer.write_record(headers)?)
    }

    fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), TableError> {
        for cell in cells {
            match cell {
                Cell::Text(text) => self.writer.write_field(inert(text).as_bytes())?,
                Cell::Number(n) => self.writer.write_field(n.to_string())?,
                Cell::Empty => self.writer.write_field("")?,
            }
        }
        Ok(self.writer.write_record(None::<&[u8]>)?)
    }

    fn finish(self: Box<Self>) -> Result<(), TableError> {
        let file = self.writer.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
        file.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_data()?;
        Ok(())
    }
}
