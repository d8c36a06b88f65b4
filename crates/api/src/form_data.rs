//! The file name of an uploaded part, read as browsers write it. The WHATWG HTML standard
//! (multipart/form-data encoding) has them send `"`, CR and LF inside the quoted `filename` as
//! `%22`, `%0D` and `%0A`, and a backslash as itself: it is not the RFC 2616 quoted string
//! actix-multipart reads (whose backslash escapes turned `C:\Users\eleve\cours.odt` into
//! `C:Userselevecours.odt`). So the raw header is parsed here; `filename*` (RFC 5987), when
//! present, wins over `filename`. The name's last path segment is kept later, by
//! `DocumentName::from_upload`. Other clients (curl, reqwest) write a quote as `\"`, which a
//! browser never sends (it would send `\%22`), so that one escape is read too.

use actix_web::http::header::{self, HeaderMap};
use percent_encoding::percent_decode_str;

/// The file name the part's (or the request's) `Content-Disposition` gives, if any.
pub(crate) fn file_name(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::CONTENT_DISPOSITION)?;
    // Browsers send the name's UTF-8 bytes as they are, which `to_str` refuses.
    parse_file_name(&String::from_utf8_lossy(raw.as_bytes()))
}

/// The file name of a `Content-Disposition` value: `filename*` when it decodes, else
/// `filename` with the three escapes browsers use decoded.
pub(crate) fn parse_file_name(value: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for (name, value, quoted) in parameters(value) {
        if name.eq_ignore_ascii_case("filename*") && !quoted {
            extended = extended.or_else(|| ext_value(&value));
        } else if name.eq_ignore_ascii_case("filename") {
            plain = plain.or_else(|| Some(browser_unescape(&value)));
        }
    }
    extended.or(plain)
}

/// The `name=value` parameters after the disposition type, with whether the value was quoted.
/// A quoted value runs to the next `"`: browsers never escape one with a backslash.
fn parameters(value: &str) -> Vec<(&str, String, bool)> {
    let mut out = Vec::new();
    let Some((_, mut rest)) = value.split_once(';') else { return out };
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        let Some((name, after)) = rest.split_once('=') else { return out };
        if name.contains(';') {
            // A parameter without a value: skip it.
            rest = &rest[name.find(';').map_or(rest.len(), |i| i + 1)..];
            continue;
        }
        let name = name.trim();
        let after = after.trim_start_matches([' ', '\t']);
        if let Some(quoted) = after.strip_prefix('"') {
            let (text, end) = quoted_text(quoted);
            out.push((name, text, true));
            rest = quoted.get(end + 1..).unwrap_or("");
        } else {
            let end = after.find(';').unwrap_or(after.len());
            out.push((name, after[..end].trim().to_owned(), false));
            rest = &after[end..];
        }
    }
}

/// The text of a quoted value up to its closing `"` (or the end), with `\"` read as a quote,
/// and the byte offset of that closing quote.
fn quoted_text(quoted: &str) -> (String, usize) {
    let mut text = String::with_capacity(quoted.len());
    let mut chars = quoted.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return (text, at),
            '\\' if chars.peek().is_some_and(|&(_, next)| next == '"') => {
                text.push('"');
                chars.next();
            }
            _ => text.push(c),
        }
    }
    (text, quoted.len())
}

/// `%22`, `%0D` and `%0A` decoded, in either case; nothing else, since a browser sends any
/// other `%` as itself.
fn browser_unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let code = rest.get(at + 1..at + 3).map(str::to_ascii_uppercase);
        let decoded = match code.as_deref() {
            Some("22") => Some('"'),
            Some("0D") => Some('\r'),
            Some("0A") => Some('\n'),
            _ => None,
        };
        if let Some(c) = decoded {
            out.push(c);
            rest = &rest[at + 3..];
        } else {
            out.push('%');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// An RFC 5987 `ext-value`: `charset'language'percent-encoded`, in UTF-8 or ISO-8859-1.
fn ext_value(value: &str) -> Option<String> {
    let mut parts = value.splitn(3, '\'');
    let (charset, _language, encoded) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes: Vec<u8> = percent_decode_str(encoded).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::parse_file_name;

    fn name(value: &str) -> Option<String> {
        parse_file_name(value)
    }

    #[test]
    fn backslashes_are_kept_as_browsers_send_them() {
        let windows = r#"form-data; name="file"; filename="C:\Users\eleve\cours.odt""#;
        assert_eq!(name(windows).as_deref(), Some(r"C:\Users\eleve\cours.odt"));
        assert_eq!(
            name(r#"form-data; name="file"; filename="a\b.txt""#).as_deref(),
            Some(r"a\b.txt")
        );
    }

    #[test]
    fn a_quote_escaped_as_other_clients_do_is_a_quote() {
        let reqwest = r#"form-data; name="file"; filename="Élève, \"portrait\".jpg""#;
        assert_eq!(name(reqwest).as_deref(), Some("Élève, \"portrait\".jpg"));
        assert_eq!(
            name(r#"form-data; filename="C:\dossier\a.txt""#).as_deref(),
            Some(r"C:\dossier\a.txt")
        );
    }

    #[test]
    fn the_escapes_of_browsers_are_decoded() {
        let value = r#"form-data; name="file"; filename="dit %22bonjour%22%0d%0A.txt""#;
        assert_eq!(name(value).as_deref(), Some("dit \"bonjour\"\r\n.txt"));
        // Any other percent sign is the name's own.
        assert_eq!(
            name(r#"form-data; filename="100%25 %41.txt""#).as_deref(),
            Some("100%25 %41.txt")
        );
        assert_eq!(name(r#"form-data; filename="fin%""#).as_deref(), Some("fin%"));
    }

    #[test]
    fn semicolons_and_equals_signs_stay_inside_quotes() {
        let value = r#"form-data; filename="a; b=c.txt"; name="file""#;
        assert_eq!(name(value).as_deref(), Some("a; b=c.txt"));
        assert_eq!(name("attachment; filename=plain.zip").as_deref(), Some("plain.zip"));
        assert_eq!(name("attachment; flag; filename=x.zip").as_deref(), Some("x.zip"));
    }

    #[test]
    fn filename_star_wins_when_it_decodes() {
        let both = r#"attachment; filename="euro.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt"#;
        assert_eq!(name(both).as_deref(), Some("€ rates.txt"));
        let latin = "attachment; filename*=iso-8859-1'fr'%E9t%E9.txt";
        assert_eq!(name(latin).as_deref(), Some("été.txt"));
        let broken = r#"attachment; filename="repli.txt"; filename*=UTF-8''%FF"#;
        assert_eq!(name(broken).as_deref(), Some("repli.txt"));
        assert_eq!(name(r#"form-data; name="file""#), None);
        assert_eq!(name("form-data"), None);
    }

    #[test]
    fn raw_utf8_names_come_through() {
        assert_eq!(name("form-data; filename=\"résumé.odt\"").as_deref(), Some("résumé.odt"));
    }
}
