//! The central directory, parsed record by record as it is read in bounded chunks: every
//! check that needs no other entry is made here, before the next record is looked at.

use super::ScanLimits;
use super::entry::{Method, ScannedEntry, dos_time};
use super::eocd::Directory;
use super::error::{ScanError, shown};
use super::fields::{Fields, Zip64};
use super::names;
use crate::RangeSource;

/// Bytes of the central directory read at once.
pub(super) const CHUNK: u64 = 1024 * 1024;

const RECORD_SIGNATURE: u32 = 0x0201_4b50;
const RECORD_LEN: usize = 46;
pub(super) const FLAG_ENCRYPTED: u16 = 1;
pub(super) const FLAG_DESCRIPTOR: u16 = 1 << 3;
const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
const FLAG_UTF8: u16 = 1 << 11;
const FLAG_MASKED_HEADERS: u16 = 1 << 13;
const METHOD_AES: u16 = 99;
const HOST_UNIX: u16 = 3;
const MODE_TYPE: u32 = 0o170_000;
const MODE_SYMLINK: u32 = 0o120_000;

/// Where an entry's local header is, and what checking that header needs.
pub(super) struct Located {
    pub header_offset: u64,
    /// Index of the entry in central-directory order.
    pub index: usize,
    pub name_len: u16,
    pub cp437: bool,
    pub descriptor: bool,
}

#[derive(Default)]
pub(super) struct Central {
    pub entries: Vec<ScannedEntry>,
    pub located: Vec<Located>,
    pub total_uncompressed: u64,
}

/// One record's fields, as written.
struct Record<'a> {
    made_by: u16,
    flags: u16,
    method: u16,
    time: u16,
    date: u16,
    crc32: u32,
    compressed: u32,
    uncompressed: u32,
    disk: u16,
    external: u32,
    header_offset: u32,
    name: &'a [u8],
    extra: &'a [u8],
}

/// Reads and checks the whole central directory, `chunk` bytes at a time.
pub(super) async fn read(
    source: &dyn RangeSource,
    directory: &Directory,
    limits: &ScanLimits,
    chunk: u64,
) -> Result<Central, ScanError> {
    let mut central = Central::default();
    let end = directory.offset.checked_add(directory.size).ok_or(ScanError::Truncated)?;
    // At most one chunk plus the start of a record that straddles two chunks.
    let mut pending = Vec::new();
    let mut at = directory.offset;
    while at < end {
        let next = end.min(at.saturating_add(chunk));
        pending.extend_from_slice(&source.read(at..next).await?);
        at = next;
        let used = central.parse(&pending, limits)?;
        pending.drain(..used);
    }
    if !pending.is_empty() {
        return Err(ScanError::Damaged("an entry runs past the central directory"));
    }
    if central.entries.len() as u64 != directory.entries {
        return Err(ScanError::Damaged("its count of entries is wrong"));
    }
    Ok(central)
}

impl Central {
    /// Takes every whole record at the start of `buf`; returns how many bytes they span.
    fn parse(&mut self, buf: &[u8], limits: &ScanLimits) -> Result<usize, ScanError> {
        let mut used = 0;
        while let Some((record, len)) = parse_record(&buf[used..])? {
            self.add(&record, limits)?;
            used += len;
        }
        Ok(used)
    }

    fn add(&mut self, record: &Record<'_>, limits: &ScanLimits) -> Result<(), ScanError> {
        // Counted as they come, so a directory that lies about its count is stopped at once.
        if self.entries.len() as u64 >= limits.max_entries {
            return Err(ScanError::TooManyEntries { limit: limits.max_entries });
        }
        if record.name.len() > limits.max_name_bytes {
            let path = shown(&String::from_utf8_lossy(record.name));
            return Err(ScanError::UnsafePath { path });
        }
        let name = names::decode(record.name, record.flags & FLAG_UTF8 != 0)?;
        let (path, is_dir) = names::check_path(&name.text)?;
        let method = check_kind(record, path)?;
        let mut zip64 = Zip64::new(record.extra);
        let damaged = || ScanError::Damaged("an entry lacks its ZIP64 sizes");
        let uncompressed_size = zip64.widen(record.uncompressed).ok_or_else(damaged)?;
        let compressed_size = zip64.widen(record.compressed).ok_or_else(damaged)?;
        let header_offset = zip64.widen(record.header_offset).ok_or_else(damaged)?;
        if zip64.widen_disk(record.disk).ok_or_else(damaged)? != 0 {
            return Err(ScanError::MultiDisk);
        }
        if method == Method::Stored && compressed_size != uncompressed_size {
            return Err(ScanError::Damaged("a stored entry has two sizes"));
        }
        self.total_uncompressed = self
            .total_uncompressed
            .checked_add(uncompressed_size)
            .filter(|&total| total <= limits.max_total_uncompressed)
            .ok_or(ScanError::TotalSizeExceeded { limit: limits.max_total_uncompressed })?;
        self.located.push(Located {
            header_offset,
            index: self.entries.len(),
            name_len: u16::try_from(record.name.len()).unwrap_or(u16::MAX),
            cp437: name.cp437,
            descriptor: record.flags & FLAG_DESCRIPTOR != 0,
        });
        self.entries.push(ScannedEntry {
            path: path.to_owned(),
            is_dir,
            method,
            crc32: record.crc32,
            compressed_size,
            uncompressed_size,
            data_offset: 0,
            modified: dos_time(record.date, record.time),
        });
        Ok(())
    }
}

/// Refuses encrypted entries, methods other than Stored and Deflate, and symbolic links.
fn check_kind(record: &Record<'_>, path: &str) -> Result<Method, ScanError> {
    let encrypted = FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS;
    if record.flags & encrypted != 0 || record.method == METHOD_AES {
        return Err(ScanError::EncryptedEntry { path: shown(path) });
    }
    let method = Method::from_code(record.method).ok_or_else(|| {
        ScanError::UnsupportedCompression { path: shown(path), method: record.method }
    })?;
    let unix_mode = record.external >> 16;
    if record.made_by >> 8 == HOST_UNIX && unix_mode & MODE_TYPE == MODE_SYMLINK {
        return Err(ScanError::SymlinkEntry { path: shown(path) });
    }
    Ok(method)
}

/// The record at the start of `buf` and its length, once all of it is there.
fn parse_record(buf: &[u8]) -> Result<Option<(Record<'_>, usize)>, ScanError> {
    let Some(mut f) = Fields::new(buf, RECORD_LEN) else { return Ok(None) };
    if f.u32() != RECORD_SIGNATURE {
        return Err(ScanError::Damaged("its central directory is corrupt"));
    }
    let made_by = f.u16();
    let flags = f.skip(2).u16();
    let method = f.u16();
    let time = f.u16();
    let date = f.u16();
    let crc32 = f.u32();
    let compressed = f.u32();
    let uncompressed = f.u32();
    let name_len = usize::from(f.u16());
    let extra_len = usize::from(f.u16());
    let comment_len = usize::from(f.u16());
    let disk = f.u16();
    let external = f.skip(2).u32();
    let header_offset = f.u32();
    let name_end = RECORD_LEN + name_len;
    let len = name_end + extra_len + comment_len;
    if buf.len() < len {
        return Ok(None);
    }
    let record = Record {
        made_by,
        flags,
        method,
        time,
        date,
        crc32,
        compressed,
        uncompressed,
        disk,
        external,
        header_offset,
        name: &buf[RECORD_LEN..name_end],
        extra: &buf[name_end..name_end + extra_len],
    };
    Ok(Some((record, len)))
}
