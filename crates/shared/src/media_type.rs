//! Media types that come from outside — an archive's metadata, a row an older version wrote —
//! checked before they reach a `Content-Type` header: a header value cannot hold CR, LF or NUL
//! (actix refuses to build the response) and should not run to kilobytes. Only the essence
//! `type/subtype` is kept, each an RFC 6838 `restricted-name` (at most 127 characters of a
//! small set), lower-cased; anything else is `application/octet-stream`.

pub const OCTET_STREAM: &str = "application/octet-stream";

/// RFC 6838 §4.2: `restricted-name` is 1 to 127 characters.
const MAX_NAME_CHARS: usize = 127;

/// The essence of `raw` when it is an RFC 6838 media type (parameters dropped).
pub fn checked(raw: &str) -> Option<String> {
    // Bounded before anything else is looked at: no work in proportion to a hostile length.
    if raw.len() > 2 * MAX_NAME_CHARS + 256 {
        return None;
    }
    let essence = raw.split(';').next().unwrap_or_default().trim_matches([' ', '\t']);
    let (kind, subtype) = essence.split_once('/')?;
    (restricted_name(kind) && restricted_name(subtype)).then(|| essence.to_ascii_lowercase())
}

/// [`checked`], or `application/octet-stream`.
pub fn or_octet_stream(raw: Option<&str>) -> String {
    raw.and_then(checked).unwrap_or_else(|| OCTET_STREAM.to_owned())
}

/// `restricted-name = restricted-name-first *126restricted-name-chars`, the first a letter or
/// a digit, the others also one of `!#$&-^_.+`.
fn restricted_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_alphanumeric())
        && name.len() <= MAX_NAME_CHARS
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_keep_their_essence() {
        assert_eq!(checked("application/pdf").as_deref(), Some("application/pdf"));
        assert_eq!(checked("Text/Plain; charset=UTF-8").as_deref(), Some("text/plain"));
        let odt = "application/vnd.oasis.opendocument.text";
        assert_eq!(checked(odt).as_deref(), Some(odt));
        assert_eq!(checked("image/svg+xml").as_deref(), Some("image/svg+xml"));
    }

    #[test]
    fn what_cannot_be_a_header_or_a_media_type_is_octet_stream() {
        let long = format!("text/{}", "a".repeat(70_000));
        let limit = format!("text/{}", "a".repeat(MAX_NAME_CHARS + 1));
        for bad in [
            "text/html\r\nX-Evil: 1",
            "text/html\nX-Evil: 1",
            "text/pl\0ain",
            long.as_str(),
            limit.as_str(),
            "",
            "text",
            "text/",
            "/plain",
            "text/plain/x",
            "text/pl ain",
            ".text/plain",
            "téxt/plain",
        ] {
            assert_eq!(or_octet_stream(Some(bad)), OCTET_STREAM, "{bad:?}");
        }
        assert_eq!(or_octet_stream(None), OCTET_STREAM);
        let longest = format!("text/{}", "a".repeat(MAX_NAME_CHARS));
        assert_eq!(checked(&longest), Some(longest.clone()));
    }
}
