//! A scan kept for later: a [`ScannedArchive`] written compactly, so that whoever reads the
//! archive next (another job, another process) takes its checked entries instead of scanning
//! again. Paths share their prefix with the previous entry's (an archive lists a folder's files
//! together) and numbers are LEB128 varints: a few dozen bytes an entry.
//!
//! Pitfall: a kept scan is only as good as its link to the archive it describes. The caller
//! keeps it with what identifies that archive's bytes (size, etag) and drops it when they
//! differ; here, the limits it was made under are part of it (a scan under wider limits does
//! not stand for one under narrower ones), and a trailing CRC-32 turns a damaged or cut copy
//! into an error rather than wrong offsets.

use chrono::DateTime;

use super::entry::{Method, ScannedEntry};
use super::{ScanLimits, ScannedArchive};

const MAGIC: &[u8; 8] = b"MDSCAN\x00\x01";
const IS_DIR: u8 = 1;
const DEFLATE: u8 = 2;
const DATED: u8 = 4;

/// Why a kept scan is not taken; the caller scans again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeptError {
    #[error("the kept scan is damaged or cut")]
    Damaged,
    #[error("the kept scan was made under other limits")]
    OtherLimits,
}

/// The archive's scan, made under `limits`, as bytes.
pub fn encode(archive: &ScannedArchive, limits: &ScanLimits) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + archive.entries.len() * 40);
    out.extend_from_slice(MAGIC);
    for value in limit_values(limits) {
        put(&mut out, value);
    }
    put(&mut out, archive.entries.len() as u64);
    put(&mut out, archive.total_uncompressed);
    put(&mut out, archive.central_directory_offset);
    let mut previous: &str = "";
    for entry in &archive.entries {
        let shared = shared_prefix(previous, &entry.path);
        put(&mut out, shared as u64);
        let rest = &entry.path.as_bytes()[shared..];
        put(&mut out, rest.len() as u64);
        out.extend_from_slice(rest);
        let mut flags = 0;
        if entry.is_dir {
            flags |= IS_DIR;
        }
        if entry.method == Method::Deflate {
            flags |= DEFLATE;
        }
        if entry.modified.is_some() {
            flags |= DATED;
        }
        out.push(flags);
        out.extend_from_slice(&entry.crc32.to_le_bytes());
        put(&mut out, entry.compressed_size);
        put(&mut out, entry.uncompressed_size);
        put(&mut out, entry.data_offset);
        if let Some(modified) = entry.modified {
            put(&mut out, zigzag(modified.timestamp()));
        }
        previous = &entry.path;
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// The scan `bytes` keep, if it was made under `limits` and is whole.
pub fn decode(bytes: &[u8], limits: &ScanLimits) -> Result<ScannedArchive, KeptError> {
    let (body, crc) = bytes.split_last_chunk::<4>().ok_or(KeptError::Damaged)?;
    if crc32fast::hash(body) != u32::from_le_bytes(*crc) {
        return Err(KeptError::Damaged);
    }
    let mut reader = Reader { buf: body.strip_prefix(MAGIC).ok_or(KeptError::Damaged)? };
    for value in limit_values(limits) {
        if reader.varint()? != value {
            return Err(KeptError::OtherLimits);
        }
    }
    let count = reader.varint()?;
    // Every entry takes at least nine bytes: a count past that is damage, not an allocation.
    if count > limits.max_entries || count > (reader.buf.len() / 9) as u64 {
        return Err(KeptError::Damaged);
    }
    let total_uncompressed = reader.varint()?;
    let central_directory_offset = reader.varint()?;
    let mut entries: Vec<ScannedEntry> = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    for _ in 0..count {
        let shared = reader.length()?;
        let previous = entries.last().map_or("", |e| e.path.as_str());
        let head = previous.as_bytes().get(..shared).ok_or(KeptError::Damaged)?;
        let rest_len = reader.length()?;
        let rest = reader.take(rest_len)?;
        let path = String::from_utf8([head, rest].concat()).map_err(|_| KeptError::Damaged)?;
        let flags = reader.take(1)?[0];
        let crc32 = u32::from_le_bytes(reader.take(4)?.try_into().map_err(|_| KeptError::Damaged)?);
        let compressed_size = reader.varint()?;
        let uncompressed_size = reader.varint()?;
        let data_offset = reader.varint()?;
        let modified = if flags & DATED == 0 {
            None
        } else {
            let seconds = unzigzag(reader.varint()?);
            Some(DateTime::from_timestamp(seconds, 0).ok_or(KeptError::Damaged)?)
        };
        entries.push(ScannedEntry {
            path,
            is_dir: flags & IS_DIR != 0,
            method: if flags & DEFLATE == 0 { Method::Stored } else { Method::Deflate },
            crc32,
            compressed_size,
            uncompressed_size,
            data_offset,
            modified,
        });
    }
    if !reader.buf.is_empty() {
        return Err(KeptError::Damaged);
    }
    Ok(ScannedArchive { entries, total_uncompressed, central_directory_offset })
}

fn limit_values(limits: &ScanLimits) -> [u64; 4] {
    [
        limits.max_entries,
        limits.max_total_uncompressed,
        limits.max_central_directory,
        limits.max_name_bytes as u64,
    ]
}

/// Bytes two paths share at their start, cut at a character boundary.
fn shared_prefix(a: &str, b: &str) -> usize {
    let mut shared = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !b.is_char_boundary(shared) {
        shared -= 1;
    }
    shared
}

fn put(out: &mut Vec<u8>, mut value: u64) {
    // Seven bits at a time, the high bit saying more follow.
    let low = |value: u64| value.to_le_bytes()[0] & 0x7f;
    while value >= 0x80 {
        out.push(low(value) | 0x80);
        value >>= 7;
    }
    out.push(low(value));
}

/// A signed number as an unsigned one that stays small when the number is near zero.
fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)).cast_unsigned()
}

fn unzigzag(value: u64) -> i64 {
    (value >> 1).cast_signed() ^ (value & 1).cast_signed().wrapping_neg()
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], KeptError> {
        if n > self.buf.len() {
            return Err(KeptError::Damaged);
        }
        let (taken, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(taken)
    }

    fn varint(&mut self) -> Result<u64, KeptError> {
        let mut value = 0_u64;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(KeptError::Damaged);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(KeptError::Damaged)
    }

    fn length(&mut self) -> Result<usize, KeptError> {
        usize::try_from(self.varint()?).map_err(|_| KeptError::Damaged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, is_dir: bool, offset: u64) -> ScannedEntry {
        ScannedEntry {
            path: path.to_owned(),
            is_dir,
            method: if is_dir { Method::Stored } else { Method::Deflate },
            crc32: 0xdead_beef,
            compressed_size: 300,
            uncompressed_size: 1_000_000_000_000,
            data_offset: offset,
            modified: DateTime::from_timestamp(1_700_000_000, 0),
        }
    }

    fn archive() -> ScannedArchive {
        let mut dated_before_1970 = entry("Documents/été/b.txt", false, 900);
        dated_before_1970.modified = DateTime::from_timestamp(-86_400, 0);
        let mut undated = entry("Documents/étoile", false, 1200);
        undated.modified = None;
        undated.method = Method::Stored;
        ScannedArchive {
            entries: vec![
                entry("Documents", true, 40),
                entry("Documents/été/a.txt", false, 100),
                dated_before_1970,
                undated,
                entry("manifest.json", false, u64::MAX >> 1),
            ],
            total_uncompressed: 4_000_000_000_000,
            central_directory_offset: 5000,
        }
    }

    #[test]
    fn a_kept_scan_reads_back_as_it_was() {
        let limits = ScanLimits::default();
        let original = archive();
        let bytes = encode(&original, &limits);
        let back = decode(&bytes, &limits).expect("decoded");
        assert_eq!(back.entries, original.entries);
        assert_eq!(back.total_uncompressed, original.total_uncompressed);
        assert_eq!(back.central_directory_offset, original.central_directory_offset);
        let empty = ScannedArchive { entries: vec![], ..original };
        assert!(decode(&encode(&empty, &limits), &limits).unwrap().entries.is_empty());
    }

    #[test]
    fn a_scan_under_other_limits_is_not_taken() {
        let bytes = encode(&archive(), &ScanLimits::default());
        let narrower = ScanLimits { max_entries: 10, ..ScanLimits::default() };
        assert_eq!(decode(&bytes, &narrower).unwrap_err(), KeptError::OtherLimits);
    }

    #[test]
    fn a_damaged_or_cut_scan_is_an_error_never_a_panic() {
        let limits = ScanLimits::default();
        let bytes = encode(&archive(), &limits);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], &limits).is_err(), "cut at {cut}");
        }
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x41;
            assert!(decode(&damaged, &limits).is_err(), "damaged at {at}");
        }
    }
}
