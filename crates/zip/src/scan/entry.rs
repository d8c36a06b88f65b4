//! What the scan keeps of each entry: only what reading and importing it needs, since an
//! archive may hold a hundred thousand of them.

use chrono::{DateTime, NaiveDate, Utc};

/// The compression methods the archive format allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Stored,
    Deflate,
}

impl Method {
    pub(super) fn from_code(code: u16) -> Option<Self> {
        match code {
            0 => Some(Self::Stored),
            8 => Some(Self::Deflate),
            _ => None,
        }
    }

    pub(super) fn code(self) -> u16 {
        match self {
            Self::Stored => 0,
            Self::Deflate => 8,
        }
    }
}

/// One checked entry. Sizes, CRC and offsets are the central directory's, ZIP64 resolved;
/// `data_offset` is where the compressed bytes start, after the entry's local header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedEntry {
    /// Relative, `/`-separated, without the trailing slash of a folder.
    pub path: String,
    pub is_dir: bool,
    pub method: Method,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub data_offset: u64,
    /// The entry's MS-DOS date and time, which the archive format writes in UTC.
    pub modified: Option<DateTime<Utc>>,
}

/// An MS-DOS date and time, or `None` when unset or impossible (month 0, 25 o'clock…).
pub(super) fn dos_time(date: u16, time: u16) -> Option<DateTime<Utc>> {
    if date == 0 && time == 0 {
        return None;
    }
    let day = NaiveDate::from_ymd_opt(
        1980 + i32::from(date >> 9),
        u32::from((date >> 5) & 0x0f),
        u32::from(date & 0x1f),
    )?;
    let moment = day.and_hms_opt(
        u32::from(time >> 11),
        u32::from((time >> 5) & 0x3f),
        u32::from(time & 0x1f) * 2,
    )?;
    Some(moment.and_utc())
}
