//! The English sentence of every code: what happened and what to do next, for a pupil or a
//! parent, without jargon. One arm per code: a new code without its words does not compile.

use super::ErrorCode;

/// A JSON body that stops being JSON at `line`, `column`: where, and why in plain words.
pub(super) fn unreadable_json(line: usize, column: usize, cut_short: bool) -> String {
    let why = if cut_short {
        "the text ends before it is complete"
    } else {
        "a character is out of place"
    };
    format!("The JSON body is invalid at line {line}, column {column}: {why}.")
}

#[expect(clippy::too_many_lines, reason = "one sentence per code, nothing else")]
pub(super) fn sentence(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthenticated => {
            "We cannot tell who you are. Sign in to your school workspace again, then try again."
        }
        ErrorCode::TokenExpired => {
            "Your session has expired. Sign in to your school workspace again, then try again."
        }
        ErrorCode::Forbidden => {
            "You are not allowed to do this. If you think this is a mistake, ask your school."
        }
        ErrorCode::NotFound => {
            "This item cannot be found: it may have been deleted. Refresh the page."
        }
        ErrorCode::RouteNotFound => {
            "This address leads nowhere. Check it or go back to the home page."
        }
        ErrorCode::MethodNotAllowed => {
            "This action is not possible at this address. Go back to the home page and start \
             again."
        }
        ErrorCode::CorsRefused => {
            "This page may not call the service. Open it from your school workspace."
        }
        ErrorCode::HeadersTooLarge => {
            "The request carried too much information to be read. Sign in again, then start \
             again."
        }
        ErrorCode::InvalidRequest => {
            "The request could not be understood. Refresh the page, then start again."
        }
        ErrorCode::InvalidName => {
            "This name is not accepted: it is empty, too long or holds a forbidden character. \
             Choose another one."
        }
        ErrorCode::InvalidId => "This item is not recognised. Refresh the page, then start again.",
        ErrorCode::InvalidRange => {
            "The download could not resume where it stopped. Start it again from the beginning."
        }
        ErrorCode::RangeNotSatisfiable => {
            "The download asked for a part of the file that does not exist. Start it again from \
             the beginning."
        }
        ErrorCode::PayloadTooLarge => {
            "The file is larger than allowed: it was not accepted. Make it smaller or choose a \
             smaller one."
        }
        ErrorCode::QuotaExceeded => {
            "Your space is full, or you have reached the number of items allowed. Delete what you \
             no longer need, then try again."
        }
        ErrorCode::MissingFile => "No file was sent. Choose a file, then try again.",
        ErrorCode::UnsupportedMediaType => {
            "This kind of content is not accepted here. Send the file from the page meant for it."
        }
        ErrorCode::FolderNotFound => {
            "The chosen folder no longer exists. Refresh the page and choose another folder."
        }
        ErrorCode::NotAFolder => "The chosen item is not a folder. Choose a folder.",
        ErrorCode::NotAFile => "The chosen item is a folder, not a file. Choose a file.",
        ErrorCode::TooManyParts => {
            "The upload holds too many things at once. Send one file at a time."
        }
        ErrorCode::AlreadyShared => {
            "This document is already shared with this person. There is nothing more to do."
        }
        ErrorCode::CannotShareWithSelf => {
            "You cannot share a document with yourself. Choose someone else."
        }
        ErrorCode::Conflict => {
            "The item changed in the meantime. Refresh the page, then start again."
        }
        ErrorCode::UnknownApp => {
            "This app does not exist on your school workspace: its data can be neither exported \
             nor imported here. The other apps are not affected."
        }
        ErrorCode::InvalidFilter => {
            "The chosen filters (formats, date) are not valid. Correct them, then try again."
        }
        ErrorCode::InvalidTable => {
            "The columns or format chosen for the table are not suitable. Change them, then try \
             again."
        }
        ErrorCode::TemplateNameTaken => {
            "You already have a template with this name. Choose another name."
        }
        ErrorCode::InvalidSchedule => {
            "An automatic export runs every 1, 2, 3, 6 or 12 months, until a date at most a \
             year ahead."
        }
        ErrorCode::TooManySchedules => {
            "You already have as many automatic exports as you can. Delete one before \
             creating another."
        }
        ErrorCode::ExportInProgress => {
            "An export is already being prepared. Wait until it is ready before asking for another \
             one."
        }
        ErrorCode::PartSizeOutOfRange => {
            "This part size is not offered here. Choose a size between the smallest and the \
             largest this service allows."
        }
        ErrorCode::DocumentsQuotaExceeded => {
            "Your documents space does not have room for this export. Free some space, or export \
             without copying it into your documents."
        }
        ErrorCode::ArchiveQuotaExceeded => {
            "Your exports already use all the space allowed. Delete an old export, then try again."
        }
        ErrorCode::NotReady => {
            "The export is not ready yet. Wait until it has been prepared, then try again."
        }
        ErrorCode::InvalidLink => {
            "This download link is not valid or has expired. Ask for a new link from the list of \
             your exports."
        }
        ErrorCode::ExportExpired => "This export has expired and was deleted. Prepare a new one.",
        ErrorCode::LinkRevoked => {
            "This download link was withdrawn by your school. Ask them for a new link."
        }
        ErrorCode::LeaveWindowClosed => {
            "Your account is closed: your data is no longer available through this link."
        }
        ErrorCode::InvalidClosingDate => {
            "The account's closing date must be in the future, and no further ahead than the \
             service allows."
        }
        ErrorCode::ImportInProgress => {
            "An import is already in progress. Wait until it has finished before starting another \
             one."
        }
        ErrorCode::NotAZip => {
            "This file is not a .zip archive. Choose the .zip file of your data, as you downloaded \
             it."
        }
        ErrorCode::NotAnalysed => {
            "The archive is still being checked. Wait until the check has finished, then try \
             again."
        }
        ErrorCode::NotImportable => {
            "Some of the chosen apps cannot be imported from this archive. Remove them from your \
             choice, then try again."
        }
        ErrorCode::ImportRunning => {
            "This import is running: it cannot be deleted now. Wait until it has finished."
        }
        ErrorCode::ImportTakesNoParts => {
            "This import no longer waits for parts. Start a new import with the parts of your \
             archive."
        }
        ErrorCode::RateLimited => {
            "You started many exports and imports in a short time. Wait a minute, then try again."
        }
        ErrorCode::Unavailable => {
            "The service is unavailable for the moment. Try again in a few minutes."
        }
        ErrorCode::Internal => {
            "Something unexpected went wrong on our side. Try again later; if it happens again, \
             tell your school."
        }
        ErrorCode::InsufficientStorage => {
            "The service's storage is full for the moment. Try again later; if it lasts, tell \
             your school."
        }
        ErrorCode::TruncatedArchive => {
            "The archive is incomplete: its download was probably interrupted. Download it again \
             and try again."
        }
        ErrorCode::DamagedArchive => {
            "The archive is damaged and cannot be read. Download it again, then try again."
        }
        ErrorCode::PrefixedArchive => {
            "This file is not a plain archive: it also holds a program. Choose the .zip archive of \
             your data, as you downloaded it."
        }
        ErrorCode::MultiDiskArchive => {
            "This archive is split into several pieces, which is not accepted. Download it as a \
             single file, then try again."
        }
        ErrorCode::CentralDirectoryTooLarge => {
            "The archive's list of files is too long to be read. Import your data in several \
             smaller archives."
        }
        ErrorCode::TooManyEntries => {
            "There are too many files: the limit allowed has been reached. Export or import your \
             data in several goes, for example one app at a time."
        }
        ErrorCode::UnsafePath => {
            "The archive holds a file stored in a dangerous place: to be safe, it is refused. Use \
             the original archive, without changing it."
        }
        ErrorCode::SymlinkEntry => {
            "The archive holds shortcuts to other files, which are not accepted. Use the original \
             archive, without changing it."
        }
        ErrorCode::EncryptedEntry => {
            "The archive holds files protected by a password. Save it without a password, then try \
             again."
        }
        ErrorCode::UnsupportedCompression => {
            "The archive was compressed in a way this service cannot read. Make it again with your \
             computer's usual compression tool, then try again."
        }
        ErrorCode::TotalSizeExceeded => {
            "The content of the archive is larger than allowed. Import your data in several \
             smaller archives."
        }
        ErrorCode::CompressionRatioExceeded => {
            "A file of the archive would grow far too large once unpacked: to be safe, the archive \
             is refused. Use the original archive."
        }
        ErrorCode::DuplicateEntry => {
            "The same item appears twice in the archive: it could not be taken into account. Use \
             the original archive, without changing it."
        }
        ErrorCode::OverlappingEntries => {
            "Files of the archive overlap: it was altered or damaged. Download it again, then try \
             again."
        }
        ErrorCode::HeaderMismatch => {
            "The archive contradicts itself about one of its files: it is probably damaged. \
             Download it again, then try again."
        }
        ErrorCode::EntryCorrupt => {
            "A file of the archive is damaged: its content is not what was expected. Download the \
             archive again, then try again."
        }
        ErrorCode::ArchiveUnreadable => {
            "The archive could not be read for now. Try again in a few minutes."
        }
        ErrorCode::UploadMissing => "The archive you sent is no longer available. Send it again.",
        ErrorCode::NotAnArchiveOfOurs => {
            "This archive does not hold data exported from a school workspace. Choose the archive \
             of your data, as your school workspace gave it to you."
        }
        ErrorCode::InvalidManifest => {
            "The archive's table of contents cannot be read: the archive was altered or damaged. \
             Use the original archive, without changing it."
        }
        ErrorCode::UnsupportedFormat => {
            "This archive comes from a service whose format is not supported. Ask your school how \
             to get your data back."
        }
        ErrorCode::UnsupportedFormatVersion => {
            "This archive was made by a version of the service your school workspace cannot read. \
             Ask your school for advice."
        }
        ErrorCode::ManifestSizeMismatch => {
            "A file of the archive is not the size announced: the archive was altered or damaged. \
             Download it again, then try again."
        }
        ErrorCode::ManifestFileMissing => {
            "A file is missing from the archive: it was altered or damaged. Download it again, \
             then try again."
        }
        ErrorCode::FileNotInManifest => {
            "The archive holds a file that was not in it at first: it was altered. Use the \
             original archive, without adding files to it."
        }
        ErrorCode::PartsMissing => {
            "This archive comes in several parts and some are missing: send all its parts into \
             the same import."
        }
        ErrorCode::PartOfAnotherExport => {
            "This file is not a part of the same export as the earlier ones. Choose the parts \
             downloaded together, from the same export."
        }
        ErrorCode::DuplicatePart => {
            "This part was already sent into this import. Send the parts that are missing."
        }
        ErrorCode::EntryTooLarge => {
            "A file describing the archive's content is too large to be read. Import your data in \
             several smaller archives."
        }
        ErrorCode::InvalidMetadata => {
            "The description of the archive's documents cannot be read: the archive was altered or \
             damaged. Use the original archive, without changing it."
        }
        ErrorCode::UnsignedArchive => {
            "Nothing proves where this archive comes from. Only import archives you downloaded \
             yourself from your school workspace."
        }
        ErrorCode::UntrustedSignature => {
            "This archive comes from a school workspace yours does not recognise. Check that it \
             really comes from your former school, or ask your school for advice."
        }
        ErrorCode::InvalidSignature => {
            "The archive was altered or damaged since it was made: it is refused. Download it \
             again from the school workspace that made it."
        }
        ErrorCode::UnverifiedOrigin => {
            "This archive comes from another kind of school workspace: neither where it comes from \
             nor its content can be checked. Only import it if you downloaded it yourself."
        }
        ErrorCode::TrustedKeysUnavailable => {
            "Your school workspace could not get the keys of the one the archive comes from to \
             check its origin: it was not imported. Try again later."
        }
        ErrorCode::UnlistedFiles => {
            "Some files of the archive belong to no known app: they will not be imported. The rest \
             can be imported as usual."
        }
        ErrorCode::NewerVersion => {
            "This data comes from a newer version of the app than your school workspace has. Try \
             again once your school workspace has been updated."
        }
        ErrorCode::UnsupportedMajor => {
            "This data comes from a version of the app too different to be read here. Ask your \
             school for advice."
        }
        ErrorCode::UnreadableVersion => {
            "Which version of the app made this data is unknown: it cannot be imported. The other \
             apps are not affected."
        }
        ErrorCode::DuplicateApp => {
            "The archive holds data for the same app twice: this part cannot be imported, the \
             other one can."
        }
        ErrorCode::MissingRight => {
            "You do not have access to this app on your school workspace: its data cannot be \
             imported. Ask your school for access if you need it."
        }
        ErrorCode::OverQuota => {
            "These documents do not fit in the space you have left. Free some space in your \
             documents, then try again."
        }
        ErrorCode::DatabaseUnavailable => {
            "This app's data could not be read: the export is incomplete for it. Prepare a new \
             export a little later."
        }
        ErrorCode::MetadataUnwritable => {
            "The description of the documents could not be written: the export of this app is \
             incomplete. Prepare a new export a little later."
        }
        ErrorCode::ObjectMissing => {
            "A file's content cannot be found: that file is missing, the rest was handled. Tell \
             your school if it matters to you."
        }
        ErrorCode::ObjectMismatch => {
            "A file's content was not what was expected: it was kept as it was, the rest was \
             handled. Check this file in the archive."
        }
        ErrorCode::AppUnavailable => {
            "The app did not answer: its data was not included. Try again a little later."
        }
        ErrorCode::AppRefused => {
            "The app refused the request: its data was not included. If it happens again, tell \
             your school."
        }
        ErrorCode::AppTimeout => {
            "The app took too long to answer: its data is incomplete or missing. Try again a \
             little later."
        }
        ErrorCode::TruncatedStream => {
            "The app stopped partway: its data is incomplete. Prepare a new export a little later."
        }
        ErrorCode::InvalidStream => {
            "The app sent something that cannot be used: its data is incomplete. If it happens \
             again, tell your school."
        }
        ErrorCode::StreamTooLarge => {
            "The app sent more data than allowed: its data is incomplete. Tell your school."
        }
        ErrorCode::ForbiddenKey => {
            "The app named a file that does not belong to it: to be safe, its export stopped \
             there. Tell your school."
        }
        ErrorCode::InvalidAnswer => {
            "The app's answer could not be read: what was imported is unknown. Check in the app, \
             then tell your school if needed."
        }
        ErrorCode::UnsupportedVersion => {
            "The app changed version and can no longer read this data. Ask your school for advice."
        }
        ErrorCode::EntryUnreadable => {
            "This file of the archive could not be read, or it is too large: it was not imported, \
             the rest was."
        }
        ErrorCode::InvalidJson => {
            "This file of the archive cannot be read: it was not imported. Use the original \
             archive, without changing it."
        }
        ErrorCode::ChecksumMismatch => {
            "This file was altered or damaged since the export: it was not imported. Download the \
             archive again, then import it again."
        }
        ErrorCode::InvalidPath => {
            "This file is not where the app expects it: it was not imported. Use the original \
             archive, without changing it."
        }
        ErrorCode::InvalidEntry => {
            "The app could not read this item: it was not imported. Check it in the archive and \
             make it again by hand if needed."
        }
        ErrorCode::OrphanAttachment => {
            "This attachment belongs to no item of the archive: it was not imported. Add it by \
             hand if needed."
        }
        ErrorCode::UnreadableOrigin => {
            "This item comes from another kind of school workspace and the app cannot read it: it \
             was not imported. Make it again by hand if needed."
        }
        ErrorCode::TooManyAttachments => {
            "This attachment goes past the number the app accepts for one item: it was not \
             imported. Add it by hand if needed."
        }
        ErrorCode::ImportFailed => {
            "The import failed after several tries. Try again later; if it fails again, tell your \
             school."
        }
        ErrorCode::ImportStuck => {
            "The import was interrupted and could not resume. Send the archive again to start \
             over."
        }
        ErrorCode::ImportCancelled => {
            "The import was stopped at an administrator's request; what was already imported is \
             kept. Ask your school to find out more."
        }
        ErrorCode::NothingImportable => {
            "None of the chosen apps can be imported from this archive. Check the archive or \
             choose other apps."
        }
        ErrorCode::UploadExpired => {
            "The archive you sent was not imported in time and was deleted. Send it again, then \
             start the import."
        }
        ErrorCode::ExportFailed => {
            "The export failed after several tries. Prepare a new one a little later."
        }
        ErrorCode::ExportStuck => {
            "The export was interrupted and could not resume. Prepare a new one."
        }
    }
}

/// The sentence of a code this version does not know (a newer version's, a remote app's own).
pub(super) const UNKNOWN: &str =
    "Something went wrong. Try again later; if it happens again, tell your school the code shown.";
