//! The pages written at the end: each folder's contents and each app's documents, cut in pages
//! of [`PAGE_ITEMS`] rows read back from the spill file, and the home page.

use std::collections::BTreeMap;
use std::fmt::Write;

use mesdonnees_shared::Lang;
use mesdonnees_shared::archive::{AppOutcome, VIEWER_FOLDER};
use mesdonnees_shared::error_code::FailureCode;

use super::html::{self, Frame, pager, text};
use super::spill::{Records, Runs, Spill};
use super::words::Voice;
use super::{About, DocumentRecord, FileRecord, Folder, Page};

/// Rows of a listing page: with the longest names (255 bytes, linked percent-encoded), about
/// 1.5 KB a row, so a page stays well under 1 MB.
pub const PAGE_ITEMS: usize = 500;

/// A folder's page `page` (from 1), relative to `visionneuse/`.
pub fn folder_page(id: u64, page: usize) -> String {
    if page == 1 { format!("dossiers/{id}.html") } else { format!("dossiers/{id}-{page}.html") }
}

fn pages_for(items: u64) -> usize {
    usize::try_from(items.div_ceil(PAGE_ITEMS as u64)).unwrap_or(usize::MAX).max(1)
}

/// The pages of one folder: its subfolders, then its files.
pub struct FolderPages {
    words: Voice,
    path: String,
    id: u64,
    trail: Vec<(String, Option<String>)>,
    children: Vec<(String, u64)>,
    next_child: usize,
    files: Records<FileRecord>,
    page: usize,
    pages: usize,
}

impl FolderPages {
    pub fn new(
        words: Voice,
        folders: &BTreeMap<String, Folder>,
        path: String,
        spill: &mut Spill,
    ) -> std::io::Result<Self> {
        let folder = folders.get(&path).ok_or_else(|| std::io::Error::other("no such folder"))?;
        let mut trail = vec![
            (text(words.archive), Some(html::href(2, "index.html"))),
            (text(words.files_title), Some(format!("{}.html", folders[""].id))),
        ];
        let mut at = String::new();
        if !path.is_empty() {
            for segment in path.split('/') {
                if !at.is_empty() {
                    at.push('/');
                }
                at.push_str(segment);
                let id = folders.get(&at).map_or(0, |f| f.id);
                trail.push((text(segment), Some(format!("{id}.html"))));
            }
        }
        let items = folder.children.len() as u64 + folder.files.count;
        Ok(Self {
            words,
            path,
            id: folder.id,
            trail,
            children: folder.children.iter().map(|(name, id)| (name.clone(), *id)).collect(),
            next_child: 0,
            files: spill.read(&folder.files)?,
            page: 0,
            pages: pages_for(items),
        })
    }

    pub fn next_page(&mut self) -> std::io::Result<Option<Page>> {
        if self.page >= self.pages {
            return Ok(None);
        }
        self.page += 1;
        let w = self.words;
        let name = self.path.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or(w.files_title);
        let title = if self.pages > 1 {
            format!("{} ({})", text(name), w.page_of(self.page, self.pages).to_lowercase())
        } else {
            text(name)
        };
        let mut trail = self.trail.clone();
        if let Some(last) = trail.last_mut() {
            last.1 = None;
        }
        let frame = Frame { words: &w, depth: 2, title: &title, trail: &trail };
        let mut out = String::new();
        frame.open(&mut out);
        // Before the rows, so that the next page is a few keys away, not 500 links.
        let id = self.id;
        pager(&mut out, &w, self.page, self.pages, |p| {
            folder_page(id, p).trim_start_matches("dossiers/").to_owned()
        });
        let mut rows = String::new();
        let mut count = 0;
        while count < PAGE_ITEMS && self.next_child < self.children.len() {
            let (child, id) = &self.children[self.next_child];
            self.next_child += 1;
            count += 1;
            let _ = writeln!(
                rows,
                "<tr><th scope=\"row\"><a href=\"{id}.html\">{}</a></th><td>{}</td><td>—</td><td>—</td></tr>",
                text(child),
                w.folder
            );
        }
        while count < PAGE_ITEMS {
            let Some(file) = self.files.next().transpose()? else { break };
            count += 1;
            let path = if self.path.is_empty() {
                file.name.clone()
            } else {
                format!("{}/{}", self.path, file.name)
            };
            let kind = file
                .kind
                .as_deref()
                .or_else(|| mime_guess::from_path(&file.name).first_raw())
                .unwrap_or("—");
            let _ = writeln!(
                rows,
                "<tr><th scope=\"row\"><a href=\"{}\">{}</a></th><td>{}</td><td>{}</td><td>{}</td></tr>",
                html::href(2, &path),
                text(file.shown.as_deref().unwrap_or(&file.name)),
                text(kind),
                w.lang.size(file.size),
                w.date_time(file.modified)
            );
        }
        if count == 0 {
            let _ = writeln!(out, "<p>{}</p>", w.empty);
        } else {
            let _ = write!(
                out,
                "<table>\n<caption>{} {}</caption>\n<thead><tr><th scope=\"col\">{}</th>\
                 <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr>\
                 </thead>\n<tbody>\n{rows}</tbody>\n</table>\n",
                w.folders_caption,
                w.quoted(&text(name)),
                w.name,
                w.kind,
                w.size,
                w.date
            );
        }
        frame.close(&mut out);
        Ok(Some(Page {
            path: format!("{VIEWER_FOLDER}/{}", folder_page(self.id, self.page)),
            html: out,
        }))
    }
}

/// The pages listing one app's documents.
pub struct DocumentPages {
    words: Voice,
    /// The app's number in the archive (its pages' names).
    number: usize,
    name: String,
    documents: Records<DocumentRecord>,
    page: usize,
    pages: usize,
}

impl DocumentPages {
    pub fn new(
        words: Voice,
        number: usize,
        name: String,
        documents: &Runs,
        spill: &mut Spill,
    ) -> std::io::Result<Self> {
        Ok(Self {
            words,
            number,
            name,
            documents: spill.read(documents)?,
            page: 0,
            pages: pages_for(documents.count),
        })
    }

    fn file(&self, page: usize) -> String {
        if page == 1 {
            format!("{}.html", self.number)
        } else {
            format!("{}-{page}.html", self.number)
        }
    }

    pub fn next_page(&mut self) -> std::io::Result<Option<Page>> {
        if self.page >= self.pages {
            return Ok(None);
        }
        self.page += 1;
        let w = self.words;
        let mut title = format!("{} — {}", w.resources, text(&self.name));
        if self.pages > 1 {
            let _ = write!(title, " ({})", w.page_of(self.page, self.pages).to_lowercase());
        }
        let trail = [(text(w.archive), Some(html::href(2, "index.html"))), (title.clone(), None)];
        let frame = Frame { words: &w, depth: 2, title: &title, trail: &trail };
        let mut out = String::new();
        frame.open(&mut out);
        let pages: Vec<String> = (1..=self.pages).map(|p| self.file(p)).collect();
        pager(&mut out, &w, self.page, self.pages, |p| pages[p - 1].clone());
        let _ = write!(
            out,
            "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
            title, w.title, w.date
        );
        for _ in 0..PAGE_ITEMS {
            let Some(doc) = self.documents.next().transpose()? else { break };
            let title =
                if doc.title.trim().is_empty() { w.untitled.to_owned() } else { text(&doc.title) };
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\"><a href=\"../fiches/{}\">{title}</a></th><td>{}</td></tr>",
                doc.page,
                doc.date.as_deref().map_or_else(|| "—".to_owned(), text)
            );
        }
        out.push_str("</tbody>\n</table>\n");
        frame.close(&mut out);
        Ok(Some(Page {
            path: format!("{VIEWER_FOLDER}/applis/{}", self.file(self.page)),
            html: out,
        }))
    }
}

/// What the home page links to for an app.
pub struct HomeApp {
    pub name: String,
    pub folder_page: Option<String>,
    pub documents_page: Option<String>,
}

/// `index.html`.
pub fn home(w: &Voice, about: &About<'_>, apps: &BTreeMap<String, HomeApp>) -> String {
    let title = text(about.export_name);
    let frame = Frame { words: w, depth: 0, title: &title, trail: &[] };
    let mut out = String::new();
    frame.open(&mut out);
    let _ = write!(
        out,
        "<p>{}</p>\n<dl class=\"apropos\">\n<dt>{}</dt><dd>{}</dd>\n<dt>{}</dt><dd>{}</dd>\n\
         <dt>{}</dt><dd>{}</dd>\n</dl>\n",
        w.home_intro,
        w.owner,
        text(about.owner),
        w.instance,
        text(about.instance),
        w.created,
        w.date_time(about.created_at)
    );
    let _ = write!(
        out,
        "<section aria-labelledby=\"contenu-apps\">\n<h2 id=\"contenu-apps\">{}</h2>\n<table>\n\
         <thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        w.contents, w.app, w.files, w.size, w.state
    );
    let mut links = String::new();
    for (id, app) in about.apps {
        let home = apps.get(id);
        let name = home.map_or_else(|| app.folder.clone(), |h| h.name.clone());
        let state = match &app.outcome {
            AppOutcome::Ok => w.ok.to_owned(),
            AppOutcome::Failed { code, .. } => {
                let colon = if w.lang == Lang::Fr { "\u{a0}:" } else { ":" };
                let why = FailureCode::parse(code).message(w.lang);
                format!("{}{colon} {}", w.incomplete, text(why))
            }
        };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{state}</td></tr>",
            text(&name),
            app.entries,
            w.lang.size(app.bytes)
        );
        let Some(home) = home else { continue };
        if let Some(page) = &home.folder_page {
            let _ = writeln!(
                links,
                "<li><a href=\"{VIEWER_FOLDER}/{page}\">{} {}</a></li>",
                w.browse,
                text(&name)
            );
        }
        if let Some(page) = &home.documents_page {
            let _ = writeln!(
                links,
                "<li><a href=\"{VIEWER_FOLDER}/{page}\">{} {}</a></li>",
                w.read,
                text(&name)
            );
        }
    }
    out.push_str("</tbody>\n</table>\n");
    if !links.is_empty() {
        let _ = write!(out, "<ul class=\"liens\">\n{links}</ul>\n");
    }
    out.push_str("</section>\n");
    let _ = writeln!(
        out,
        "<section aria-labelledby=\"verifier\">\n<h2 id=\"verifier\">{}</h2>",
        w.verify
    );
    for paragraph in w.verify_text {
        let _ = writeln!(out, "<p>{}</p>", text(paragraph));
    }
    out.push_str("</section>\n");
    let _ = write!(
        out,
        "<section aria-labelledby=\"autres\">\n<h2 id=\"autres\">{}</h2>\n<ul>\n\
         <li><a href=\"{VIEWER_FOLDER}/{}\">{}</a></li>\n<li><a href=\"LISEZMOI.txt\">{}</a></li>\n\
         <li><a href=\"manifest.json\">{}</a></li>\n</ul>\n</section>\n",
        w.other_files,
        folder_page(0, 1),
        w.all_files,
        w.readme,
        w.manifest
    );
    frame.close(&mut out);
    out
}
