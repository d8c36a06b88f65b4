//! Entry names: decoding, the path rules of the archive format, and collisions between paths.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::entry::ScannedEntry;
use super::error::{ScanError, shown};

/// Code page 437, bytes 0x80 to 0xFF: the encoding of names without the UTF-8 flag that are
/// not valid UTF-8 either (old DOS and Windows writers).
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐\
    └┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

/// A decoded name, and whether it came from code page 437.
pub(super) struct Name<'a> {
    pub text: Cow<'a, str>,
    pub cp437: bool,
}

/// Decodes a raw name. A name flagged as UTF-8 must be valid UTF-8.
pub(super) fn decode(raw: &[u8], utf8_flag: bool) -> Result<Name<'_>, ScanError> {
    match std::str::from_utf8(raw) {
        Ok(text) => Ok(Name { text: Cow::Borrowed(text), cp437: false }),
        Err(_) if utf8_flag => {
            Err(ScanError::UnsafePath { path: shown(&String::from_utf8_lossy(raw)) })
        }
        Err(_) => Ok(Name { text: Cow::Owned(cp437(raw)), cp437: true }),
    }
}

fn cp437(raw: &[u8]) -> String {
    raw.iter()
        .map(|&b| {
            if b.is_ascii() {
                char::from(b)
            } else {
                CP437_HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
        })
        .collect()
}

/// Whether a local header's raw name is the central directory's, given how that one decoded.
/// Code page 437 maps bytes to distinct characters, so equal texts mean equal bytes.
pub(super) fn same_name(raw: &[u8], path: &str, is_dir: bool, cp437_name: bool) -> bool {
    let (raw, slash) = match raw.split_last() {
        Some((b'/', rest)) => (rest, true),
        _ => (raw, false),
    };
    if slash != is_dir {
        return false;
    }
    if cp437_name { cp437(raw) == path } else { raw == path.as_bytes() }
}

/// Splits a directory's trailing slash off a decoded name and checks the path rules of the
/// archive format: relative, `/` separators, no empty, `.` or `..` segment, no drive, no
/// backslash, no control character.
pub(super) fn check_path(name: &str) -> Result<(&str, bool), ScanError> {
    let (path, is_dir) = match name.strip_suffix('/') {
        Some(path) => (path, true),
        None => (name, false),
    };
    let unsafe_path = || ScanError::UnsafePath { path: shown(name) };
    let bytes = path.as_bytes();
    if path.is_empty() || path.starts_with('/') || path.contains('\\') {
        return Err(unsafe_path());
    }
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(unsafe_path());
    }
    if path.chars().any(char::is_control) {
        return Err(unsafe_path());
    }
    if path.split('/').any(|segment| matches!(segment, "" | "." | "..")) {
        return Err(unsafe_path());
    }
    Ok((path, is_dir))
}

/// Refuses a path used twice, and a file whose path is also the folder of another entry.
pub(super) fn check_collisions(entries: &[ScannedEntry]) -> Result<(), ScanError> {
    let mut order: Vec<&ScannedEntry> = entries.iter().collect();
    // Segment by segment, every path below a folder sorts right after the folder's own path
    // (`a`, `a/b`, `a b`), so comparing neighbours finds every collision.
    order.sort_unstable_by(|a, b| by_segments(&a.path, &b.path));
    for pair in order.windows(2) {
        let (first, next) = (pair[0], pair[1]);
        let same = first.path == next.path;
        let below_file = !first.is_dir
            && next
                .path
                .strip_prefix(first.path.as_str())
                .is_some_and(|rest| rest.starts_with('/'));
        if same || below_file {
            return Err(ScanError::DuplicateEntry { path: shown(&first.path) });
        }
    }
    Ok(())
}

fn by_segments(a: &str, b: &str) -> Ordering {
    a.split('/').cmp(b.split('/'))
}
