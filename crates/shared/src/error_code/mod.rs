//! The failure vocabulary: every code a client or a person can meet — an API problem, a refused
//! archive, an app that failed in an export or an import, an entry an import left out, the
//! reason an app of an archive cannot be imported, a job that ended in failure — with its HTTP
//! status when it has one and its sentence in French and in English.
//!
//! Clients switch on these strings and rows store them, so a code is never renamed or reused;
//! a new code is a new variant, and the exhaustive matches (`as_str` here, status and families in
//! `family.rs`, the words of `fr.rs` and `en.rs`) make it fail to compile until it has all of
//! them. A code read back from a row or from another system may be one this version does not
//! know: [`FailureCode`] keeps it.

mod en;
mod family;
mod fr;
mod reference;
mod stored;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use family::Family;
pub use reference::reference;
pub use stored::FailureCode;

use crate::lang::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // API problems (each answered with its HTTP status).
    Unauthenticated,
    TokenExpired,
    Forbidden,
    NotFound,
    RouteNotFound,
    MethodNotAllowed,
    /// A preflight from an origin, or for a method or headers, that CORS does not allow.
    CorsRefused,
    InvalidRequest,
    InvalidName,
    InvalidId,
    InvalidRange,
    RangeNotSatisfiable,
    PayloadTooLarge,
    /// The request's headers are over the service's limits.
    HeadersTooLarge,
    QuotaExceeded,
    MissingFile,
    UnsupportedMediaType,
    FolderNotFound,
    NotAFolder,
    NotAFile,
    TooManyParts,
    AlreadyShared,
    CannotShareWithSelf,
    Conflict,
    UnknownApp,
    InvalidFilter,
    /// A table's columns or format are not acceptable.
    InvalidTable,
    /// Another of the user's export templates has this name.
    TemplateNameTaken,
    /// A recurring export's period or end date is not one the service offers.
    InvalidSchedule,
    /// The user has as many recurring exports as one may keep.
    TooManySchedules,
    ExportInProgress,
    ArchiveQuotaExceeded,
    /// The export would not fit in the documents space it is to be delivered into.
    DocumentsQuotaExceeded,
    PartSizeOutOfRange,
    NotReady,
    InvalidLink,
    ExportExpired,
    /// A leaver's download link that their school revoked.
    LinkRevoked,
    /// A leaver's download link past the closing date of their account.
    LeaveWindowClosed,
    /// A leaver's closing date in the past, or further ahead than `leavers.max_window_days`.
    InvalidClosingDate,
    ImportInProgress,
    NotAZip,
    NotAnalysed,
    NotImportable,
    ImportRunning,
    /// A part was sent to an import that does not (or no longer) wait for parts.
    ImportTakesNoParts,
    RateLimited,
    Unavailable,
    Internal,
    /// The disk of the store or of the database is full: an upload, or an export's archive.
    InsufficientStorage,

    // Archive refusals of the scanner (the zip structure).
    TruncatedArchive,
    DamagedArchive,
    /// Data before the archive, such as a self-extracting program.
    PrefixedArchive,
    MultiDiskArchive,
    CentralDirectoryTooLarge,
    /// Too many entries in an archive read, or written by an export (an app's outcome).
    TooManyEntries,
    UnsafePath,
    SymlinkEntry,
    EncryptedEntry,
    UnsupportedCompression,
    TotalSizeExceeded,
    /// No longer produced: inflation is bounded by the declared sizes instead of a ratio, so
    /// honest content that compresses far is accepted. Kept for the imports it ended.
    CompressionRatioExceeded,
    /// The same path twice in an archive, or the same entry twice for a remote app.
    DuplicateEntry,
    OverlappingEntries,
    HeaderMismatch,
    /// An entry's content does not match its size or checksum.
    EntryCorrupt,
    ArchiveUnreadable,

    // Archive refusals of the analysis (the content).
    UploadMissing,
    NotAnArchiveOfOurs,
    InvalidManifest,
    UnsupportedFormat,
    UnsupportedFormatVersion,
    ManifestSizeMismatch,
    ManifestFileMissing,
    FileNotInManifest,
    /// An archive in parts whose other parts never came.
    PartsMissing,
    /// A part of another export (or of another writing of it), or an archive that is no part.
    PartOfAnotherExport,
    /// A part number the import already has.
    DuplicatePart,
    /// A manifest, signature or index larger than the analysis reads.
    EntryTooLarge,
    InvalidMetadata,
    /// Refused, or a warning of the analysis, as the signature policy says.
    UnsignedArchive,
    UntrustedSignature,
    /// Refused under any policy.
    InvalidSignature,
    /// An entcore archive: refused, or a warning, as the signature policy says.
    UnverifiedOrigin,
    /// The keys of a trusted instance, configured by their address, could not be fetched.
    TrustedKeysUnavailable,

    // The analysis: its warnings and why an app is not importable.
    /// Files of an entcore archive in no module's folder.
    UnlistedFiles,
    NewerVersion,
    UnsupportedMajor,
    UnreadableVersion,
    DuplicateApp,
    MissingRight,
    OverQuota,

    // An app's outcome in an export, or its error in an import report.
    DatabaseUnavailable,
    MetadataUnwritable,
    ObjectMissing,
    ObjectMismatch,
    AppUnavailable,
    AppRefused,
    AppTimeout,
    TruncatedStream,
    InvalidStream,
    StreamTooLarge,
    ForbiddenKey,
    InvalidAnswer,
    UnsupportedVersion,

    // An entry an import left out (this service's codes and the reference app's).
    EntryUnreadable,
    InvalidJson,
    ChecksumMismatch,
    InvalidPath,
    InvalidEntry,
    OrphanAttachment,
    UnreadableOrigin,
    TooManyAttachments,

    // Why an export or an import job ended failed, besides an archive refusal.
    ImportFailed,
    ImportStuck,
    ImportCancelled,
    NothingImportable,
    UploadExpired,
    ExportFailed,
    ExportStuck,
}

impl ErrorCode {
    /// Every code, in declaration order (checked at compile time below; a test checks that no
    /// variant is left out).
    pub const ALL: &'static [Self] = &[
        Self::Unauthenticated,
        Self::TokenExpired,
        Self::Forbidden,
        Self::NotFound,
        Self::RouteNotFound,
        Self::MethodNotAllowed,
        Self::CorsRefused,
        Self::InvalidRequest,
        Self::InvalidName,
        Self::InvalidId,
        Self::InvalidRange,
        Self::RangeNotSatisfiable,
        Self::PayloadTooLarge,
        Self::HeadersTooLarge,
        Self::QuotaExceeded,
        Self::MissingFile,
        Self::UnsupportedMediaType,
        Self::FolderNotFound,
        Self::NotAFolder,
        Self::NotAFile,
        Self::TooManyParts,
        Self::AlreadyShared,
        Self::CannotShareWithSelf,
        Self::Conflict,
        Self::UnknownApp,
        Self::InvalidFilter,
        Self::InvalidTable,
        Self::TemplateNameTaken,
        Self::InvalidSchedule,
        Self::TooManySchedules,
        Self::ExportInProgress,
        Self::ArchiveQuotaExceeded,
        Self::DocumentsQuotaExceeded,
        Self::PartSizeOutOfRange,
        Self::NotReady,
        Self::InvalidLink,
        Self::ExportExpired,
        Self::LinkRevoked,
        Self::LeaveWindowClosed,
        Self::InvalidClosingDate,
        Self::ImportInProgress,
        Self::NotAZip,
        Self::NotAnalysed,
        Self::NotImportable,
        Self::ImportRunning,
        Self::ImportTakesNoParts,
        Self::RateLimited,
        Self::Unavailable,
        Self::Internal,
        Self::InsufficientStorage,
        Self::TruncatedArchive,
        Self::DamagedArchive,
        Self::PrefixedArchive,
        Self::MultiDiskArchive,
        Self::CentralDirectoryTooLarge,
        Self::TooManyEntries,
        Self::UnsafePath,
        Self::SymlinkEntry,
        Self::EncryptedEntry,
        Self::UnsupportedCompression,
        Self::TotalSizeExceeded,
        Self::CompressionRatioExceeded,
        Self::DuplicateEntry,
        Self::OverlappingEntries,
        Self::HeaderMismatch,
        Self::EntryCorrupt,
        Self::ArchiveUnreadable,
        Self::UploadMissing,
        Self::NotAnArchiveOfOurs,
        Self::InvalidManifest,
        Self::UnsupportedFormat,
        Self::UnsupportedFormatVersion,
        Self::ManifestSizeMismatch,
        Self::ManifestFileMissing,
        Self::FileNotInManifest,
        Self::PartsMissing,
        Self::PartOfAnotherExport,
        Self::DuplicatePart,
        Self::EntryTooLarge,
        Self::InvalidMetadata,
        Self::UnsignedArchive,
        Self::UntrustedSignature,
        Self::InvalidSignature,
        Self::UnverifiedOrigin,
        Self::TrustedKeysUnavailable,
        Self::UnlistedFiles,
        Self::NewerVersion,
        Self::UnsupportedMajor,
        Self::UnreadableVersion,
        Self::DuplicateApp,
        Self::MissingRight,
        Self::OverQuota,
        Self::DatabaseUnavailable,
        Self::MetadataUnwritable,
        Self::ObjectMissing,
        Self::ObjectMismatch,
        Self::AppUnavailable,
        Self::AppRefused,
        Self::AppTimeout,
        Self::TruncatedStream,
        Self::InvalidStream,
        Self::StreamTooLarge,
        Self::ForbiddenKey,
        Self::InvalidAnswer,
        Self::UnsupportedVersion,
        Self::EntryUnreadable,
        Self::InvalidJson,
        Self::ChecksumMismatch,
        Self::InvalidPath,
        Self::InvalidEntry,
        Self::OrphanAttachment,
        Self::UnreadableOrigin,
        Self::TooManyAttachments,
        Self::ImportFailed,
        Self::ImportStuck,
        Self::ImportCancelled,
        Self::NothingImportable,
        Self::UploadExpired,
        Self::ExportFailed,
        Self::ExportStuck,
    ];

    #[expect(clippy::too_many_lines, reason = "one arm per code")]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::TokenExpired => "token_expired",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::CorsRefused => "cors_refused",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidName => "invalid_name",
            Self::InvalidId => "invalid_id",
            Self::InvalidRange => "invalid_range",
            Self::RangeNotSatisfiable => "range_not_satisfiable",
            Self::PayloadTooLarge => "payload_too_large",
            Self::HeadersTooLarge => "headers_too_large",
            Self::QuotaExceeded => "quota_exceeded",
            Self::MissingFile => "missing_file",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::FolderNotFound => "folder_not_found",
            Self::NotAFolder => "not_a_folder",
            Self::NotAFile => "not_a_file",
            Self::TooManyParts => "too_many_parts",
            Self::AlreadyShared => "already_shared",
            Self::CannotShareWithSelf => "cannot_share_with_self",
            Self::Conflict => "conflict",
            Self::UnknownApp => "unknown_app",
            Self::InvalidFilter => "invalid_filter",
            Self::InvalidTable => "invalid_table",
            Self::TemplateNameTaken => "template_name_taken",
            Self::InvalidSchedule => "invalid_schedule",
            Self::TooManySchedules => "too_many_schedules",
            Self::ExportInProgress => "export_in_progress",
            Self::ArchiveQuotaExceeded => "archive_quota_exceeded",
            Self::DocumentsQuotaExceeded => "documents_quota_exceeded",
            Self::PartSizeOutOfRange => "part_size_out_of_range",
            Self::NotReady => "not_ready",
            Self::InvalidLink => "invalid_link",
            Self::ExportExpired => "export_expired",
            Self::LinkRevoked => "link_revoked",
            Self::LeaveWindowClosed => "leave_window_closed",
            Self::InvalidClosingDate => "invalid_closing_date",
            Self::ImportInProgress => "import_in_progress",
            Self::NotAZip => "not_a_zip",
            Self::NotAnalysed => "not_analysed",
            Self::NotImportable => "not_importable",
            Self::ImportRunning => "import_running",
            Self::ImportTakesNoParts => "import_takes_no_parts",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::InsufficientStorage => "insufficient_storage",
            Self::TruncatedArchive => "truncated_archive",
            Self::DamagedArchive => "damaged_archive",
            Self::PrefixedArchive => "prefixed_archive",
            Self::MultiDiskArchive => "multi_disk_archive",
            Self::CentralDirectoryTooLarge => "central_directory_too_large",
            Self::TooManyEntries => "too_many_entries",
            Self::UnsafePath => "unsafe_path",
            Self::SymlinkEntry => "symlink_entry",
            Self::EncryptedEntry => "encrypted_entry",
            Self::UnsupportedCompression => "unsupported_compression",
            Self::TotalSizeExceeded => "total_size_exceeded",
            Self::CompressionRatioExceeded => "compression_ratio_exceeded",
            Self::DuplicateEntry => "duplicate_entry",
            Self::OverlappingEntries => "overlapping_entries",
            Self::HeaderMismatch => "header_mismatch",
            Self::EntryCorrupt => "entry_corrupt",
            Self::ArchiveUnreadable => "archive_unreadable",
            Self::UploadMissing => "upload_missing",
            Self::NotAnArchiveOfOurs => "not_an_archive_of_ours",
            Self::InvalidManifest => "invalid_manifest",
            Self::UnsupportedFormat => "unsupported_format",
            Self::UnsupportedFormatVersion => "unsupported_format_version",
            Self::ManifestSizeMismatch => "manifest_size_mismatch",
            Self::ManifestFileMissing => "manifest_file_missing",
            Self::FileNotInManifest => "file_not_in_manifest",
            Self::PartsMissing => "parts_missing",
            Self::PartOfAnotherExport => "part_of_another_export",
            Self::DuplicatePart => "duplicate_part",
            Self::EntryTooLarge => "entry_too_large",
            Self::InvalidMetadata => "invalid_metadata",
            Self::UnsignedArchive => "unsigned_archive",
            Self::UntrustedSignature => "untrusted_signature",
            Self::InvalidSignature => "invalid_signature",
            Self::UnverifiedOrigin => "unverified_origin",
            Self::TrustedKeysUnavailable => "trusted_keys_unavailable",
            Self::UnlistedFiles => "unlisted_files",
            Self::NewerVersion => "newer_version",
            Self::UnsupportedMajor => "unsupported_major",
            Self::UnreadableVersion => "unreadable_version",
            Self::DuplicateApp => "duplicate_app",
            Self::MissingRight => "missing_right",
            Self::OverQuota => "over_quota",
            Self::DatabaseUnavailable => "database_unavailable",
            Self::MetadataUnwritable => "metadata_unwritable",
            Self::ObjectMissing => "object_missing",
            Self::ObjectMismatch => "object_mismatch",
            Self::AppUnavailable => "app_unavailable",
            Self::AppRefused => "app_refused",
            Self::AppTimeout => "app_timeout",
            Self::TruncatedStream => "truncated_stream",
            Self::InvalidStream => "invalid_stream",
            Self::StreamTooLarge => "stream_too_large",
            Self::ForbiddenKey => "forbidden_key",
            Self::InvalidAnswer => "invalid_answer",
            Self::UnsupportedVersion => "unsupported_version",
            Self::EntryUnreadable => "entry_unreadable",
            Self::InvalidJson => "invalid_json",
            Self::ChecksumMismatch => "checksum_mismatch",
            Self::InvalidPath => "invalid_path",
            Self::InvalidEntry => "invalid_entry",
            Self::OrphanAttachment => "orphan_attachment",
            Self::UnreadableOrigin => "unreadable_origin",
            Self::TooManyAttachments => "too_many_attachments",
            Self::ImportFailed => "import_failed",
            Self::ImportStuck => "import_stuck",
            Self::ImportCancelled => "import_cancelled",
            Self::NothingImportable => "nothing_importable",
            Self::UploadExpired => "upload_expired",
            Self::ExportFailed => "export_failed",
            Self::ExportStuck => "export_stuck",
        }
    }

    /// What happened and what to do next, for a pupil or a parent.
    pub fn message(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Fr => fr::sentence(self),
            Lang::En => en::sentence(self),
        }
    }
}

/// The words of an [`ErrorCode::InvalidRequest`] whose JSON body does not parse: where it
/// stops being JSON (`line` and `column` from 1), and whether it was cut short.
pub fn unreadable_json(lang: Lang, line: usize, column: usize, cut_short: bool) -> String {
    match lang {
        Lang::Fr => fr::unreadable_json(line, column, cut_short),
        Lang::En => en::unreadable_json(line, column, cut_short),
    }
}

// `ALL` lists the variants in declaration order, each once and without a gap. A variant added
// at the end and not listed is caught by `tests::all_lists_every_variant`.
const _: () = {
    let mut i = 0;
    while i < ErrorCode::ALL.len() {
        assert!(ErrorCode::ALL[i] as usize == i, "ErrorCode::ALL is out of declaration order");
        i += 1;
    }
};

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is no code of this version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown failure code {0:?}")]
pub struct UnknownCode(pub String);

impl FromStr for ErrorCode {
    type Err = UnknownCode;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL.iter().copied().find(|c| c.as_str() == raw).ok_or_else(|| UnknownCode(raw.into()))
    }
}

impl TryFrom<&str> for ErrorCode {
    type Error = UnknownCode;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        raw.parse()
    }
}

/// The OpenAPI schema of the problem codes only (the codes with a status): the other codes are
/// never in a problem. Written by hand because a derive would list every code.
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let problems = Self::ALL.iter().filter(|c| c.status().is_some()).map(|c| c.as_str());
        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(problems)).into()
    }
}

impl utoipa::ToSchema for ErrorCode {}
