//! A streaming zip writer whose memory does not grow with the archive: entries go straight to
//! the output, and the central directory, which must wait for the end, goes to a spill the
//! caller gives ([`ZipWriter::with_directory_in`], a temporary file for an export) and is read
//! back at the end through a bounded buffer. [`ZipWriter::new`] keeps it in memory, for small
//! archives.
//!
//! Written here rather than taken from async_zip: its writer keeps a few hundred bytes of
//! structures per entry until the end (tens of MiB for a large export) and records the two sizes
//! of a streamed entry swapped in the central directory, so streamed entries could not be
//! deflated.
//!
//! Readers that go by local headers alone, such as Java's `ZipInputStream`, need an entry's
//! sizes there: an entry whose content is at hand is written whole with its CRC and sizes in
//! its local header, and only an entry too large to hold is streamed with a data descriptor.
//! Such readers refuse a descriptor holding 0xFFFFFFFF sizes, and a Stored entry with one.
//! Check every layout change with more than one reader (`unzip -t`, Python's `zipfile`):
//! `unzip -t` alone has passed a corrupt streamed ZIP64 entry.
//!
//! A streamed entry's local header goes out before its size is known, so whether it is ZIP64
//! is decided there, from the expected size with a 64 MiB margin for deflate's growth. An
//! entry that outgrows 4 GiB without it cannot be mended afterwards: it fails the export
//! rather than misplace every later entry. ZIP64 is otherwise used only where a field overflows.

mod records;

use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use chrono::{DateTime, Utc};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use records::{DEFLATE, EntryFields, FLAG_DESCRIPTOR, FLAG_UTF8, MAX_U32, STORED};

/// An entry whose bytes are all at hand, as they go into the archive.
#[derive(Debug, Clone, Copy)]
pub struct WholeEntry<'a> {
    /// Raw deflate stream when `deflated`, else the content itself.
    pub data: &'a [u8],
    pub deflated: bool,
    /// CRC-32 of the content.
    pub crc32: u32,
    /// Size of the content (inflated).
    pub size: u64,
}

/// Where the central directory waits for the end of the archive: anything that can be written,
/// then read back from its start.
pub trait DirectorySpill: Read + Write + Seek + Send {}

impl<T: Read + Write + Seek + Send> DirectorySpill for T {}

/// Buffer of the copies from a spill or a reader into the output.
const COPY_CHUNK: usize = 64 * 1024;

const FILE_MODE: u32 = 0o100_644;
const FOLDER_MODE: u32 = 0o040_755;

/// Entries whose size may reach this are streamed with ZIP64 headers: a margin below 4 GiB
/// covers a deflate stream slightly larger than its content.
const STREAMED_ZIP64_FROM: u64 = MAX_U32 - 64 * 1024 * 1024;

/// A streamed entry begun with [`ZipWriter::begin_stream`].
#[derive(Debug)]
pub struct StreamedEntry {
    name: Vec<u8>,
    offset: u64,
    fields: EntryFields,
    zip64: bool,
}

/// Writes an archive entry by entry into `W`; [`Self::finish`] adds the central directory.
pub struct ZipWriter<W> {
    out: W,
    /// Bytes written so far: the next entry's offset.
    offset: u64,
    entries: u64,
    /// Central directory records, spilled as they come.
    central: BufWriter<Box<dyn DirectorySpill>>,
    central_len: u64,
    scratch: Vec<u8>,
}

impl<W: AsyncWrite + Unpin> ZipWriter<W> {
    /// A writer holding its central directory in memory (about 100 bytes an entry).
    pub fn new(out: W) -> Self {
        Self::with_directory_in(out, std::io::Cursor::new(Vec::new()))
    }

    /// A writer spilling its central directory to `spill`, which it writes from its current
    /// position and reads back from its start: give it an empty file.
    pub fn with_directory_in(out: W, spill: impl DirectorySpill + 'static) -> Self {
        let spill: Box<dyn DirectorySpill> = Box::new(spill);
        Self {
            out,
            offset: 0,
            entries: 0,
            central: BufWriter::with_capacity(COPY_CHUNK, spill),
            central_len: 0,
            scratch: Vec::with_capacity(1024),
        }
    }

    /// The output, for what must reach it beside the archive (aborting an upload).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// A folder entry; `path` without its trailing slash.
    pub async fn add_directory(
        &mut self,
        path: &str,
        modified: DateTime<Utc>,
    ) -> std::io::Result<()> {
        let fields = EntryFields {
            method: STORED,
            flags: FLAG_UTF8,
            modified,
            crc32: 0,
            compressed: 0,
            uncompressed: 0,
            mode: FOLDER_MODE,
        };
        self.write_whole(format!("{path}/").as_bytes(), &fields, &[], None::<(&[u8], u64)>).await
    }

    /// An entry whose (possibly deflated) bytes are at hand: sizes and CRC in the local header,
    /// which every reader handles, Java's streaming one included.
    pub async fn add_whole(
        &mut self,
        path: &str,
        entry: WholeEntry<'_>,
        modified: DateTime<Utc>,
    ) -> std::io::Result<()> {
        let fields = EntryFields {
            method: if entry.deflated { DEFLATE } else { STORED },
            flags: FLAG_UTF8,
            modified,
            crc32: entry.crc32,
            compressed: entry.data.len() as u64,
            uncompressed: entry.size,
            mode: FILE_MODE,
        };
        self.write_whole(path.as_bytes(), &fields, entry.data, None::<(&[u8], u64)>).await
    }

    /// Like [`Self::add_whole`], for an entry whose bytes wait in a file (metadata built as the
    /// archive grows): `entry.data` followed by `stored_len` bytes read from `bytes`, a bounded
    /// buffer at a time. The reads block: meant for a file in the page cache.
    pub async fn add_whole_from(
        &mut self,
        path: &str,
        entry: WholeEntry<'_>,
        bytes: impl Read,
        stored_len: u64,
        modified: DateTime<Utc>,
    ) -> std::io::Result<()> {
        let fields = EntryFields {
            method: if entry.deflated { DEFLATE } else { STORED },
            flags: FLAG_UTF8,
            modified,
            crc32: entry.crc32,
            compressed: entry.data.len() as u64 + stored_len,
            uncompressed: entry.size,
            mode: FILE_MODE,
        };
        self.write_whole(path.as_bytes(), &fields, entry.data, Some((bytes, stored_len))).await
    }

    async fn write_whole(
        &mut self,
        name: &[u8],
        fields: &EntryFields,
        data: &[u8],
        rest: Option<(impl Read, u64)>,
    ) -> std::io::Result<()> {
        let zip64 = fields.uncompressed >= MAX_U32 || fields.compressed >= MAX_U32;
        self.scratch.clear();
        records::local_header(&mut self.scratch, name, fields, zip64);
        let offset = self.offset;
        self.out.write_all(&self.scratch).await?;
        self.out.write_all(data).await?;
        if let Some((reader, len)) = rest {
            let copied = copy_exactly(reader, len, &mut self.out).await?;
            if copied != len {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "an entry's bytes ended before their size",
                ));
            }
        }
        self.offset += self.scratch.len() as u64 + fields.compressed;
        self.record(name, fields, offset)
    }

    /// Starts an entry whose content follows in [`Self::write_stream`] calls; its CRC and sizes
    /// go in a data descriptor after it. `size_hint` (the expected content size) decides ZIP64.
    pub async fn begin_stream(
        &mut self,
        path: &str,
        deflate: bool,
        size_hint: u64,
        modified: DateTime<Utc>,
    ) -> std::io::Result<StreamedEntry> {
        let entry = StreamedEntry {
            name: path.as_bytes().to_vec(),
            offset: self.offset,
            fields: EntryFields {
                method: if deflate { DEFLATE } else { STORED },
                flags: FLAG_UTF8 | FLAG_DESCRIPTOR,
                modified,
                crc32: 0,
                compressed: 0,
                uncompressed: 0,
                mode: FILE_MODE,
            },
            zip64: size_hint >= STREAMED_ZIP64_FROM,
        };
        self.scratch.clear();
        records::local_header(&mut self.scratch, &entry.name, &entry.fields, entry.zip64);
        self.out.write_all(&self.scratch).await?;
        self.offset += self.scratch.len() as u64;
        Ok(entry)
    }

    /// Bytes of a streamed entry as they go in the archive (already deflated if it is).
    pub async fn write_stream(
        &mut self,
        entry: &mut StreamedEntry,
        bytes: &[u8],
    ) -> std::io::Result<()> {
        self.out.write_all(bytes).await?;
        self.offset += bytes.len() as u64;
        entry.fields.compressed += bytes.len() as u64;
        Ok(())
    }

    /// Closes a streamed entry with the content's CRC and size.
    pub async fn end_stream(
        &mut self,
        mut entry: StreamedEntry,
        crc32: u32,
        size: u64,
    ) -> std::io::Result<()> {
        entry.fields.crc32 = crc32;
        entry.fields.uncompressed = size;
        if !entry.zip64 && (size >= MAX_U32 || entry.fields.compressed >= MAX_U32) {
            // Its local header promised 32-bit sizes; readers would misplace everything after.
            return Err(std::io::Error::other(
                "a streamed entry grew past 4 GiB beyond its expected size",
            ));
        }
        self.scratch.clear();
        records::data_descriptor(&mut self.scratch, &entry.fields, entry.zip64);
        self.out.write_all(&self.scratch).await?;
        self.offset += self.scratch.len() as u64;
        self.record(&entry.name, &entry.fields, entry.offset)
    }

    fn record(&mut self, name: &[u8], fields: &EntryFields, offset: u64) -> std::io::Result<()> {
        self.scratch.clear();
        records::central_header(&mut self.scratch, name, fields, offset);
        self.central.write_all(&self.scratch)?;
        self.central_len += self.scratch.len() as u64;
        self.entries += 1;
        Ok(())
    }

    /// Writes the central directory and the end records, flushes, and hands the output back
    /// with the archive's size.
    pub async fn finish(mut self) -> std::io::Result<(W, u64)> {
        let directory_offset = self.offset;
        let mut directory =
            self.central.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        directory.seek(SeekFrom::Start(0))?;
        let written = copy_exactly(directory, self.central_len, &mut self.out).await?;
        if written != self.central_len {
            return Err(std::io::Error::other("the central directory did not read back whole"));
        }
        self.scratch.clear();
        records::end_records(&mut self.scratch, self.entries, written, directory_offset);
        self.out.write_all(&self.scratch).await?;
        self.out.flush().await?;
        let size = directory_offset + written + self.scratch.len() as u64;
        Ok((self.out, size))
    }
}

/// Copies up to `len` bytes of `reader` into `out`; how many there were.
async fn copy_exactly<W: AsyncWrite + Unpin>(
    reader: impl Read,
    len: u64,
    out: &mut W,
) -> std::io::Result<u64> {
    let mut reader = reader.take(len);
    let mut chunk = vec![0; COPY_CHUNK];
    let mut copied = 0_u64;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(copied),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all(&chunk[..n]).await?;
        copied += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use flate2::Compression;
    use flate2::write::DeflateEncoder;

    use super::*;

    /// An entry's bytes, owned, with what its headers need.
    struct Prepared {
        data: Vec<u8>,
        deflated: bool,
        crc32: u32,
        size: u64,
    }

    impl Prepared {
        fn whole(&self) -> WholeEntry<'_> {
            WholeEntry {
                data: &self.data,
                deflated: self.deflated,
                crc32: self.crc32,
                size: self.size,
            }
        }
    }

    fn prepared(content: &[u8], deflated: bool) -> Prepared {
        let data = if deflated {
            let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(content).unwrap();
            encoder.finish().unwrap()
        } else {
            content.to_vec()
        };
        Prepared { data, deflated, crc32: crc32fast::hash(content), size: content.len() as u64 }
    }

    async fn sample_archive(entries: usize) -> Vec<u8> {
        let now = Utc::now();
        let mut zip = ZipWriter::new(Vec::new());
        zip.add_directory("Documents/Été", now).await.unwrap();
        let text = "ligne de texte accentuée\n".repeat(200);
        for i in 0..entries {
            let data = prepared(format!("{i}:{text}").as_bytes(), i % 2 == 0);
            zip.add_whole(&format!("Documents/Été/f{i}.txt"), data.whole(), now).await.unwrap();
        }
        for deflate in [false, true] {
            let content = "flux ".repeat(50_000);
            let mut entry = zip
                .begin_stream(&format!("gros-{deflate}.txt"), deflate, content.len() as u64, now)
                .await
                .unwrap();
            let body = if deflate {
                prepared(content.as_bytes(), true).data
            } else {
                content.clone().into_bytes()
            };
            for part in body.chunks(7000) {
                zip.write_stream(&mut entry, part).await.unwrap();
            }
            zip.end_stream(entry, crc32fast::hash(content.as_bytes()), content.len() as u64)
                .await
                .unwrap();
        }
        let (bytes, size) = zip.finish().await.unwrap();
        assert_eq!(size, bytes.len() as u64);
        bytes
    }

    #[tokio::test]
    async fn an_independent_reader_gets_every_entry_back() {
        let bytes = sample_archive(5).await;
        let mut archive = ::zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 1 + 5 + 2);
        assert!(archive.by_name("Documents/Été/").unwrap().is_dir());
        let mut content = String::new();
        archive.by_name("Documents/Été/f3.txt").unwrap().read_to_string(&mut content).unwrap();
        assert!(content.starts_with("3:ligne de texte accentuée\n"));
        for deflate in [false, true] {
            let mut content = String::new();
            let mut file = archive.by_name(&format!("gros-{deflate}.txt")).unwrap();
            file.read_to_string(&mut content).unwrap();
            assert_eq!(content.len(), 250_000);
            assert_eq!(file.size(), 250_000);
        }
    }

    #[tokio::test]
    async fn past_65535_entries_the_end_records_are_zip64() {
        let now = Utc::now();
        let mut zip = ZipWriter::new(Vec::new());
        let empty = prepared(b"", false);
        for i in 0..66_000 {
            zip.add_whole(&format!("{i}"), empty.whole(), now).await.unwrap();
        }
        let (bytes, _) = zip.finish().await.unwrap();
        let archive = ::zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 66_000);
    }

    /// A directory spilled to a file many times the copy buffer reads back whole, and an
    /// entry whose bytes wait in a file goes in with them.
    #[tokio::test]
    async fn a_directory_spilled_to_a_file_and_an_entry_read_from_one() {
        let now = Utc::now();
        let spill = tempfile::tempfile().unwrap();
        let mut zip = ZipWriter::with_directory_in(Vec::new(), spill);
        let empty = prepared(b"", false);
        for i in 0..20_000 {
            zip.add_whole(&format!("dossier/fichier-{i:05}.txt"), empty.whole(), now)
                .await
                .unwrap();
        }
        assert!(zip.central_len > 10 * COPY_CHUNK as u64, "{}", zip.central_len);
        let content = "métadonnées ".repeat(30_000);
        let deflated = prepared(content.as_bytes(), true);
        let mut waiting = tempfile::tempfile().unwrap();
        waiting.write_all(&deflated.data).unwrap();
        waiting.seek(SeekFrom::Start(0)).unwrap();
        let head = WholeEntry { data: &[], ..deflated.whole() };
        let len = deflated.data.len() as u64;
        zip.add_whole_from("workspace.json", head, &waiting, len, now).await.unwrap();
        let (bytes, _) = zip.finish().await.unwrap();
        let mut archive = ::zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 20_001);
        assert_eq!(archive.by_index(19_999).unwrap().name().unwrap(), "dossier/fichier-19999.txt");
        let mut read = String::new();
        archive.by_name("workspace.json").unwrap().read_to_string(&mut read).unwrap();
        assert_eq!(read, content);
    }

    #[tokio::test]
    async fn an_entry_whose_file_ends_early_is_refused() {
        let mut zip = ZipWriter::new(Vec::new());
        let entry = prepared(b"abc", false);
        let head = WholeEntry { data: &[], ..entry.whole() };
        let short: &[u8] = b"ab";
        assert!(zip.add_whole_from("x", head, short, 3, Utc::now()).await.is_err());
    }

    #[tokio::test]
    async fn a_streamed_entry_outgrowing_its_32_bit_header_is_refused() {
        let mut zip = ZipWriter::new(Vec::new());
        let entry = zip.begin_stream("x", false, 10, Utc::now()).await.unwrap();
        assert!(zip.end_stream(entry, 0, MAX_U32 + 1).await.is_err());
    }
}
