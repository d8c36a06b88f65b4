//! ODS: the OpenDocument package (a zip whose first entry is the stored `mimetype`) around a
//! `content.xml` written as rows come, deflated on the way; no row is kept.

use std::fmt::Write as _;
use std::io::Write;

use mesdonnees_shared::Lang;
use mesdonnees_shared::tables::{Cell, sheet_name};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::{Sheet, TableError};

const MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"#;

const CONTENT_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:spreadsheet><table:table table:name=""#;

const CONTENT_TAIL: &str =
    "</table:table></office:spreadsheet></office:body></office:document-content>\n";

pub struct OdsSheet {
    zip: ZipWriter<std::io::BufWriter<std::fs::File>>,
    line: String,
}

impl OdsSheet {
    pub fn create(path: &std::path::Path, lang: Lang) -> Result<Self, TableError> {
        let file = std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(path)?);
        let mut zip = ZipWriter::new(file);
        // Readers find the type in the first bytes: stored, first, no extra field.
        zip.start_file(
            "mimetype",
            SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
        )?;
        zip.write_all(MIMETYPE.as_bytes())?;
        let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        zip.start_file("META-INF/manifest.xml", deflated)?;
        zip.write_all(MANIFEST.as_bytes())?;
        zip.start_file("content.xml", deflated)?;
        zip.write_all(CONTENT_HEAD.as_bytes())?;
        // The sheet's names hold no character XML would need escaped.
        zip.write_all(sheet_name(lang).as_bytes())?;
        zip.write_all(b"\">")?;
        Ok(Self { zip, line: String::new() })
    }

    fn write_row<'a>(&mut self, cells: impl Iterator<Item = Cell<'a>>) -> Result<(), TableError> {
        self.line.clear();
        self.line.push_str("<table:table-row>");
        for cell in cells {
            match cell {
                Cell::Text(text) => {
                    self.line.push_str("<table:table-cell office:value-type=\"string\"><text:p>");
                    escape_into(&mut self.line, text);
                    self.line.push_str("</text:p></table:table-cell>");
                }
                Cell::Number(n) => {
                    let _ = write!(
                        self.line,
                        "<table:table-cell office:value-type=\"float\" office:value=\"{n}\"><text:p>{n}</text:p></table:table-cell>"
                    );
                }
                Cell::Empty => self.line.push_str("<table:table-cell/>"),
            }
        }
        self.line.push_str("</table:table-row>");
        self.zip.write_all(self.line.as_bytes())?;
        Ok(())
    }
}

impl Sheet for OdsSheet {
    fn header(&mut self, headers: &[&str]) -> Result<(), TableError> {
        self.write_row(headers.iter().map(|h| Cell::Text(h)))
    }

    fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), TableError> {
        self.write_row(cells.iter().cloned())
    }

    fn finish(mut self: Box<Self>) -> Result<(), TableError> {
        self.zip.write_all(CONTENT_TAIL.as_bytes())?;
        let file = self.zip.finish()?;
        file.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_data()?;
        Ok(())
    }
}

/// XML text: the five markup characters escaped, characters XML 1.0 forbids replaced.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}
