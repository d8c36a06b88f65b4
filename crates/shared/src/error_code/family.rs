//! Where a code can be met: its families and, for an API problem, its HTTP status. A code may
//! belong to several families (`not_a_zip` is both a problem of the upload and a refusal of the
//! scanner); its sentence fits each of them.

use super::ErrorCode;

/// A place where codes are met, in the order the reference lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// The `code` of an `application/problem+json` answer; it has an HTTP status.
    Problem,
    /// Why an uploaded archive is refused: the import ends `failed` with this code.
    ArchiveRefusal,
    /// Why an app of an analysed archive cannot be imported (`reason`), or what the user should
    /// know before launching (`warnings`).
    AnalysisReason,
    /// Why an app failed in an export (its `outcome`) or in an import (its report's `error`); the
    /// other apps go on.
    AppOutcome,
    /// Why one entry of an archive was not imported (the report's `errors`).
    EntryReport,
    /// Why an export or an import ended `failed`, besides a refused archive.
    JobFailure,
}

impl Family {
    pub const ALL: [Self; 6] = [
        Self::Problem,
        Self::ArchiveRefusal,
        Self::AnalysisReason,
        Self::AppOutcome,
        Self::EntryReport,
        Self::JobFailure,
    ];

    /// The family's heading in the reference.
    pub fn title(self) -> &'static str {
        match self {
            Self::Problem => "API problems",
            Self::ArchiveRefusal => "Archive refusals",
            Self::AnalysisReason => "Analysis reasons and warnings",
            Self::AppOutcome => "App outcomes",
            Self::EntryReport => "Entry report codes",
            Self::JobFailure => "Job failures",
        }
    }

    /// Where the family's codes appear, for the reference.
    pub fn location(self) -> &'static str {
        match self {
            Self::Problem => {
                "The `code` of every 4xx/5xx `application/problem+json` answer, with its HTTP \
                 status."
            }
            Self::ArchiveRefusal => {
                "An uploaded archive refused by its analysis: the import ends `failed` with the \
                 code in `error`, and its upload is removed. The signature codes are warnings of \
                 the analysis instead when the signature policy is `warn`."
            }
            Self::AnalysisReason => {
                "An analysed archive: an app's `reason` when its `verdict` is `not_importable`, \
                 and the analysis' `warnings`."
            }
            Self::AppOutcome => {
                "An app that failed while the others went on: its `outcome` in an export (the \
                 manifest, `GET /exports/{id}`, the ready notification), or its `error` in an \
                 import report."
            }
            Self::EntryReport => {
                "An entry of the archive an import did not bring in: the report's `errors`, with \
                 the entry's path. A remote app may answer codes of its own."
            }
            Self::JobFailure => {
                "An export or an import that ended `failed` for another reason than a refused \
                 archive: the code in its `error` and in the timeline."
            }
        }
    }
}

impl ErrorCode {
    /// The HTTP status of the problem that carries this code; `None` for a code met only in a
    /// job's row, report or analysis. A code the API answers with two statuses gives the usual
    /// one (`invalid_request` is 400 when the body cannot be read at all).
    pub fn status(self) -> Option<u16> {
        match self {
            Self::Unauthenticated | Self::TokenExpired => Some(401),
            Self::Forbidden | Self::InvalidLink | Self::LinkRevoked | Self::CorsRefused => {
                Some(403)
            }
            Self::NotFound | Self::RouteNotFound => Some(404),
            Self::MethodNotAllowed => Some(405),
            Self::AlreadyShared
            | Self::Conflict
            | Self::TemplateNameTaken
            | Self::ExportInProgress
            | Self::NotReady
            | Self::ImportInProgress
            | Self::NotAnalysed
            | Self::ImportTakesNoParts
            | Self::ImportRunning => Some(409),
            Self::ExportExpired | Self::LeaveWindowClosed => Some(410),
            Self::PayloadTooLarge => Some(413),
            Self::HeadersTooLarge => Some(431),
            Self::UnsupportedMediaType | Self::NotAZip => Some(415),
            Self::InvalidRange | Self::RangeNotSatisfiable => Some(416),
            Self::InvalidRequest
            | Self::InvalidName
            | Self::InvalidId
            | Self::QuotaExceeded
            | Self::MissingFile
            | Self::FolderNotFound
            | Self::NotAFolder
            | Self::NotAFile
            | Self::TooManyParts
            | Self::CannotShareWithSelf
            | Self::UnknownApp
            | Self::InvalidFilter
            | Self::InvalidTable
            | Self::InvalidSchedule
            | Self::TooManySchedules
            | Self::InvalidClosingDate
            | Self::ArchiveQuotaExceeded
            | Self::DocumentsQuotaExceeded
            | Self::PartSizeOutOfRange
            | Self::NotImportable => Some(422),
            Self::RateLimited => Some(429),
            Self::Internal => Some(500),
            Self::InsufficientStorage => Some(507),
            Self::Unavailable => Some(503),
            // `families` names every code; a test checks that its problems are these.
            _ => None,
        }
    }

    /// Where the code can be met; a code with a status is a [`Family::Problem`].
    #[expect(clippy::too_many_lines, reason = "one arm per code")]
    pub fn families(self) -> &'static [Family] {
        use Family::{
            AnalysisReason, AppOutcome, ArchiveRefusal, EntryReport, JobFailure, Problem,
        };
        match self {
            Self::NotAZip => &[Problem, ArchiveRefusal],
            Self::UnknownApp => &[Problem, AnalysisReason, AppOutcome],
            Self::QuotaExceeded | Self::PayloadTooLarge => &[Problem, EntryReport],
            Self::Unauthenticated
            | Self::TokenExpired
            | Self::Forbidden
            | Self::NotFound
            | Self::RouteNotFound
            | Self::MethodNotAllowed
            | Self::CorsRefused
            | Self::HeadersTooLarge
            | Self::InvalidRequest
            | Self::InvalidName
            | Self::InvalidId
            | Self::InvalidRange
            | Self::RangeNotSatisfiable
            | Self::MissingFile
            | Self::UnsupportedMediaType
            | Self::FolderNotFound
            | Self::NotAFolder
            | Self::NotAFile
            | Self::TooManyParts
            | Self::AlreadyShared
            | Self::CannotShareWithSelf
            | Self::Conflict
            | Self::InvalidFilter
            | Self::InvalidTable
            | Self::TemplateNameTaken
            | Self::InvalidSchedule
            | Self::TooManySchedules
            | Self::ExportInProgress
            | Self::ArchiveQuotaExceeded
            | Self::NotReady
            | Self::InvalidLink
            | Self::ExportExpired
            | Self::LinkRevoked
            | Self::LeaveWindowClosed
            | Self::InvalidClosingDate
            | Self::ImportInProgress
            | Self::NotAnalysed
            | Self::NotImportable
            | Self::ImportRunning
            | Self::ImportTakesNoParts
            | Self::PartSizeOutOfRange
            | Self::RateLimited
            | Self::Unavailable
            | Self::Internal => &[Problem],
            // A delivery into the documents space is refused before the export starts, or
            // found not to fit once its file is ready.
            Self::InsufficientStorage | Self::DocumentsQuotaExceeded => &[Problem, JobFailure],
            Self::TooManyEntries => &[ArchiveRefusal, AppOutcome],
            Self::DuplicateEntry | Self::EntryCorrupt => &[ArchiveRefusal, EntryReport],
            Self::UnsignedArchive | Self::UntrustedSignature | Self::UnverifiedOrigin => {
                &[ArchiveRefusal, AnalysisReason]
            }
            Self::TruncatedArchive
            | Self::DamagedArchive
            | Self::PrefixedArchive
            | Self::MultiDiskArchive
            | Self::CentralDirectoryTooLarge
            | Self::UnsafePath
            | Self::SymlinkEntry
            | Self::EncryptedEntry
            | Self::UnsupportedCompression
            | Self::TotalSizeExceeded
            | Self::CompressionRatioExceeded
            | Self::OverlappingEntries
            | Self::HeaderMismatch
            | Self::ArchiveUnreadable
            | Self::UploadMissing
            | Self::NotAnArchiveOfOurs
            | Self::InvalidManifest
            | Self::UnsupportedFormat
            | Self::UnsupportedFormatVersion
            | Self::ManifestSizeMismatch
            | Self::ManifestFileMissing
            | Self::FileNotInManifest
            | Self::PartsMissing
            | Self::PartOfAnotherExport
            | Self::DuplicatePart
            | Self::EntryTooLarge
            | Self::InvalidMetadata
            | Self::InvalidSignature
            | Self::TrustedKeysUnavailable => &[ArchiveRefusal],
            Self::UnlistedFiles
            | Self::NewerVersion
            | Self::UnsupportedMajor
            | Self::UnreadableVersion
            | Self::DuplicateApp
            | Self::MissingRight
            | Self::OverQuota => &[AnalysisReason],
            Self::ObjectMissing => &[AppOutcome, EntryReport],
            Self::DatabaseUnavailable
            | Self::MetadataUnwritable
            | Self::ObjectMismatch
            | Self::AppUnavailable
            | Self::AppRefused
            | Self::AppTimeout
            | Self::TruncatedStream
            | Self::InvalidStream
            | Self::StreamTooLarge
            | Self::ForbiddenKey
            | Self::InvalidAnswer
            | Self::UnsupportedVersion => &[AppOutcome],
            Self::EntryUnreadable
            | Self::InvalidJson
            | Self::ChecksumMismatch
            | Self::InvalidPath
            | Self::InvalidEntry
            | Self::OrphanAttachment
            | Self::UnreadableOrigin
            | Self::TooManyAttachments => &[EntryReport],
            Self::ImportFailed
            | Self::ImportStuck
            | Self::ImportCancelled
            | Self::NothingImportable
            | Self::UploadExpired
            | Self::ExportFailed
            | Self::ExportStuck => &[JobFailure],
        }
    }
}
