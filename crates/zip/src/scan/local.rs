//! Local headers: each must agree with its central-directory record, and the entries must lie
//! one after the other without overlapping. Headers are read in coalesced ranged reads, so a
//! hundred thousand small entries cost a few requests, not a hundred thousand.

use std::ops::Range;

use futures_util::{StreamExt, TryStreamExt, stream};

use super::central::{FLAG_DESCRIPTOR, FLAG_ENCRYPTED, Located};
use super::entry::ScannedEntry;
use super::error::{ScanError, shown};
use super::fields::{Fields, Zip64};
use super::names;
use crate::RangeSource;

pub(super) const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const HEADER_LEN: usize = 30;
/// Read past each name for the extra field, which the central directory does not size.
const EXTRA_MARGIN: u64 = 512;
/// Neighbouring headers closer than this are read in one request.
const MAX_GAP: u64 = 64 * 1024;
const MAX_WINDOW: u64 = 1024 * 1024;
const WINDOWS_IN_FLIGHT: usize = 4;

/// Consecutive headers, in offset order, read with one request.
struct Window {
    located: Range<usize>,
    bytes: Range<u64>,
}

/// Checks every local header and the layout of the entries, and sets each entry's data offset.
pub(super) async fn check(
    source: &dyn RangeSource,
    entries: &mut [ScannedEntry],
    mut located: Vec<Located>,
    directory_offset: u64,
) -> Result<(), ScanError> {
    located.sort_unstable_by_key(|l| l.header_offset);
    check_starts(entries, &located, directory_offset)?;
    let windows = plan(&located, directory_offset);
    let mut data_offsets = Vec::with_capacity(located.len());
    {
        let entries: &[ScannedEntry] = entries;
        let mut reads = stream::iter(windows)
            .map(|window| read_window(source, entries, &located, window, directory_offset))
            .buffered(WINDOWS_IN_FLIGHT);
        while let Some(offsets) = reads.try_next().await? {
            data_offsets.extend(offsets);
        }
    }
    for (i, (place, &data_offset)) in located.iter().zip(&data_offsets).enumerate() {
        let entry = &entries[place.index];
        let next = next_start(&located, i, directory_offset);
        if data_offset.checked_add(entry.compressed_size).is_none_or(|end| end > next) {
            return Err(ScanError::OverlappingEntries { path: shown(&entry.path) });
        }
    }
    for (place, data_offset) in located.iter().zip(data_offsets) {
        entries[place.index].data_offset = data_offset;
    }
    Ok(())
}

/// Before reading anything: the first entry starts the file, no two entries share a header,
/// and every fixed header part lies before the central directory.
fn check_starts(
    entries: &[ScannedEntry],
    located: &[Located],
    directory_offset: u64,
) -> Result<(), ScanError> {
    if located.first().is_some_and(|first| first.header_offset != 0) {
        return Err(ScanError::Prefixed);
    }
    for (i, place) in located.iter().enumerate() {
        if fixed_end(place) > next_start(located, i, directory_offset) {
            return Err(ScanError::OverlappingEntries { path: shown(&entries[place.index].path) });
        }
    }
    Ok(())
}

/// Where the entry after the `i`-th one starts: the next header, or the central directory.
fn next_start(located: &[Located], i: usize, directory_offset: u64) -> u64 {
    located.get(i + 1).map_or(directory_offset, |l| l.header_offset)
}

/// The end of a header's fixed part and name.
fn fixed_end(place: &Located) -> u64 {
    place.header_offset.saturating_add(HEADER_LEN as u64 + u64::from(place.name_len))
}

/// Groups headers in offset order while the gap to the next one is small and the window stays
/// under its size limit; each header is read with a margin for its extra field.
fn plan(located: &[Located], directory_offset: u64) -> Vec<Window> {
    let mut windows: Vec<Window> = Vec::new();
    for (i, place) in located.iter().enumerate() {
        let end = fixed_end(place).saturating_add(EXTRA_MARGIN).min(directory_offset);
        if let Some(window) = windows.last_mut() {
            let gap = place.header_offset.saturating_sub(window.bytes.end);
            if gap < MAX_GAP && end.saturating_sub(window.bytes.start) <= MAX_WINDOW {
                window.located.end = i + 1;
                window.bytes.end = window.bytes.end.max(end);
                continue;
            }
        }
        windows.push(Window { located: i..i + 1, bytes: place.header_offset..end });
    }
    windows
}

/// Reads one window and checks its headers; returns their data offsets in order.
async fn read_window(
    source: &dyn RangeSource,
    entries: &[ScannedEntry],
    located: &[Located],
    window: Window,
    directory_offset: u64,
) -> Result<Vec<u64>, ScanError> {
    let bytes = source.read(window.bytes.clone()).await?;
    let mut offsets = Vec::with_capacity(window.located.len());
    for i in window.located {
        let place = &located[i];
        let entry = &entries[place.index];
        let mismatch = || ScanError::HeaderMismatch { path: shown(&entry.path) };
        let start =
            usize::try_from(place.header_offset - window.bytes.start).map_err(|_| mismatch())?;
        let in_window = bytes.get(start..).unwrap_or_default();
        let header_len = header_len(in_window).ok_or_else(mismatch)?;
        let header_end = place.header_offset + header_len as u64;
        // Checked before any further read, so that headers claiming long extra fields over
        // each other cannot make the scan read the same bytes again and again.
        if header_end > next_start(located, i, directory_offset) {
            return Err(ScanError::OverlappingEntries { path: shown(&entry.path) });
        }
        // The extra field was longer than the margin: read this header whole.
        let reread;
        let header = if let Some(header) = in_window.get(..header_len) {
            header
        } else {
            reread = source.read(place.header_offset..header_end).await?;
            &reread[..]
        };
        if !agrees(header, entry, place) {
            return Err(mismatch());
        }
        offsets.push(header_end);
    }
    Ok(offsets)
}

/// The length of the header at the start of `buf`, name and extra field included.
fn header_len(buf: &[u8]) -> Option<usize> {
    let mut f = Fields::new(buf, HEADER_LEN)?;
    let name = usize::from(f.skip(26).u16());
    let extra = usize::from(f.u16());
    Some(HEADER_LEN + name + extra)
}

/// Whether a whole local header matches its entry: signature, name, method, encryption and
/// data-descriptor flags, and, without a data descriptor, CRC and sizes.
fn agrees(header: &[u8], entry: &ScannedEntry, place: &Located) -> bool {
    let Some(mut f) = Fields::new(header, HEADER_LEN) else { return false };
    let signature = f.u32();
    let flags = f.skip(2).u16();
    let method = f.u16();
    let crc32 = f.skip(4).u32();
    let compressed = f.u32();
    let uncompressed = f.u32();
    let name_len = usize::from(f.u16());
    // A header read again may have changed in between: its lengths are checked again.
    let (Some(name), Some(extra)) =
        (header.get(HEADER_LEN..HEADER_LEN + name_len), header.get(HEADER_LEN + name_len..))
    else {
        return false;
    };
    let descriptor = flags & FLAG_DESCRIPTOR != 0;
    if signature != LOCAL_SIGNATURE
        || flags & FLAG_ENCRYPTED != 0
        || descriptor != place.descriptor
        || method != entry.method.code()
        || !names::same_name(name, &entry.path, entry.is_dir, place.cp437)
    {
        return false;
    }
    if descriptor {
        return true;
    }
    let mut zip64 = Zip64::new(extra);
    crc32 == entry.crc32
        && zip64.widen(uncompressed) == Some(entry.uncompressed_size)
        && zip64.widen(compressed) == Some(entry.compressed_size)
}
