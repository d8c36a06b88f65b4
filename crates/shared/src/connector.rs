//! The app connector contract: what mesdonnees and a remote ENT app say to each other over HTTP
//! (docs/CONNECTORS.md, openapi/connector.json). Both sides use these types, so the wire format
//! has one definition.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::apps::FormatVersion;
use crate::filters::ExportFilters;

/// Media type of the export and import bodies: one JSON object per line.
pub const NDJSON: &str = "application/x-ndjson";

/// Issuer of the service tokens mesdonnees mints; the audience is the app id.
pub const SERVICE_TOKEN_ISSUER: &str = "mesdonnees";

/// Longest line either side accepts unless configured otherwise (the app's JSON entries).
pub const DEFAULT_MAX_LINE_BYTES: usize = 1024 * 1024;

/// `GET {base}/info`: who the app is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AppInfo {
    /// The app id, as declared in mesdonnees' configuration.
    pub app: String,
    /// The data format version the app writes and reads, `MAJOR.MINOR`.
    #[schema(value_type = String, example = "1.0")]
    pub version: FormatVersion,
    /// How the app's JSON documents read in the archive's viewer (`index.html`); without it,
    /// each document shows as a list of its members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ResourceView>,
}

/// Which members of an app's JSON document a person reads first. Each names a top-level member;
/// a member the document lacks, or of another type than said, is left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceView {
    /// A string: the document's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A date or date-time (RFC 3339): the date the document is known by (due, published…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// A string of HTML: the document's body, shown with its formatting once made safe (no
    /// script, style, form, image or other resource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// An array of objects, each with the `path` of an attached file in the app's folder (as the
    /// export stream named it) and optionally its `name`: linked from the document's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<String>,
    /// Further members shown, in this order, each with its label per language tag; the members
    /// not named anywhere in the view follow as a list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ViewField>,
}

/// A member of a JSON document, and what to call it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewField {
    pub member: String,
    /// By language tag (`fr`, `en`); the member's name where the language has none.
    #[serde(default)]
    pub label: BTreeMap<String, String>,
}

/// Limits of a view an app declares, so a hostile `info` cannot make every page huge.
impl ResourceView {
    pub const MAX_FIELDS: usize = 32;
    pub const MAX_NAME_BYTES: usize = 128;

    /// The view kept: at most [`Self::MAX_FIELDS`] fields, names and labels of at most
    /// [`Self::MAX_NAME_BYTES`] bytes (longer ones are dropped).
    #[must_use]
    pub fn bounded(mut self) -> Self {
        let fits = |s: &String| s.len() <= Self::MAX_NAME_BYTES;
        for member in [&mut self.title, &mut self.date, &mut self.body, &mut self.attachments] {
            if member.as_ref().is_some_and(|m| !fits(m)) {
                *member = None;
            }
        }
        self.fields.truncate(Self::MAX_FIELDS);
        self.fields.retain(|f| fits(&f.member));
        for field in &mut self.fields {
            field.label.retain(|tag, label| tag.len() <= 8 && fits(label));
        }
        self
    }
}

/// `POST {base}/export`: whose data, and which of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportCall {
    /// The ENT user whose data is exported: what they own and what is shared with them.
    pub user_id: String,
    /// Keep only what was created or changed at or after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// The export's other filters (`formats` applies to attached files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<ExportFilters>,
}

/// One line of an export stream, or of an import body. Paths are relative to the app's folder of
/// the archive, `/`-separated, without `.` or `..` segments; mesdonnees makes them safe for
/// every file system and unique, so an app may use its own titles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EntryLine {
    /// Opens an import body (never sent in an export stream).
    Begin(ImportBegin),
    /// A JSON document of the app, written to the archive as the file `path`.
    Json {
        path: String,
        #[schema(value_type = Object)]
        data: serde_json::Value,
    },
    /// A file in the shared object store. On export the app names a key of its own; on import
    /// mesdonnees names a staged copy the app may read until the call returns.
    Object {
        path: String,
        key: String,
        size: u64,
        /// Lower-case hex SHA-256 of the content.
        sha256: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content_type: Option<String>,
    },
    /// Closes the stream: `count` is the number of `json` and `object` lines before it, so a
    /// stream cut short is told from a complete one.
    End { count: u64 },
}

/// The first line of an import body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportBegin {
    /// The user the entries are imported into: they become its owner; shares are dropped.
    pub user_id: String,
    /// Stable across retries of the same import: an entry already imported under this id and
    /// path is counted as a duplicate, not created twice.
    pub import_id: String,
    /// The format version the entries were exported at (the app upgrades older majors). When
    /// `origin` is present, the entries are in that format instead and this is the app's own
    /// declared version.
    #[schema(value_type = String, example = "1.0")]
    pub version: FormatVersion,
    /// Where the entries come from when they are not the app's own export: a module of an
    /// entcore archive, which the app's declaration lists in `legacy_modules`. Absent for an
    /// archive of mesdonnees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<ImportOrigin>,
}

/// The archive format and module the entries of an import were written by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportOrigin {
    /// `entcore`.
    pub format: String,
    /// The module's name in the archive's Manifest.json, e.g. `org.entcore.homeworks`.
    pub module: String,
    /// The module's version as the manifest writes it, e.g. `1.8-SNAPSHOT`.
    pub version: String,
}

/// What the app answers to an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    /// Entries created.
    pub imported: u64,
    /// Entries already there from an earlier attempt of the same import.
    pub duplicates: u64,
    /// Entries refused, each with a stable code.
    #[serde(default)]
    pub errors: Vec<EntryError>,
    /// The archive's ids of the app's resources, mapped to the ids they were given here.
    #[serde(default)]
    pub id_map: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EntryError {
    pub path: String,
    pub code: String,
}

/// The claims of a service token: `iss` = [`SERVICE_TOKEN_ISSUER`], `aud` = the app id, `sub` =
/// the mesdonnees instance name; HS256 with the secret shared with that app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
}

/// A problem an app answers with (RFC 9457), as mesdonnees reads it back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AppProblem {
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// Reads NDJSON lines from chunks as they arrive, with a bound on a line's length, so a hostile
/// or broken peer cannot make either side hold an unbounded line.
#[derive(Debug)]
pub struct LineSplitter {
    pending: Vec<u8>,
    max_line: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LineError {
    #[error("a line is longer than {0} bytes")]
    TooLong(usize),
}

impl LineSplitter {
    pub fn new(max_line: usize) -> Self {
        Self { pending: Vec::new(), max_line }
    }

    /// Appends `chunk` and hands every complete line (without its `\n`, blank lines skipped) to
    /// `each`.
    pub fn push<E>(
        &mut self,
        chunk: &[u8],
        mut each: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), SplitError<E>> {
        let mut rest = chunk;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            let (head, tail) = rest.split_at(at);
            rest = &tail[1..];
            if self.pending.len() + head.len() > self.max_line {
                return Err(SplitError::Line(LineError::TooLong(self.max_line)));
            }
            if self.pending.is_empty() {
                emit(head, &mut each)?;
            } else {
                self.pending.extend_from_slice(head);
                let line = std::mem::take(&mut self.pending);
                emit(&line, &mut each)?;
            }
        }
        if self.pending.len() + rest.len() > self.max_line {
            return Err(SplitError::Line(LineError::TooLong(self.max_line)));
        }
        self.pending.extend_from_slice(rest);
        Ok(())
    }

    /// The bytes after the last `\n`: a stream must not end inside a line.
    pub fn has_partial_line(&self) -> bool {
        self.pending.iter().any(|b| !b.is_ascii_whitespace())
    }
}

fn emit<E>(
    line: &[u8],
    each: &mut impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), SplitError<E>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    each(line).map_err(SplitError::Caller)
}

#[derive(Debug, PartialEq, Eq)]
pub enum SplitError<E> {
    Line(LineError),
    Caller(E),
}

/// Checks a path an app sent: relative, `/`-separated, no empty, `.` or `..` segment, no
/// backslash or control character, at most 32 segments and 1,024 bytes.
pub fn check_entry_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() || path.len() > 1024 {
        return Err("a path has 1 to 1024 bytes");
    }
    if path.starts_with('/') {
        return Err("a path is relative to the app's folder");
    }
    if path.contains('\\') || path.chars().any(char::is_control) {
        return Err("a path has no backslash or control character");
    }
    let mut segments = 0;
    for segment in path.split('/') {
        segments += 1;
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err("a path has no empty, '.' or '..' segment");
        }
    }
    if segments > 32 {
        return Err("a path has at most 32 segments");
    }
    Ok(())
}

/// The contract as an OpenAPI document of its own (openapi/connector.json): what an app serves
/// under its base URL for mesdonnees to call.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "mesdonnees app connector",
        description = "What an ENT app serves so that mesdonnees can put its data in a user's \
            archive and give it back on import. Every call carries `Authorization: Bearer <service \
            token>`: HS256, `iss` = \"mesdonnees\", `aud` = the app id, `sub` = the calling \
            instance, valid a few minutes. See docs/CONNECTORS.md.",
        version = "1.0.0"
    ),
    paths(contract::info, contract::export, contract::import),
    components(schemas(
        AppInfo, ResourceView, ViewField, ExportCall, EntryLine, ImportBegin, ImportOrigin, ImportReport, EntryError,
        AppProblem, ExportFilters
    )),
    modifiers(&ServiceAuth),
    security(("service_token" = []))
)]
pub struct ConnectorApi;

/// The contract's OpenAPI document.
pub fn contract_document() -> utoipa::openapi::OpenApi {
    ConnectorApi::openapi()
}

struct ServiceAuth;

impl utoipa::Modify for ServiceAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "service_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A service token minted by mesdonnees for this app."))
                    .build(),
            ),
        );
    }
}

/// The contract's operations, described for the OpenAPI document; the handlers are the app's.
#[expect(dead_code, reason = "declarations for the OpenAPI document only")]
mod contract {
    use super::{AppInfo, AppProblem, ExportCall, ImportReport};

    /// Who the app is: its id and data format version.
    #[utoipa::path(
        get,
        tag = "connector",
        path = "/info",
        responses(
            (status = 200, body = AppInfo),
            (status = 401, body = AppProblem, content_type = "application/problem+json"),
        )
    )]
    pub fn info() {}

    /// The user's data as a stream of lines (`EntryLine`: `json` and `object`, closed by `end`).
    /// The app answers as soon as it starts and writes lines as it reads its data.
    #[utoipa::path(
        post,
        tag = "connector",
        path = "/export",
        request_body = ExportCall,
        responses(
            (status = 200, description = "one `EntryLine` per line, the last one `end`",
                body = String, content_type = "application/x-ndjson"),
            (status = 401, body = AppProblem, content_type = "application/problem+json"),
            (status = 422, body = AppProblem, content_type = "application/problem+json"),
        )
    )]
    pub fn export() {}

    /// Entries to import, as lines: `begin`, then `json` and `object` lines, then `end`. The
    /// app re-owns every entry to the user of `begin` and drops shares; it answers once every
    /// line is handled.
    #[utoipa::path(
        post,
        tag = "connector",
        path = "/import",
        request_body(content = String, content_type = "application/x-ndjson",
            description = "one `EntryLine` per line: `begin`, entries, `end`"),
        responses(
            (status = 200, body = ImportReport),
            (status = 400, description = "the body is not a complete stream of lines",
                body = AppProblem, content_type = "application/problem+json"),
            (status = 401, body = AppProblem, content_type = "application/problem+json"),
        )
    )]
    pub fn import() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_an_app_declares_is_bounded_and_optional() {
        let old: AppInfo = serde_json::from_str(r#"{"app":"blog","version":"1.0"}"#).expect("info");
        assert_eq!(old.view, None, "an app that declares no view");
        let long = "x".repeat(ResourceView::MAX_NAME_BYTES + 1);
        let field = |member: &str| ViewField {
            member: member.to_owned(),
            label: [
                ("fr".to_owned(), "Titre".to_owned()),
                ("fr-x-trop-long".to_owned(), "T".to_owned()),
            ]
            .into(),
        };
        let view = ResourceView {
            title: Some(long.clone()),
            date: Some("due".into()),
            fields: std::iter::once(field(&long))
                .chain((0..40).map(|i| field(&format!("m{i}"))))
                .collect(),
            ..ResourceView::default()
        }
        .bounded();
        assert_eq!((view.title, view.date.as_deref()), (None, Some("due")));
        assert_eq!(view.fields.len(), ResourceView::MAX_FIELDS - 1, "the long name dropped");
        assert_eq!(view.fields[0].label.len(), 1, "a tag longer than a language's dropped");
    }

    #[test]
    fn lines_have_the_documented_shape() {
        let json = EntryLine::Json { path: "a.json".into(), data: serde_json::json!({"x": 1}) };
        assert_eq!(
            serde_json::to_string(&json).unwrap(),
            r#"{"kind":"json","path":"a.json","data":{"x":1}}"#
        );
        let end: EntryLine = serde_json::from_str(r#"{"kind":"end","count":3}"#).unwrap();
        assert_eq!(end, EntryLine::End { count: 3 });
        let object: EntryLine = serde_json::from_str(
            r#"{"kind":"object","path":"f/a.pdf","key":"k","size":2,"sha256":"ab"}"#,
        )
        .unwrap();
        assert!(matches!(object, EntryLine::Object { size: 2, content_type: None, .. }));
        let begin: EntryLine = serde_json::from_str(
            r#"{"kind":"begin","user_id":"bob","import_id":"i1","version":"1.2"}"#,
        )
        .unwrap();
        assert!(
            matches!(begin, EntryLine::Begin(ImportBegin { ref user_id, origin: None, .. }) if user_id == "bob")
        );
        // A v1 import's begin line is unchanged; an entcore one says where its entries come from.
        let v1 = ImportBegin {
            user_id: "bob".into(),
            import_id: "i1".into(),
            version: "1.0".parse().unwrap(),
            origin: None,
        };
        assert!(!serde_json::to_string(&v1).unwrap().contains("origin"));
        let origin = ImportOrigin {
            format: "entcore".into(),
            module: "org.entcore.homeworks".into(),
            version: "1.8-SNAPSHOT".into(),
        };
        let line = EntryLine::Begin(ImportBegin { origin: Some(origin), ..v1 });
        let json = serde_json::to_value(&line).unwrap();
        assert_eq!(json["origin"]["module"], "org.entcore.homeworks");
        assert_eq!(serde_json::from_value::<EntryLine>(json).unwrap(), line);
        assert!(serde_json::from_str::<EntryLine>(r#"{"kind":"end","count":1,"x":0}"#).is_err());
        assert!(serde_json::from_str::<EntryLine>(r#"{"kind":"other"}"#).is_err());
    }

    fn split(max: usize, chunks: &[&[u8]]) -> Result<(Vec<String>, bool), LineError> {
        let mut splitter = LineSplitter::new(max);
        let mut lines = Vec::new();
        for chunk in chunks {
            splitter
                .push::<()>(chunk, |l| {
                    lines.push(String::from_utf8(l.to_vec()).unwrap());
                    Ok(())
                })
                .map_err(|e| match e {
                    SplitError::Line(e) => e,
                    SplitError::Caller(()) => unreachable!(),
                })?;
        }
        Ok((lines, splitter.has_partial_line()))
    }

    #[test]
    fn lines_are_split_across_chunks() {
        let (lines, partial) = split(64, &[b"ab", b"c\nde\r\n\n", b"f"]).unwrap();
        assert_eq!(lines, ["abc", "de"]);
        assert!(partial);
        let (lines, partial) = split(64, &[b"f\n"]).unwrap();
        assert_eq!(lines, ["f"]);
        assert!(!partial);
    }

    #[test]
    fn a_long_line_is_refused_before_it_is_held() {
        assert_eq!(split(4, &[b"abc", b"de"]), Err(LineError::TooLong(4)));
        assert_eq!(split(4, &[b"abcde\n"]), Err(LineError::TooLong(4)));
        assert!(split(4, &[b"abcd\n"]).is_ok());
    }

    #[test]
    fn entry_paths() {
        assert!(check_entry_path("entries/2026/devoir.json").is_ok());
        for bad in ["", "/abs", "a//b", "a/../b", "./a", "a\\b", "a\u{7}b"] {
            assert!(check_entry_path(bad).is_err(), "{bad:?}");
        }
        assert!(check_entry_path("a/".repeat(33).trim_end_matches('/')).is_err());
    }

    #[test]
    fn the_contract_document_lists_its_operations() {
        let doc = ConnectorApi::openapi();
        let paths: Vec<&String> = doc.paths.paths.keys().collect();
        assert_eq!(paths, ["/export", "/import", "/info"]);
    }
}
