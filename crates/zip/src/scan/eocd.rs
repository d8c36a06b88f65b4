//! The end of the archive: where the central directory is, how large, and how many entries it
//! claims. Nothing of it is trusted further than it can be checked against the file's length.

use std::ops::Range;

use bytes::Bytes;

use super::error::ScanError;
use super::fields::Fields;
use super::local::LOCAL_SIGNATURE;
use crate::RangeSource;

const EOCD_SIGNATURE: u32 = 0x0605_4b50;
const EOCD_LEN: usize = 22;
/// The end record plus the longest comment it can carry: the record is in these last bytes.
const TAIL_LEN: u64 = EOCD_LEN as u64 + 0xFFFF;
const LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const LOCATOR_LEN: usize = 20;
const ZIP64_EOCD_SIGNATURE: u32 = 0x0606_4b50;
const ZIP64_EOCD_LEN: usize = 56;

/// The central directory as the end records describe it.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Directory {
    pub offset: u64,
    pub size: u64,
    pub entries: u64,
}

/// Counts and place as read from either end record.
struct EndRecord {
    disk: u32,
    directory_disk: u32,
    entries_on_disk: u64,
    directory: Directory,
}

/// The last bytes of the file, read once and reused for the records that lie inside them.
struct Tail {
    start: u64,
    bytes: Bytes,
}

impl Tail {
    async fn get(&self, source: &dyn RangeSource, range: Range<u64>) -> Result<Bytes, ScanError> {
        if range.start >= self.start {
            let from = usize::try_from(range.start - self.start).map_err(|_| ScanError::NotAZip)?;
            let to = usize::try_from(range.end - self.start).map_err(|_| ScanError::NotAZip)?;
            return Ok(self.bytes.slice(from..to));
        }
        Ok(source.read(range).await?)
    }
}

/// Finds the central directory and checks that it lies right before the end records.
pub(super) async fn find(source: &dyn RangeSource) -> Result<Directory, ScanError> {
    let len = source.len();
    let start = len.saturating_sub(TAIL_LEN);
    let tail = Tail { start, bytes: source.read(start..len).await? };
    let Some(at) = locate(&tail.bytes) else {
        return Err(missing_end(source, &tail).await?);
    };
    let eocd_at = start + at as u64;
    let classic = classic_record(&tail.bytes[at..]).ok_or(ScanError::NotAZip)?;
    let (record, directory_end) = match zip64_record(source, &tail, eocd_at).await? {
        Some((record, record_at)) => (record, record_at),
        None => (classic, eocd_at),
    };
    if record.disk != 0 || record.directory_disk != 0 {
        return Err(ScanError::MultiDisk);
    }
    if record.entries_on_disk != record.directory.entries {
        return Err(ScanError::MultiDisk);
    }
    let directory = record.directory;
    let Some(end) = directory.offset.checked_add(directory.size) else {
        return Err(ScanError::Truncated);
    };
    if end > directory_end {
        return Err(ScanError::Truncated);
    }
    // Writers put the directory right before its end record; a gap means bytes were put in
    // front of the archive without shifting its offsets, as self-extracting programs are.
    if end < directory_end {
        return Err(ScanError::Prefixed);
    }
    Ok(directory)
}

/// The offset in `tail` of an end record whose comment ends exactly at the end of the file.
/// Searching from the end finds the real record before any signature a comment may contain.
fn locate(tail: &[u8]) -> Option<usize> {
    let last = tail.len().checked_sub(EOCD_LEN)?;
    (0..=last).rev().find(|&at| {
        let Some(mut f) = Fields::new(&tail[at..], EOCD_LEN) else { return false };
        f.u32() == EOCD_SIGNATURE && {
            let comment = usize::from(f.skip(16).u16());
            at + EOCD_LEN + comment == tail.len()
        }
    })
}

/// No end record: a file that starts like a zip has lost its end, anything else is no zip.
async fn missing_end(source: &dyn RangeSource, tail: &Tail) -> Result<ScanError, ScanError> {
    if source.len() < 4 {
        return Ok(ScanError::NotAZip);
    }
    let head = tail.get(source, 0..4).await?;
    let starts_like_zip = Fields::new(&head, 4).is_some_and(|mut f| f.u32() == LOCAL_SIGNATURE);
    Ok(if starts_like_zip { ScanError::Truncated } else { ScanError::NotAZip })
}

fn classic_record(bytes: &[u8]) -> Option<EndRecord> {
    let mut f = Fields::new(bytes, EOCD_LEN)?;
    let disk = u32::from(f.skip(4).u16());
    let directory_disk = u32::from(f.u16());
    let entries_on_disk = u64::from(f.u16());
    let entries = u64::from(f.u16());
    let size = u64::from(f.u32());
    let offset = u64::from(f.u32());
    Some(EndRecord {
        disk,
        directory_disk,
        entries_on_disk,
        directory: Directory { offset, size, entries },
    })
}

/// The ZIP64 end record and its offset, when a locator stands right before the classic record.
async fn zip64_record(
    source: &dyn RangeSource,
    tail: &Tail,
    eocd_at: u64,
) -> Result<Option<(EndRecord, u64)>, ScanError> {
    let Some(locator_at) = eocd_at.checked_sub(LOCATOR_LEN as u64) else { return Ok(None) };
    let locator = tail.get(source, locator_at..eocd_at).await?;
    let mut f = Fields::new(&locator, LOCATOR_LEN).ok_or(ScanError::Truncated)?;
    if f.u32() != LOCATOR_SIGNATURE {
        return Ok(None);
    }
    let record_disk = f.u32();
    let record_at = f.u64();
    let disks = f.u32();
    if record_disk != 0 || disks > 1 {
        return Err(ScanError::MultiDisk);
    }
    if record_at.checked_add(ZIP64_EOCD_LEN as u64).is_none_or(|end| end > locator_at) {
        return Err(ScanError::Damaged("its ZIP64 end record is misplaced"));
    }
    let bytes = tail.get(source, record_at..record_at + ZIP64_EOCD_LEN as u64).await?;
    let mut f = Fields::new(&bytes, ZIP64_EOCD_LEN).ok_or(ScanError::Truncated)?;
    if f.u32() != ZIP64_EOCD_SIGNATURE {
        return Err(ScanError::Damaged("its ZIP64 end record is missing"));
    }
    let disk = f.skip(12).u32();
    let directory_disk = f.u32();
    let entries_on_disk = f.u64();
    let entries = f.u64();
    let size = f.u64();
    let offset = f.u64();
    let record = EndRecord {
        disk,
        directory_disk,
        entries_on_disk,
        directory: Directory { offset, size, entries },
    };
    Ok(Some((record, record_at)))
}
