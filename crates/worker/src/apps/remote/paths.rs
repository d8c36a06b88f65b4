//! An app's own paths turned into archive paths: every segment made safe, every file's name
//! unique in its folder, and a folder never given a file's name.

use std::collections::HashMap;

use mesdonnees_shared::connector::check_entry_path;
use mesdonnees_shared::entry_name::UniqueNames;

#[derive(Default)]
pub struct PathMapper {
    /// The archive path given to each folder an app named, by its own path.
    folders: HashMap<String, String>,
    /// Names taken in each archive folder ("" is the app's folder).
    names: HashMap<String, UniqueNames>,
}

impl PathMapper {
    /// The archive path of a file the app named `raw`, relative to the app's folder.
    pub fn file(&mut self, raw: &str) -> Result<String, &'static str> {
        check_entry_path(raw)?;
        let (parent, name) = raw.rsplit_once('/').unwrap_or(("", raw));
        let folder = self.folder(parent);
        let name = self.names.entry(folder.clone()).or_default().claim(name);
        Ok(if folder.is_empty() { name } else { format!("{folder}/{name}") })
    }

    fn folder(&mut self, raw: &str) -> String {
        if raw.is_empty() {
            return String::new();
        }
        if let Some(known) = self.folders.get(raw) {
            return known.clone();
        }
        let (parent, name) = raw.rsplit_once('/').unwrap_or(("", raw));
        let parent = self.folder(parent);
        let name = self.names.entry(parent.clone()).or_default().claim(name);
        let path = if parent.is_empty() { name } else { format!("{parent}/{name}") };
        self.folders.insert(raw.to_owned(), path.clone());
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_safe_and_unique() {
        let mut paths = PathMapper::default();
        assert_eq!(paths.file("entrees/devoir.json").unwrap(), "entrees/devoir.json");
        assert_eq!(paths.file("entrees/devoir.json").unwrap(), "entrees/devoir (2).json");
        assert_eq!(paths.file("entrees/Devoir.JSON").unwrap(), "entrees/Devoir (3).JSON");
        assert_eq!(paths.file("pièces/a: b?.pdf").unwrap(), "pièces/a_ b_.pdf");
        assert_eq!(paths.file("top.json").unwrap(), "top.json");
        // A file named like a folder, then a folder named like that file.
        assert_eq!(paths.file("entrees").unwrap(), "entrees (2)");
        assert_eq!(paths.file("top.json/x").unwrap(), "top (2).json/x");
        assert!(paths.file("../etc/passwd").is_err());
        assert!(paths.file("/abs").is_err());
    }
}
