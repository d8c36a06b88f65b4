//! Analyses an uploaded zip before anything of it is imported. The parser is written from the
//! PKWARE APPNOTE so that every field is seen and checked: the end records are found in the
//! last bytes, the central directory is read in bounded chunks, local headers are read by
//! coalesced ranged reads, and an archive is refused at the first field that breaks a rule of
//! the archive format or a resource limit. Nothing is extracted here; [`open_entry`] reads one
//! entry of a scanned archive and checks its content against the central directory; [`kept`]
//! writes a scan compactly, so that a later reader of the same bytes need not scan them again.

mod central;
mod entry;
mod eocd;
mod error;
mod fields;
pub mod kept;
mod local;
mod names;
mod open;

pub use entry::{Method, ScannedEntry};
pub use error::ScanError;
pub use open::{EntryStream, entry_read_overhead, open_entry, read_entry};

use crate::RangeSource;

const MIB: u64 = 1024 * 1024;

/// Resource bounds of an archive; going past any of them refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanLimits {
    pub max_entries: u64,
    /// Sum of the declared uncompressed sizes. What inflation produces is bounded by it too:
    /// [`open_entry`] stops an entry the moment it grows past its declared size.
    pub max_total_uncompressed: u64,
    pub max_central_directory: u64,
    pub max_name_bytes: usize,
}

impl Default for ScanLimits {
    fn default() -> Self {
        Self {
            max_entries: 100_000,
            max_total_uncompressed: 20 * 1024 * MIB,
            max_central_directory: 64 * MIB,
            max_name_bytes: 1024,
        }
    }
}

/// An archive that passed every check.
#[derive(Debug)]
pub struct ScannedArchive {
    /// In central-directory order.
    pub entries: Vec<ScannedEntry>,
    pub total_uncompressed: u64,
    pub central_directory_offset: u64,
}

/// Reads the archive's structure and checks it whole; reads no entry's content.
pub async fn scan(
    source: &dyn RangeSource,
    limits: &ScanLimits,
) -> Result<ScannedArchive, ScanError> {
    let directory = eocd::find(source).await?;
    if directory.size > limits.max_central_directory {
        return Err(ScanError::CentralDirectoryTooLarge { limit: limits.max_central_directory });
    }
    if directory.entries > limits.max_entries {
        return Err(ScanError::TooManyEntries { limit: limits.max_entries });
    }
    let central = central::read(source, &directory, limits, central::CHUNK).await?;
    let mut entries = central.entries;
    names::check_collisions(&entries)?;
    local::check(source, &mut entries, central.located, directory.offset).await?;
    Ok(ScannedArchive {
        entries,
        total_uncompressed: central.total_uncompressed,
        central_directory_offset: directory.offset,
    })
}

#[cfg(test)]
mod tests;
