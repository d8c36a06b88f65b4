//! What the workspace app puts in an export: the user's own tree and what others shared with
//! them, as archive paths relative to the app's folder, made safe and unique per folder.
//!
//! The tree is walked folder by folder, a page of rows at a time, so what is held does not grow
//! with the number of documents: the open folders (at most `MAX_DEPTH`), the names already
//! given in each, and one page.
//!
//! Chosen folders (`filters.folders`) are reached from the root through their ancestors, whose
//! pages list folders only: every folder claims its name before any file of its folder does
//! (folders come first), so a chosen folder's path is the one a whole export gives it. Only
//! the user's own tree is walked then, since shared documents lie in their owners' trees.
//!
//! Names sort as the database compares them (keyset pagination on `(parent_id, kind, name,
//! id)`): bytes on SQLite, the database's collation on Postgres, so two backends may order an
//! archive's entries differently. The shared roots are sorted by the service, in byte order.

use std::collections::{HashMap, HashSet, VecDeque};

use diesel::prelude::*;
use mesdonnees_shared::archive::{OWN_DOCUMENTS, SHARED_DOCUMENTS};
use mesdonnees_shared::entry_name::UniqueNames;
use mesdonnees_shared::filters::ExportFilters;

use crate::schema::{document_shares, documents};
use crate::{DbConnection, DbError, Document};

/// Deepest folder nesting walked; deeper content (or a corrupted parent cycle) is left out.
const MAX_DEPTH: usize = 64;
/// Rows fetched per query.
const PAGE: i64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Own,
    Shared,
}

#[derive(Debug, Clone)]
pub struct WorkspaceItem {
    /// Path inside the app folder, `/`-separated; folders end without a slash.
    pub path: String,
    pub section: Section,
    pub document: Document,
}

impl WorkspaceItem {
    pub fn size(&self) -> u64 {
        u64::try_from(self.document.size).unwrap_or(0)
    }
}

/// Which rows a folder of the walk lists.
#[derive(Debug)]
enum Source {
    /// The user's top-level documents.
    OwnRoots { owner: String },
    /// A folder's children; in the user's own tree, only the rows they own.
    Children { folder: String, owner: Option<String> },
    /// The shared roots, already loaded and in archive order.
    Loaded,
}

/// Where the last page ended: the archive order is (folders first, name, id).
#[derive(Debug)]
struct Cursor {
    kind: String,
    name: String,
    id: String,
}

#[derive(Debug)]
struct Frame {
    prefix: String,
    section: Section,
    source: Source,
    after: Option<Cursor>,
    page: VecDeque<Document>,
    exhausted: bool,
    names: UniqueNames,
    /// Inside a chosen folder (or no folder chosen): its files are kept. Outside, only the
    /// way to a chosen folder is walked.
    inside: bool,
}

impl Frame {
    fn new(prefix: String, section: Section, source: Source, inside: bool) -> Self {
        Self {
            prefix,
            section,
            source,
            inside,
            after: None,
            page: VecDeque::new(),
            exhausted: false,
            names: UniqueNames::new(),
        }
    }

    fn folder_id(&self) -> Option<&str> {
        match &self.source {
            Source::Children { folder, .. } => Some(folder),
            _ => None,
        }
    }
}

/// The chosen folders of the user's own tree, and the folders on the way to them.
#[derive(Debug, Default)]
struct Selection {
    chosen: HashSet<String>,
    ancestors: HashSet<String>,
}

/// A walk of one user's workspace in archive order (own tree, then what is shared with them;
/// in each folder, folders first, then by name, then by id), handed out a batch at a time.
/// Folders are listed only when no filter judges the files by format or date, so such an
/// export holds no empty folders; with chosen folders, only those and what they hold.
#[derive(Debug)]
pub struct WorkspaceWalk {
    user: String,
    filters: ExportFilters,
    selection: Option<Selection>,
    stack: Vec<Frame>,
    sections: VecDeque<Section>,
}

impl WorkspaceWalk {
    pub fn new(user: &str, filters: ExportFilters) -> Self {
        let sections = if filters.folders.is_empty() {
            VecDeque::from([Section::Own, Section::Shared])
        } else {
            VecDeque::from([Section::Own])
        };
        Self { user: user.to_owned(), filters, selection: None, stack: Vec::new(), sections }
    }

    /// Up to `max` more items; an empty batch means the walk is over.
    pub fn next_batch(
        &mut self,
        conn: &mut DbConnection,
        max: usize,
    ) -> Result<Vec<WorkspaceItem>, DbError> {
        let mut out = Vec::new();
        while out.len() < max {
            let Some(frame) = self.stack.last_mut() else {
                match self.sections.pop_front() {
                    Some(section) => self.open_section(conn, section)?,
                    None => break,
                }
                continue;
            };
            if frame.page.is_empty() {
                if frame.exhausted {
                    self.stack.pop();
                } else {
                    fetch_page(conn, frame)?;
                }
                continue;
            }
            let Some(doc) = frame.page.pop_front() else { continue };
            let path = format!("{}/{}", frame.prefix, frame.names.claim(&doc.name));
            let (section, parent_inside) = (frame.section, frame.inside);
            if doc.is_folder() {
                // A corrupted tree may point back at an open folder; deeper ones are left out.
                let cycle = self.stack.iter().any(|f| f.folder_id() == Some(doc.id.as_str()));
                if cycle || self.stack.len() >= MAX_DEPTH {
                    continue;
                }
                let chosen = self.selection.as_ref().is_some_and(|s| s.chosen.contains(&doc.id));
                let inside = parent_inside || chosen;
                let on_the_way =
                    self.selection.as_ref().is_some_and(|s| s.ancestors.contains(&doc.id));
                if !inside && !on_the_way {
                    continue;
                }
                let owner = (section == Section::Own).then(|| self.user.clone());
                let source = Source::Children { folder: doc.id.clone(), owner };
                self.stack.push(Frame::new(path.clone(), section, source, inside));
                if inside && !self.filters.judges_files() {
                    out.push(WorkspaceItem { path, section, document: doc });
                }
            } else if parent_inside
                && self.filters.keeps(
                    &doc.name,
                    doc.content_type.as_deref().unwrap_or(""),
                    doc.updated_at.and_utc(),
                )
            {
                out.push(WorkspaceItem { path, section, document: doc });
            }
        }
        Ok(out)
    }

    fn open_section(&mut self, conn: &mut DbConnection, section: Section) -> Result<(), DbError> {
        match section {
            Section::Own => {
                let every_folder = self.filters.folders.is_empty();
                if !every_folder {
                    self.selection = Some(selection(conn, &self.user, &self.filters)?);
                }
                let source = Source::OwnRoots { owner: self.user.clone() };
                let frame = Frame::new(OWN_DOCUMENTS.to_owned(), section, source, every_folder);
                self.stack.push(frame);
            }
            Section::Shared => {
                let roots = shared_roots(conn, &self.user)?;
                let mut frame =
                    Frame::new(SHARED_DOCUMENTS.to_owned(), section, Source::Loaded, true);
                frame.page = roots.into();
                frame.exhausted = true;
                self.stack.push(frame);
            }
        }
        Ok(())
    }
}

fn fetch_page(conn: &mut DbConnection, frame: &mut Frame) -> Result<(), DbError> {
    let mut query = documents::table.select(Document::as_select()).into_boxed();
    query = match &frame.source {
        Source::Loaded => {
            frame.exhausted = true;
            return Ok(());
        }
        Source::OwnRoots { owner } => query
            .filter(documents::parent_id.is_null())
            .filter(documents::owner_id.eq(owner.clone())),
        Source::Children { folder, owner } => {
            let query = query.filter(documents::parent_id.eq(folder.clone()));
            match owner {
                Some(owner) => query.filter(documents::owner_id.eq(owner.clone())),
                None => query,
            }
        }
    };
    // Outside the chosen folders only the way to them is walked: folders, never files.
    if !frame.inside {
        query = query.filter(documents::kind.eq("folder"));
    }
    if let Some(c) = &frame.after {
        query = query.filter(
            documents::kind.lt(c.kind.clone()).or(documents::kind.eq(c.kind.clone()).and(
                documents::name
                    .gt(c.name.clone())
                    .or(documents::name.eq(c.name.clone()).and(documents::id.gt(c.id.clone()))),
            )),
        );
    }
    let rows: Vec<Document> = query
        .order((documents::kind.desc(), documents::name.asc(), documents::id.asc()))
        .limit(PAGE)
        .load(conn)?;
    frame.exhausted = rows.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
    if let Some(last) = rows.last() {
        frame.after =
            Some(Cursor { kind: last.kind.clone(), name: last.name.clone(), id: last.id.clone() });
    }
    frame.page = rows.into();
    Ok(())
}

/// The chosen folders the user owns, and every folder above them, climbed one level per query.
fn selection(
    conn: &mut DbConnection,
    user: &str,
    filters: &ExportFilters,
) -> Result<Selection, DbError> {
    let asked: Vec<String> = filters.folders.iter().map(ToString::to_string).collect();
    let chosen: HashSet<String> = documents::table
        .filter(documents::id.eq_any(&asked))
        .filter(documents::owner_id.eq(user))
        .filter(documents::kind.eq("folder"))
        .select(documents::id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut ancestors = HashSet::new();
    let mut level: Vec<String> = chosen.iter().cloned().collect();
    for _ in 0..MAX_DEPTH {
        if level.is_empty() {
            break;
        }
        let parents: Vec<Option<String>> = documents::table
            .filter(documents::id.eq_any(&level))
            .filter(documents::owner_id.eq(user))
            .select(documents::parent_id)
            .load(conn)?;
        level = parents.into_iter().flatten().filter(|p| ancestors.insert(p.clone())).collect();
    }
    Ok(Selection { chosen, ancestors })
}

/// Documents shared with the user by others, except those inside a folder also shared with
/// them (listed once, in that folder), in archive order.
fn shared_roots(conn: &mut DbConnection, user: &str) -> Result<Vec<Document>, DbError> {
    let mut roots: Vec<Document> = documents::table
        .inner_join(document_shares::table)
        .filter(document_shares::user_id.eq(user))
        .filter(documents::owner_id.ne(user))
        .select(Document::as_select())
        .load(conn)?;
    let shared: HashSet<String> = roots.iter().map(|d| d.id.clone()).collect();
    // Each root climbs its ancestors one level per query, all roots at once.
    let mut climbing: HashMap<String, String> = roots
        .iter()
        .filter_map(|d| d.parent_id.clone().map(|parent| (d.id.clone(), parent)))
        .collect();
    let mut inside = HashSet::new();
    for _ in 0..MAX_DEPTH {
        climbing.retain(|root, ancestor| {
            if shared.contains(ancestor) {
                inside.insert(root.clone());
                false
            } else {
                true
            }
        });
        if climbing.is_empty() {
            break;
        }
        let ancestors: Vec<String> =
            climbing.values().cloned().collect::<HashSet<_>>().into_iter().collect();
        let mut parents = HashMap::new();
        for chunk in ancestors.chunks(500) {
            let rows: Vec<(String, Option<String>)> = documents::table
                .filter(documents::id.eq_any(chunk))
                .select((documents::id, documents::parent_id))
                .load(conn)?;
            parents.extend(rows.into_iter().filter_map(|(id, parent)| Some((id, parent?))));
        }
        climbing.retain(|_, ancestor| match parents.get(ancestor) {
            Some(parent) => {
                ancestor.clone_from(parent);
                true
            }
            None => false,
        });
    }
    roots.retain(|d| !inside.contains(&d.id));
    roots.sort_by(|a, b| {
        b.is_folder()
            .cmp(&a.is_folder())
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(roots)
}

/// Every item of a walk, for callers that need the whole list (small workspaces, tests).
pub fn collect(
    conn: &mut DbConnection,
    user: &str,
    filters: &ExportFilters,
) -> Result<Vec<WorkspaceItem>, DbError> {
    let mut walk = WorkspaceWalk::new(user, filters.clone());
    let mut all = Vec::new();
    loop {
        let batch = walk.next_batch(conn, 1000)?;
        if batch.is_empty() {
            return Ok(all);
        }
        all.extend(batch);
    }
}

/// Files and bytes a walk would hand out, without holding them: an aggregate over the user's
/// own files when no filter applies, the walk itself otherwise (a filter is decided per file).
pub fn totals(
    conn: &mut DbConnection,
    user: &str,
    filters: &ExportFilters,
) -> Result<(u64, u64), DbError> {
    let mut walk = WorkspaceWalk::new(user, filters.clone());
    let (mut files, mut bytes) = (0_u64, 0_u64);
    if filters.is_empty() {
        let (count, sum): (i64, i64) = documents::table
            .filter(documents::owner_id.eq(user))
            .filter(documents::kind.eq("file"))
            .select((
                diesel::dsl::count_star(),
                crate::static_sql::Aggregate::<diesel::sql_types::BigInt>::new(
                    "CAST(COALESCE(SUM(size), 0) AS BIGINT)",
                ),
            ))
            .first(conn)?;
        files = u64::try_from(count).unwrap_or(0);
        bytes = u64::try_from(sum).unwrap_or(0);
        walk.sections.retain(|s| *s == Section::Shared);
    }
    loop {
        let batch = walk.next_batch(conn, 1000)?;
        if batch.is_empty() {
            return Ok((files, bytes));
        }
        for item in batch.iter().filter(|i| !i.document.is_folder()) {
            files += 1;
            bytes += item.size();
        }
    }
}
