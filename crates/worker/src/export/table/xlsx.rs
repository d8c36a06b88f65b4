//! xlsx in constant-memory mode: each row is written to a temporary file once the next begins,
//! so the workbook holds one row at a time; strings are stored inline, not in a shared table.
//!
//! rust_xlsxwriter refuses a text cell longer than 32,767 UTF-16 units, which would fail the
//! attempt and every later one: such a text is cut, with an ellipsis. A sheet holds 1,048,576
//! rows, header included, which is why a table export stops at 1,048,575 rows
//! (`too_many_entries`).

use mesdonnees_shared::Lang;
use mesdonnees_shared::tables::{Cell, sheet_name};
use rust_xlsxwriter::{Format, Workbook};

use super::{Sheet, TableError};

pub struct XlsxSheet {
    workbook: Workbook,
    path: std::path::PathBuf,
    row: u32,
    bold: Format,
}

impl XlsxSheet {
    pub fn create(
        path: &std::path::Path,
        temp_dir: &std::path::Path,
        lang: Lang,
    ) -> Result<Self, TableError> {
        let mut workbook = Workbook::new();
        workbook.set_tempdir(temp_dir)?;
        workbook.add_worksheet_with_constant_memory()?.set_name(sheet_name(lang))?;
        Ok(Self { workbook, path: path.to_owned(), row: 0, bold: Format::new().set_bold() })
    }
}

/// Most UTF-16 units an xlsx cell holds; a longer text would fail the whole table.
const MAX_CELL_UNITS: usize = 32_767;

/// The text, cut (with an ellipsis) to what a cell holds.
fn fit(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_CELL_UNITS / 3 || text.encode_utf16().count() <= MAX_CELL_UNITS {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut units = 0;
    let cut: String = text
        .chars()
        .take_while(|c| {
            units += c.len_utf16();
            units < MAX_CELL_UNITS
        })
        .collect();
    std::borrow::Cow::Owned(format!("{cut}…"))
}

impl Sheet for XlsxSheet {
    fn header(&mut self, headers: &[&str]) -> Result<(), TableError> {
        let sheet = self.workbook.worksheet_from_index(0)?;
        for (column, header) in (0_u16..).zip(headers) {
            sheet.write_string_with_format(0, column, *header, &self.bold)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        self.row = 1;
        Ok(())
    }

    fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), TableError> {
        let sheet = self.workbook.worksheet_from_index(0)?;
        for (column, cell) in (0_u16..).zip(cells) {
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(self.row, column, fit(text).as_ref())?;
                }
                #[expect(clippy::cast_precision_loss, reason = "sizes are far below 2^53")]
                Cell::Number(n) => {
                    sheet.write_number(self.row, column, *n as f64)?;
                }
                Cell::Empty => {}
            }
        }
        self.row += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), TableError> {
        self.workbook.save(&self.path)?;
        Ok(())
    }
}
