//! Names of entries inside an archive: safe on Windows and macOS, and unique per folder.
//!
//! Two names are the same name when a file system would take them for one: macOS and Windows
//! compare canonically equivalent (`é` as one character or as `e` and an accent) and case-folded
//! names as equal (`Σ`, `σ` and `ς` alike), so names are normalised to NFC and compared with
//! full Unicode case folding ([`same_name_key`]). Characters that change how a name is shown
//! without being seen — bidirectional controls (a right-to-left override makes `fdp.exe` show as
//! `exe.pdf`), zero-width characters, byte order marks — are removed ([`visible`]); an emoji
//! joined by a zero-width joiner shows as its parts.

use std::collections::HashSet;

use unicase::UniCase;
use unicode_normalization::UnicodeNormalization;

/// Longest segment in bytes; most file systems stop at 255.
const MAX_SEGMENT_BYTES: usize = 200;

/// Whether `c` changes how a name shows without being seen: bidirectional controls and marks,
/// zero-width characters, invisible operators, byte order marks.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// A name in NFC, without the characters that would show it as another.
pub fn visible(raw: &str) -> String {
    raw.nfc().filter(|&c| !invisible(c)).collect()
}

/// What two names are compared by: equal keys for names that one folder of macOS or Windows
/// cannot hold side by side (canonically equivalent, or equal once case-folded).
pub fn same_name_key(name: &str) -> UniCase<String> {
    UniCase::unicode(name.nfc().collect())
}

/// Device names Windows reserves, whatever the extension: `COM¹` to `COM³` and `LPT¹` to
/// `LPT³` (superscript digits) are devices as much as `COM1`.
fn reserved_on_windows(stem: &str) -> bool {
    let stem = stem.trim_end_matches(' ').to_uppercase();
    if matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$") {
        return true;
    }
    let Some(number) = stem.strip_prefix("COM").or_else(|| stem.strip_prefix("LPT")) else {
        return false;
    };
    let mut chars = number.chars();
    matches!((chars.next(), chars.next()), (Some('0'..='9' | '¹' | '²' | '³'), None))
}

/// Makes one path segment safe to extract anywhere: in NFC, nothing invisible, no separators,
/// no characters Windows refuses, no reserved device names, no trailing dot or space, not
/// empty, bounded length.
pub fn sanitize_segment(raw: &str) -> String {
    let mut out: String = visible(raw)
        .chars()
        .map(|c| match c {
            '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    while out.ends_with(['.', ' ']) {
        out.pop();
    }
    let trimmed = out.trim_start();
    if trimmed.len() != out.len() {
        out = trimmed.to_owned();
    }
    if out.is_empty() {
        out.push('_');
    }
    if reserved_on_windows(out.split('.').next().unwrap_or_default()) {
        out.insert(0, '_');
    }
    truncate_bytes(&out, MAX_SEGMENT_BYTES)
}

/// Cuts a name to at most `max` bytes on a character boundary, keeping its extension.
fn truncate_bytes(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let (stem, ext) = split_extension(name);
    let keep = max.saturating_sub(ext.len());
    let mut cut = keep.min(stem.len());
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", &stem[..cut])
}

/// `"a.tar.gz"` → (`"a.tar"`, `".gz"`); a leading dot is not an extension.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    }
}

/// The names given in one folder, compared by [`same_name_key`].
#[derive(Debug, Default)]
pub struct TakenNames(HashSet<UniCase<String>>);

impl TakenNames {
    /// Takes `name`; false when the folder already has it.
    pub fn insert(&mut self, name: &str) -> bool {
        self.0.insert(same_name_key(name))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Hands out unique names within one folder of the archive: "Notes.txt" and "notes.txt" would
/// overwrite each other on Windows and macOS.
#[derive(Debug, Default)]
pub struct UniqueNames {
    taken: TakenNames,
}

impl UniqueNames {
    pub fn new() -> Self {
        Self::default()
    }

    /// The sanitized name, or "name (2).ext", "name (3).ext"… when already taken.
    pub fn claim(&mut self, raw: &str) -> String {
        let base = sanitize_segment(raw);
        if self.taken.insert(&base) {
            return base;
        }
        let (stem, ext) = split_extension(&base);
        // Every claim takes one name, so at most `taken.len()` candidates can be refused.
        (2..=self.taken.len() + 2)
            .map(|n| truncate_bytes(&format!("{stem} ({n}){ext}"), MAX_SEGMENT_BYTES))
            .find(|candidate| self.taken.insert(candidate))
            .unwrap_or(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_made_safe() {
        let cases = [
            ("Devoir: maths?.pdf", "Devoir_ maths_.pdf"),
            ("a/b\\c", "a_b_c"),
            ("CON", "_CON"),
            ("com1.txt", "_com1.txt"),
            ("COMMENT.txt", "COMMENT.txt"),
            ("fin. ", "fin"),
            ("...", "_"),
            ("", "_"),
            ("été.odt", "été.odt"),
            ("tab\there", "tab_here"),
        ];
        for (raw, expected) in cases {
            assert_eq!(sanitize_segment(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn reserved_device_names_are_made_plain_files() {
        for raw in ["COM¹", "lpt².txt", "CONIN$", "conout$.log", "COM0", "LPT9.md", "NUL .txt.md"]
        {
            assert_eq!(sanitize_segment(raw), format!("_{raw}"), "{raw}");
        }
        for plain in ["COM", "COM10", "LPT¹0", "CONINS", "CONSOLE", "COMMENT.txt"] {
            assert_eq!(sanitize_segment(plain), plain);
        }
    }

    #[test]
    fn invisible_characters_are_removed_and_names_are_nfc() {
        assert_eq!(sanitize_segment("photo\u{202E}fdp.exe"), "photofdp.exe");
        assert_eq!(sanitize_segment("\u{FEFF}a\u{200B}b\u{2066}c\u{2069}.txt"), "abc.txt");
        assert_eq!(sanitize_segment("\u{200F}\u{200E}"), "_");
        assert_eq!(sanitize_segment("e\u{301}te\u{301}.txt"), "\u{e9}t\u{e9}.txt");
    }

    #[test]
    fn canonical_and_case_folded_twins_get_distinct_names() {
        let mut names = UniqueNames::new();
        assert_eq!(names.claim("\u{e9}.txt"), "\u{e9}.txt");
        assert_eq!(names.claim("e\u{301}.txt"), "\u{e9} (2).txt");
        assert_eq!(names.claim("\u{c9}.txt"), "\u{c9} (3).txt");
        assert_eq!(names.claim("Σ.txt"), "Σ.txt");
        assert_eq!(names.claim("ς.txt"), "ς (2).txt");
        assert_eq!(names.claim("σ.txt"), "σ (3).txt");
        assert_eq!(names.claim("STRASSE"), "STRASSE");
        assert_eq!(names.claim("straße"), "straße (2)");
    }

    #[test]
    fn long_names_keep_their_extension_and_utf8() {
        let long = format!("{}.pdf", "é".repeat(200));
        let safe = sanitize_segment(&long);
        assert!(safe.len() <= MAX_SEGMENT_BYTES);
        assert_eq!(safe.rsplit('.').next(), Some("pdf"));
    }

    #[test]
    fn names_are_unique_per_folder_ignoring_case() {
        let mut names = UniqueNames::new();
        assert_eq!(names.claim("nom.pdf"), "nom.pdf");
        assert_eq!(names.claim("nom.pdf"), "nom (2).pdf");
        assert_eq!(names.claim("NOM.pdf"), "NOM (3).pdf");
        assert_eq!(names.claim("nom (2).pdf"), "nom (2) (2).pdf");
        assert_eq!(names.claim("dossier"), "dossier");
        assert_eq!(names.claim("dossier"), "dossier (2)");
        assert_eq!(names.claim(".env"), ".env");
        assert_eq!(names.claim(".env"), ".env (2)");
    }
}
