//! The archive's viewer: `index.html` at the root and pages under `visionneuse/`, static HTML
//! and one stylesheet that a person opens from the unzipped folder with any browser, offline,
//! with no script. The home page says whose archive it is, from where and when, and what each
//! app holds; every app's files are browsable by folder; each JSON document of an app has a
//! page of its own (`resource`), listed per app.
//!
//! Written as the archive streams: a document's page goes in right after its JSON, while the
//! files and the documents are recorded in a temporary file (`spill`); the listings and the
//! home page are written at the end, a page at a time. What stays in memory grows with the
//! number of folders and apps, not of files.
//!
//! Pitfalls: every name comes from a user or an app, so it is escaped (`html::text`) and linked
//! percent-encoded (`html::href`); a listing holds at most [`PAGE_ITEMS`] rows per page, so no
//! page reaches 1 MB whatever a folder holds. The pages are listed in the manifest with the kind
//! `viewer`, which an import skips.

mod html;
mod listing;
mod resource;
mod spill;
mod words;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mesdonnees_shared::apps::AppDescriptor;
use mesdonnees_shared::archive::{ManifestApp, VIEWER_FOLDER, VIEWER_INDEX};
use mesdonnees_shared::tables::TableRow;
use mesdonnees_shared::{Lang, Zone};
use serde::{Deserialize, Serialize};

use crate::apps::ViewSlot;
use spill::{Runs, Spill};
use words::Voice;

/// The stylesheet, the one other file every page loads.
const STYLE: &str = include_str!("style.css");
const STYLE_PATH: &str = "visionneuse/style.css";

/// A file of the archive, as a folder's page lists it.
#[derive(Serialize, Deserialize)]
struct FileRecord {
    /// Its name in the archive…
    name: String,
    /// …and its name in the app, when the archive had to change it (`<`, `:`, `?`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shown: Option<String>,
    /// Its content type, as its app recorded it; else guessed from its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    size: u64,
    modified: DateTime<Utc>,
}

/// A JSON document of an app, as the app's list shows it.
#[derive(Serialize, Deserialize)]
struct DocumentRecord {
    title: String,
    date: Option<String>,
    /// Its page, under `visionneuse/fiches/`.
    page: String,
}

struct Folder {
    id: u64,
    /// Subfolders by name, with their ids.
    children: BTreeMap<String, u64>,
    files: Runs,
}

struct AppPart {
    /// Its name for people, in the archive's language.
    name: String,
    folder: String,
    view: ViewSlot,
    documents: Runs,
}

/// What the home page says of the archive.
pub struct About<'a> {
    pub export_name: &'a str,
    pub owner: &'a str,
    pub instance: &'a str,
    pub created_at: DateTime<Utc>,
    pub apps: &'a BTreeMap<String, ManifestApp>,
}

pub struct Viewer {
    words: Voice,
    spill: Spill,
    /// By path in the archive; the root is "".
    folders: BTreeMap<String, Folder>,
    /// Apps in the order they were written, by id.
    apps: Vec<(String, AppPart)>,
    /// The listing being written at the end, the folders still to list, the apps listed.
    current: Option<Listing>,
    to_list: Option<std::vec::IntoIter<String>>,
    apps_listed: usize,
}

/// Pages of a listing, handed out one at a time.
enum Listing {
    Folder(listing::FolderPages),
    Documents(listing::DocumentPages),
}

/// A page to write into the archive.
pub struct Page {
    pub path: String,
    pub html: String,
}

impl Viewer {
    /// A viewer in `lang`, its lists spilled into a file under `scratch`.
    pub fn new(lang: Lang, zone: Zone, scratch: &std::path::Path) -> std::io::Result<Self> {
        let mut viewer = Self {
            words: Voice::new(lang, zone),
            spill: Spill::new(scratch)?,
            folders: BTreeMap::new(),
            apps: Vec::new(),
            current: None,
            to_list: None,
            apps_listed: 0,
        };
        viewer.folder("");
        Ok(viewer)
    }

    /// The app whose entries come next, in its folder.
    pub fn begin_app(&mut self, descriptor: &AppDescriptor, folder: &str, view: ViewSlot) {
        let name = descriptor
            .display_names
            .get(self.words.lang.tag())
            .unwrap_or(&descriptor.display_name)
            .clone();
        self.folder(folder);
        let part = AppPart { name, folder: folder.to_owned(), view, documents: Runs::default() };
        self.apps.push((descriptor.id.clone(), part));
    }

    /// A folder entry of the archive (its path may end with `/`).
    pub fn directory(&mut self, path: &str) {
        self.folder(path.trim_end_matches('/'));
    }

    /// A file written into the archive, with what its app said of it when it said anything.
    pub fn file(
        &mut self,
        path: &str,
        size: u64,
        modified: DateTime<Utc>,
        row: Option<&TableRow>,
    ) -> std::io::Result<()> {
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.folder(parent);
        let shown = row.map(|r| r.name.as_str()).filter(|n| !n.is_empty() && *n != name);
        let kind = row.map(|r| r.kind.as_str()).filter(|k| k.contains('/'));
        let record = FileRecord {
            name: name.to_owned(),
            shown: shown.map(str::to_owned),
            kind: kind.map(str::to_owned),
            size,
            modified,
        };
        let folder =
            self.folders.get_mut(parent).ok_or_else(|| std::io::Error::other("no folder"))?;
        self.spill.push(&mut folder.files, &record)
    }

    /// A JSON document of the current app, written at `path`: its page, to write next. A
    /// document that is not JSON gets none (it stays a file of its folder).
    pub fn document(&mut self, path: &str, json: &[u8]) -> std::io::Result<Option<Page>> {
        let Some((app_index, (_, app))) = self.apps.iter_mut().enumerate().next_back() else {
            return Ok(None);
        };
        let Ok(data) = serde_json::from_slice::<serde_json::Value>(json) else { return Ok(None) };
        let inside =
            path.strip_prefix(&app.folder).and_then(|p| p.strip_prefix('/')).unwrap_or(path);
        let number = app.documents.count + 1;
        let page_name = format!("{}-{number}.html", app_index + 1);
        let list = format!("../applis/{}.html", app_index + 1);
        let doc = resource::Document {
            app_name: &app.name,
            app_list: &list,
            folder: &app.folder,
            path: inside,
            data: &data,
            view: app.view.get(),
        };
        let (summary, html) = resource::page(&self.words, 2, &doc);
        let record =
            DocumentRecord { title: summary.title, date: summary.date, page: page_name.clone() };
        self.spill.push(&mut app.documents, &record)?;
        Ok(Some(Page { path: format!("{VIEWER_FOLDER}/fiches/{page_name}"), html }))
    }

    /// The folder at `path`, made with its parents when new.
    fn folder(&mut self, path: &str) -> u64 {
        if let Some(folder) = self.folders.get(path) {
            return folder.id;
        }
        let id = self.folders.len() as u64;
        self.folders.insert(
            path.to_owned(),
            Folder { id, children: BTreeMap::new(), files: Runs::default() },
        );
        if !path.is_empty() {
            let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
            self.folder(parent);
            if let Some(parent) = self.folders.get_mut(parent) {
                parent.children.insert(name.to_owned(), id);
            }
        }
        id
    }

    /// The stylesheet, written once.
    pub fn style() -> Page {
        Page { path: STYLE_PATH.to_owned(), html: STYLE.to_owned() }
    }

    /// The next page of the listings (each folder's, then each app's documents), once every
    /// entry is in; `None` when they are all out. One page is in memory at a time.
    pub fn next_listing(&mut self) -> std::io::Result<Option<Page>> {
        loop {
            if let Some(current) = &mut self.current {
                let page = match current {
                    Listing::Folder(pages) => pages.next_page()?,
                    Listing::Documents(pages) => pages.next_page()?,
                };
                if page.is_some() {
                    return Ok(page);
                }
            }
            let folders = &self.folders;
            let paths = self
                .to_list
                .get_or_insert_with(|| folders.keys().cloned().collect::<Vec<_>>().into_iter());
            self.current = if let Some(path) = paths.next() {
                let pages = listing::FolderPages::new(self.words, folders, path, &mut self.spill)?;
                Some(Listing::Folder(pages))
            } else if let Some((_, app)) = self.apps.get(self.apps_listed) {
                self.apps_listed += 1;
                if app.documents.count == 0 {
                    continue;
                }
                Some(Listing::Documents(listing::DocumentPages::new(
                    self.words,
                    self.apps_listed,
                    app.name.clone(),
                    &app.documents,
                    &mut self.spill,
                )?))
            } else {
                return Ok(None);
            };
        }
    }

    /// `index.html`, written last: it links to every other page.
    pub fn home(&self, about: &About<'_>) -> Page {
        let html = listing::home(&self.words, about, &self.home_apps());
        Page { path: VIEWER_INDEX.to_owned(), html }
    }

    /// Per app id: its name, its folder's page, its documents' list when it has documents.
    fn home_apps(&self) -> BTreeMap<String, listing::HomeApp> {
        self.apps
            .iter()
            .enumerate()
            .map(|(index, (id, app))| {
                let folder = self.folders.get(&app.folder).map(|f| f.id);
                let home = listing::HomeApp {
                    name: app.name.clone(),
                    folder_page: folder.map(|id| listing::folder_page(id, 1)),
                    documents_page: (app.documents.count > 0)
                        .then(|| format!("applis/{}.html", index + 1)),
                };
                (id.clone(), home)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
