//! Why an archive is refused: one variant per check, each with a stable code for clients.

/// Longest path quoted in a message, in characters.
const SHOWN_PATH_CHARS: usize = 120;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("the file is not a zip archive")]
    NotAZip,
    #[error("the archive is incomplete: its end is missing")]
    Truncated,
    #[error("the archive is damaged: {0}")]
    Damaged(&'static str),
    #[error(
        "the archive starts with data that is not part of it, such as a self-extracting program"
    )]
    Prefixed,
    #[error("archives split over several disks are not supported")]
    MultiDisk,
    #[error("the archive's list of entries is larger than {limit} bytes")]
    CentralDirectoryTooLarge { limit: u64 },
    #[error("the archive has more than {limit} entries")]
    TooManyEntries { limit: u64 },
    #[error("unsafe path in the archive: {path}")]
    UnsafePath { path: String },
    #[error("symbolic links are not accepted: {path}")]
    SymlinkEntry { path: String },
    #[error("encrypted entries are not supported: {path}")]
    EncryptedEntry { path: String },
    #[error("compression method {method} is not supported: {path}")]
    UnsupportedCompression { path: String, method: u16 },
    #[error("the archive's content is larger than {limit} bytes")]
    TotalSizeExceeded { limit: u64 },
    #[error("the archive holds the same path twice: {path}")]
    DuplicateEntry { path: String },
    #[error("entries of the archive overlap: {path}")]
    OverlappingEntries { path: String },
    #[error("the entry's local header disagrees with the central directory: {path}")]
    HeaderMismatch { path: String },
    #[error("the entry's content does not match its size or checksum: {path}")]
    EntryCorrupt { path: String },
    #[error("the archive could not be read")]
    Io(#[from] std::io::Error),
}

impl ScanError {
    /// The stable code of the refusal, for clients and reports.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAZip => "not_a_zip",
            Self::Truncated => "truncated_archive",
            Self::Damaged(_) => "damaged_archive",
            Self::Prefixed => "prefixed_archive",
            Self::MultiDisk => "multi_disk_archive",
            Self::CentralDirectoryTooLarge { .. } => "central_directory_too_large",
            Self::TooManyEntries { .. } => "too_many_entries",
            Self::UnsafePath { .. } => "unsafe_path",
            Self::SymlinkEntry { .. } => "symlink_entry",
            Self::EncryptedEntry { .. } => "encrypted_entry",
            Self::UnsupportedCompression { .. } => "unsupported_compression",
            Self::TotalSizeExceeded { .. } => "total_size_exceeded",
            Self::DuplicateEntry { .. } => "duplicate_entry",
            Self::OverlappingEntries { .. } => "overlapping_entries",
            Self::HeaderMismatch { .. } => "header_mismatch",
            Self::EntryCorrupt { .. } => "entry_corrupt",
            Self::Io(_) => "archive_unreadable",
        }
    }

    /// One error of each kind, for the tests of code that maps the kinds to something else
    /// (an exhaustive match there, this list to check it against).
    pub fn one_of_each() -> Vec<Self> {
        let path = || String::from("p");
        vec![
            Self::NotAZip,
            Self::Truncated,
            Self::Damaged("x"),
            Self::Prefixed,
            Self::MultiDisk,
            Self::CentralDirectoryTooLarge { limit: 1 },
            Self::TooManyEntries { limit: 1 },
            Self::UnsafePath { path: path() },
            Self::SymlinkEntry { path: path() },
            Self::EncryptedEntry { path: path() },
            Self::UnsupportedCompression { path: path(), method: 12 },
            Self::TotalSizeExceeded { limit: 1 },
            Self::DuplicateEntry { path: path() },
            Self::OverlappingEntries { path: path() },
            Self::HeaderMismatch { path: path() },
            Self::EntryCorrupt { path: path() },
            Self::Io(std::io::Error::other("x")),
        ]
    }
}

/// A path as it may appear in a message: control characters escaped, long paths cut, so that
/// a hostile name cannot forge lines or flood a report.
pub(super) fn shown(path: &str) -> String {
    let mut out = String::with_capacity(path.len().min(SHOWN_PATH_CHARS * 4));
    for (i, c) in path.chars().enumerate() {
        if i == SHOWN_PATH_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}
