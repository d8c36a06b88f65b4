//! Names of entries inside an archive: safe on Windows and macOS, and unique per folder.

use std::collections::HashSet;

/// Longest segment in bytes; most file systems stop at 255.
const MAX_SEGMENT_BYTES: usize = 200;

/// Makes one path segment safe to extract anywhere: no separators, no characters Windows
/// refuses, no reserved device names, no trailing dot or space, not empty, bounded length.
pub fn sanitize_segment(raw: &str) -> String {
    let mut out: String = raw
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
    let stem = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
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

/// Hands out unique names within one folder of the archive. Comparison ignores case, since
/// Windows and macOS folders do: "Notes.txt" and "notes.txt" would overwrite each other.
#[derive(Debug, Default)]
pub struct UniqueNames {
    taken: HashSet<String>,
}

impl UniqueNames {
    pub fn new() -> Self {
        Self::default()
    }

    /// The sanitized name, or "name (2).ext", "name (3).ext"… when already taken.
    pub fn claim(&mut self, raw: &str) -> String {
        let base = sanitize_segment(raw);
        if self.taken.insert(base.to_lowercase()) {
            return base;
        }
        let (stem, ext) = split_extension(&base);
        // Every claim takes one name, so at most `taken.len()` candidates can be refused.
        (2..=self.taken.len() + 2)
            .map(|n| truncate_bytes(&format!("{stem} ({n}){ext}"), MAX_SEGMENT_BYTES))
            .find(|candidate| self.taken.insert(candidate.to_lowercase()))
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
