//! The byte layout of zip records (PKWARE APPNOTE 6.3): local headers, data descriptors,
//! central directory headers and the end records, little-endian throughout.
//!
//! Every header carries its date explicitly (MS-DOS time in UTC, plus the extended timestamp
//! 0x5455): left at zero, readers show 1980. Only Stored (0) and Deflate (8) are written:
//! zstd would be smaller, but unzip and the built-in tools of Windows and macOS cannot open it.

use chrono::{DateTime, Datelike, Timelike, Utc};

pub const LOCAL_HEADER: u32 = 0x0403_4b50;
pub const DATA_DESCRIPTOR: u32 = 0x0807_4b50;
pub const CENTRAL_HEADER: u32 = 0x0201_4b50;
pub const ZIP64_END: u32 = 0x0606_4b50;
pub const ZIP64_LOCATOR: u32 = 0x0706_4b50;
pub const END: u32 = 0x0605_4b50;

/// Names are UTF-8 (general purpose bit 11).
pub const FLAG_UTF8: u16 = 1 << 11;
/// CRC and sizes follow the data in a descriptor (bit 3).
pub const FLAG_DESCRIPTOR: u16 = 1 << 3;

pub const STORED: u16 = 0;
pub const DEFLATE: u16 = 8;

/// 2.0: deflate and folders; 4.5: ZIP64.
const NEEDS_DEFAULT: u16 = 20;
const NEEDS_ZIP64: u16 = 45;
/// Made by Unix (3), so readers take the permissions from the external attributes.
const MADE_BY: u16 = (3 << 8) | 63;

/// Past these, a field moves into the ZIP64 extra field and holds all ones.
pub const MAX_U32: u64 = 0xFFFF_FFFF;
pub const MAX_U16: u64 = 0xFFFF;

/// Extended timestamp extra field: the modification time in UTC, which DOS dates cannot carry.
const EXTENDED_TIMESTAMP: u16 = 0x5455;
const ZIP64_EXTRA: u16 = 0x0001;

/// What both headers of an entry say about it.
#[derive(Debug, Clone, Copy)]
pub struct EntryFields {
    pub method: u16,
    pub flags: u16,
    pub modified: DateTime<Utc>,
    pub crc32: u32,
    pub compressed: u64,
    pub uncompressed: u64,
    /// Unix mode (type and permissions).
    pub mode: u32,
}

pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn clamp_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn len_u16(len: usize) -> u16 {
    u16::try_from(len).unwrap_or(u16::MAX)
}

/// MS-DOS date and time (local time by convention; UTC here, the extra field says so exactly),
/// clamped to the range the format can hold (1980 to 2107).
pub fn dos_date_time(at: DateTime<Utc>) -> (u16, u16) {
    let pack = |year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32| {
        let field = |v: u32| u16::try_from(v).unwrap_or(0);
        let years = field(u32::try_from(year - 1980).unwrap_or(0));
        let date = (years << 9) | (field(month) << 5) | field(day);
        let time = (field(hour) << 11) | (field(minute) << 5) | field(second / 2);
        (date, time)
    };
    match at.year() {
        ..1980 => pack(1980, 1, 1, 0, 0, 0),
        2108.. => pack(2107, 12, 31, 23, 59, 58),
        year => pack(year, at.month(), at.day(), at.hour(), at.minute(), at.second()),
    }
}

/// The fields both headers share after their signature (and the central one's "made by").
fn version_flags_method_time(out: &mut Vec<u8>, fields: &EntryFields, zip64: bool) {
    let (date, time) = dos_date_time(fields.modified);
    for value in
        [if zip64 { NEEDS_ZIP64 } else { NEEDS_DEFAULT }, fields.flags, fields.method, time, date]
    {
        put_u16(out, value);
    }
}

/// The name, then the extended timestamp extra field (9 bytes) both headers start with.
fn name_and_time(out: &mut Vec<u8>, name: &[u8], modified: DateTime<Utc>) {
    out.extend_from_slice(name);
    put_u16(out, EXTENDED_TIMESTAMP);
    put_u16(out, 5);
    out.push(1);
    // Readers take the field as signed: past 2038 it holds the latest time they can read.
    let seconds = modified.timestamp().clamp(0, i64::from(i32::MAX));
    put_u32(out, u32::try_from(seconds).unwrap_or(0));
}

/// A local file header. `zip64` adds a ZIP64 extra field: with the sizes when they are known
/// and too large, or zeros for a streamed entry that may grow past 4 GiB (its descriptor then
/// holds 64-bit sizes).
pub fn local_header(out: &mut Vec<u8>, name: &[u8], fields: &EntryFields, zip64: bool) {
    let streamed = fields.flags & FLAG_DESCRIPTOR != 0;
    put_u32(out, LOCAL_HEADER);
    version_flags_method_time(out, fields, zip64);
    put_u32(out, if streamed { 0 } else { fields.crc32 });
    if zip64 {
        put_u32(out, u32::MAX);
        put_u32(out, u32::MAX);
    } else if streamed {
        put_u32(out, 0);
        put_u32(out, 0);
    } else {
        put_u32(out, clamp_u32(fields.compressed));
        put_u32(out, clamp_u32(fields.uncompressed));
    }
    put_u16(out, len_u16(name.len()));
    put_u16(out, if zip64 { 9 + 20 } else { 9 });
    name_and_time(out, name, fields.modified);
    if zip64 {
        put_u16(out, ZIP64_EXTRA);
        put_u16(out, 16);
        put_u64(out, if streamed { 0 } else { fields.uncompressed });
        put_u64(out, if streamed { 0 } else { fields.compressed });
    }
}

/// The descriptor after a streamed entry's data; 64-bit sizes when its local header had a ZIP64
/// extra field, as readers expect.
pub fn data_descriptor(out: &mut Vec<u8>, fields: &EntryFields, zip64: bool) {
    put_u32(out, DATA_DESCRIPTOR);
    put_u32(out, fields.crc32);
    if zip64 {
        put_u64(out, fields.compressed);
        put_u64(out, fields.uncompressed);
    } else {
        put_u32(out, clamp_u32(fields.compressed));
        put_u32(out, clamp_u32(fields.uncompressed));
    }
}

/// A central directory header; the ZIP64 extra field holds exactly the fields that overflow.
pub fn central_header(out: &mut Vec<u8>, name: &[u8], fields: &EntryFields, offset: u64) {
    let big_uncompressed = fields.uncompressed >= MAX_U32;
    let big_compressed = fields.compressed >= MAX_U32;
    let big_offset = offset >= MAX_U32;
    let zip64_len =
        8 * (u16::from(big_uncompressed) + u16::from(big_compressed) + u16::from(big_offset));
    let zip64 = zip64_len > 0;
    put_u32(out, CENTRAL_HEADER);
    put_u16(out, MADE_BY);
    version_flags_method_time(out, fields, zip64);
    put_u32(out, fields.crc32);
    put_u32(out, if big_compressed { u32::MAX } else { clamp_u32(fields.compressed) });
    put_u32(out, if big_uncompressed { u32::MAX } else { clamp_u32(fields.uncompressed) });
    put_u16(out, len_u16(name.len()));
    put_u16(out, 9 + if zip64 { 4 + zip64_len } else { 0 });
    put_u16(out, 0); // comment
    put_u16(out, 0); // disk
    put_u16(out, 0); // internal attributes
    // Unix mode in the high half; the MS-DOS directory bit for readers that look only there.
    let dos = if fields.mode & 0o170_000 == 0o040_000 { 0x10 } else { 0 };
    put_u32(out, (fields.mode << 16) | dos);
    put_u32(out, if big_offset { u32::MAX } else { clamp_u32(offset) });
    name_and_time(out, name, fields.modified);
    if zip64 {
        put_u16(out, ZIP64_EXTRA);
        put_u16(out, zip64_len);
        if big_uncompressed {
            put_u64(out, fields.uncompressed);
        }
        if big_compressed {
            put_u64(out, fields.compressed);
        }
        if big_offset {
            put_u64(out, offset);
        }
    }
}

/// The end records; the ZIP64 ones only when a count, size or offset overflows the classic
/// record.
pub fn end_records(out: &mut Vec<u8>, entries: u64, directory_size: u64, directory_offset: u64) {
    let zip64 = entries >= MAX_U16 || directory_size >= MAX_U32 || directory_offset >= MAX_U32;
    if zip64 {
        let zip64_end_offset = directory_offset + directory_size;
        put_u32(out, ZIP64_END);
        put_u64(out, 44);
        put_u16(out, MADE_BY);
        put_u16(out, NEEDS_ZIP64);
        put_u32(out, 0);
        put_u32(out, 0);
        put_u64(out, entries);
        put_u64(out, entries);
        put_u64(out, directory_size);
        put_u64(out, directory_offset);
        put_u32(out, ZIP64_LOCATOR);
        put_u32(out, 0);
        put_u64(out, zip64_end_offset);
        put_u32(out, 1);
    }
    let count = if zip64 { u16::MAX } else { u16::try_from(entries).unwrap_or(u16::MAX) };
    put_u32(out, END);
    put_u16(out, 0);
    put_u16(out, 0);
    put_u16(out, count);
    put_u16(out, count);
    put_u32(out, if zip64 { u32::MAX } else { clamp_u32(directory_size) });
    put_u32(out, if zip64 { u32::MAX } else { clamp_u32(directory_offset) });
    put_u16(out, 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dos_time_packs_fields_and_clamps_the_range() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 16, 5, 33).unwrap();
        let (date, time) = dos_date_time(at);
        assert_eq!(date, (46 << 9) | (11 << 5) | 0x17);
        assert_eq!(time, (16 << 11) | (5 << 5) | 0x10);
        let old = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(dos_date_time(old), ((1 << 5) | 1, 0));
    }

    #[test]
    fn classic_end_record_below_the_limits_and_zip64_above() {
        let mut small = Vec::new();
        end_records(&mut small, 3, 100, 1000);
        assert_eq!(small.len(), 22);
        let mut many = Vec::new();
        end_records(&mut many, 70_000, 100, 1000);
        assert_eq!(many.len(), 56 + 20 + 22);
        assert_eq!(&many[..4], &ZIP64_END.to_le_bytes());
    }
}
