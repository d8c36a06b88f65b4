//! Stable error codes. Clients switch on these strings, so a code is never renamed or reused.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthenticated,
    TokenExpired,
    Forbidden,
    NotFound,
    RouteNotFound,
    MethodNotAllowed,
    InvalidRequest,
    InvalidName,
    InvalidId,
    InvalidRange,
    RangeNotSatisfiable,
    PayloadTooLarge,
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
    ExportInProgress,
    ArchiveQuotaExceeded,
    NotReady,
    InvalidLink,
    ExportExpired,
    ImportInProgress,
    NotAZip,
    NotAnalysed,
    NotImportable,
    ImportRunning,
    RateLimited,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::TokenExpired => "token_expired",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidName => "invalid_name",
            Self::InvalidId => "invalid_id",
            Self::InvalidRange => "invalid_range",
            Self::RangeNotSatisfiable => "range_not_satisfiable",
            Self::PayloadTooLarge => "payload_too_large",
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
            Self::ExportInProgress => "export_in_progress",
            Self::ArchiveQuotaExceeded => "archive_quota_exceeded",
            Self::NotReady => "not_ready",
            Self::InvalidLink => "invalid_link",
            Self::ExportExpired => "export_expired",
            Self::ImportInProgress => "import_in_progress",
            Self::NotAZip => "not_a_zip",
            Self::NotAnalysed => "not_analysed",
            Self::NotImportable => "not_importable",
            Self::ImportRunning => "import_running",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_name_matches_as_str() {
        for code in [
            ErrorCode::PayloadTooLarge,
            ErrorCode::Unauthenticated,
            ErrorCode::NotFound,
            ErrorCode::RateLimited,
        ] {
            let json = serde_json::to_value(code).expect("serialisable");
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        }
    }
}
