//! Where entries and attachments go in the app's folder of an archive.

use chrono::NaiveDate;

pub const ENTRY_FOLDER: &str = "entrees";
pub const ATTACHMENT_FOLDER: &str = "pieces-jointes";
/// Longest title slug in a file name.
const SLUG_MAX: usize = 60;

/// The first 8 characters of an id: how an entry's attachments find their folder.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// `entrees/<due date>-<title slug>-<short id>.json`
pub fn entry_path(id: &str, due_date: NaiveDate, title: &str) -> String {
    format!("{ENTRY_FOLDER}/{}-{}-{}.json", due_date.format("%Y-%m-%d"), slug(title), short_id(id))
}

/// `pieces-jointes/<short id of the entry>/<name>`, `name` already made safe and unique.
pub fn attachment_path(entry_id: &str, name: &str) -> String {
    format!("{ATTACHMENT_FOLDER}/{}/{name}", short_id(entry_id))
}

/// The short entry id an attachment path names, if the path has the shape of one.
pub fn attachment_folder(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(ATTACHMENT_FOLDER)?.strip_prefix('/')?;
    let (folder, name) = rest.split_once('/')?;
    (!folder.is_empty() && !name.is_empty()).then_some(folder)
}

/// The last segment of a path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Lower-case ASCII words joined by `-`, French accents folded: readable in any file system.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.chars().flat_map(fold) {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
            if out.len() >= SLUG_MAX {
                break;
            }
        } else {
            dash = true;
        }
    }
    if out.is_empty() { "devoir".to_owned() } else { out }
}

fn fold(c: char) -> Vec<char> {
    let folded: &str = match c {
        'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' | 'Á' => "a",
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => "e",
        'î' | 'ï' | 'í' | 'Î' | 'Ï' | 'Í' => "i",
        'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' | 'Ó' => "o",
        'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' | 'Ú' => "u",
        'ç' | 'Ç' => "c",
        'ÿ' | 'Ÿ' => "y",
        'ñ' | 'Ñ' => "n",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        _ => return vec![c],
    };
    folded.chars().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_words() {
        assert_eq!(slug("Exercices de géométrie — p. 42"), "exercices-de-geometrie-p-42");
        assert_eq!(slug("  Cœur & ÂME!! "), "coeur-ame");
        assert_eq!(slug("***"), "devoir");
        assert!(slug(&"a".repeat(500)).len() <= SLUG_MAX);
    }

    #[test]
    fn paths_have_their_documented_shape() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let id = "0123abcd-0000-4000-8000-000000000000";
        assert_eq!(entry_path(id, date, "Lecture"), "entrees/2026-03-09-lecture-0123abcd.json");
        let path = attachment_path(id, "fiche.pdf");
        assert_eq!(path, "pieces-jointes/0123abcd/fiche.pdf");
        assert_eq!(attachment_folder(&path), Some("0123abcd"));
        assert_eq!(attachment_folder("pieces-jointes/x"), None);
        assert_eq!(attachment_folder("entrees/x/y"), None);
        assert_eq!(file_name(&path), "fiche.pdf");
    }
}
