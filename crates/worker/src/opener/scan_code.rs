//! The failure code of each way the scanner refuses an archive. The zip crate knows nothing of
//! the service's vocabulary and says its codes as strings; here each kind of refusal is matched
//! (not its string), so a new kind fails to compile until it has a code.

use mesdonnees_shared::ErrorCode;
use mesdonnees_zip::scan::ScanError;

pub(super) fn scan_code(error: &ScanError) -> ErrorCode {
    match error {
        ScanError::NotAZip => ErrorCode::NotAZip,
        ScanError::Truncated => ErrorCode::TruncatedArchive,
        ScanError::Damaged(_) => ErrorCode::DamagedArchive,
        ScanError::Prefixed => ErrorCode::PrefixedArchive,
        ScanError::MultiDisk => ErrorCode::MultiDiskArchive,
        ScanError::CentralDirectoryTooLarge { .. } => ErrorCode::CentralDirectoryTooLarge,
        ScanError::TooManyEntries { .. } => ErrorCode::TooManyEntries,
        ScanError::UnsafePath { .. } => ErrorCode::UnsafePath,
        ScanError::SymlinkEntry { .. } => ErrorCode::SymlinkEntry,
        ScanError::EncryptedEntry { .. } => ErrorCode::EncryptedEntry,
        ScanError::UnsupportedCompression { .. } => ErrorCode::UnsupportedCompression,
        ScanError::TotalSizeExceeded { .. } => ErrorCode::TotalSizeExceeded,
        ScanError::DuplicateEntry { .. } => ErrorCode::DuplicateEntry,
        ScanError::OverlappingEntries { .. } => ErrorCode::OverlappingEntries,
        ScanError::HeaderMismatch { .. } => ErrorCode::HeaderMismatch,
        ScanError::EntryCorrupt { .. } => ErrorCode::EntryCorrupt,
        ScanError::Io(_) => ErrorCode::ArchiveUnreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scan_error_stores_the_code_the_scanner_says() {
        for error in &ScanError::one_of_each() {
            assert_eq!(scan_code(error).as_str(), error.code(), "{error:?}");
        }
    }
}
