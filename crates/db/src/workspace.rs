//! What the workspace app puts in an export: the user's own tree and what others shared with
//! them, as archive paths relative to the app's folder, made safe and unique per folder.

use std::collections::HashMap;

use diesel::prelude::*;
use mesdonnees_shared::archive::{OWN_DOCUMENTS, SHARED_DOCUMENTS};
use mesdonnees_shared::entry_name::UniqueNames;
use mesdonnees_shared::filters::ExportFilters;

use crate::schema::{document_shares, documents};
use crate::{DbConnection, DbError, Document};

/// Deepest folder nesting walked; deeper content (or a corrupted parent cycle) is left out.
const MAX_DEPTH: usize = 64;

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

/// The workspace part of an export, in a stable order (folders first, then by name, then id).
/// Folders are listed only when no filter is set, so a filtered export holds no empty folders.
/// Rows are moved, never copied, from the query results into the items.
pub fn collect(
    conn: &mut DbConnection,
    user: &str,
    filters: &ExportFilters,
) -> Result<Vec<WorkspaceItem>, DbError> {
    let own: Vec<Document> = documents::table
        .filter(documents::owner_id.eq(user))
        .select(Document::as_select())
        .load(conn)?;
    let shared_roots: Vec<Document> = documents::table
        .inner_join(document_shares::table)
        .filter(document_shares::user_id.eq(user))
        .filter(documents::owner_id.ne(user))
        .select(Document::as_select())
        .load(conn)?;
    let shared_below = descendants(conn, &shared_roots)?;
    // A document shared on its own inside a folder also shared is listed once, in its folder.
    let inside: std::collections::HashSet<String> =
        shared_below.iter().map(|d| d.id.clone()).collect();
    let shared_roots: Vec<Document> =
        shared_roots.into_iter().filter(|d| !inside.contains(&d.id)).collect();
    drop(inside);

    let mut out = Vec::new();
    let mut own = Tree::new(own, |d| d.parent_id.is_none());
    let roots = std::mem::take(&mut own.roots);
    Walker { filters, out: &mut out, tree: &mut own }.walk(OWN_DOCUMENTS, roots, Section::Own, 0);
    let root_count = shared_roots.len();
    let mut shared = Tree::new(shared_roots.into_iter().chain(shared_below).collect(), |_| false);
    // The first `root_count` rows are the shared roots.
    let mut roots: Vec<usize> = (0..root_count).collect();
    shared.sort(&mut roots);
    Walker { filters, out: &mut out, tree: &mut shared }.walk(
        SHARED_DOCUMENTS,
        roots,
        Section::Shared,
        0,
    );
    Ok(out)
}

/// One section's documents, owned, with each folder's children in archive order.
struct Tree {
    docs: Vec<Option<Document>>,
    children: HashMap<String, Vec<usize>>,
    roots: Vec<usize>,
}

impl Tree {
    fn new(docs: Vec<Document>, is_root: impl Fn(&Document) -> bool) -> Self {
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        let mut roots = Vec::new();
        for (index, doc) in docs.iter().enumerate() {
            if is_root(doc) {
                roots.push(index);
            }
            if let Some(parent) = &doc.parent_id {
                children.entry(parent.clone()).or_default().push(index);
            }
        }
        let by_order = |a: &usize, b: &usize| archive_order(&docs[*a], &docs[*b]);
        for list in children.values_mut() {
            list.sort_by(by_order);
        }
        roots.sort_by(by_order);
        Self { docs: docs.into_iter().map(Some).collect(), children, roots }
    }

    /// Archive order (folders first, then by name, then by id).
    fn sort(&self, indices: &mut [usize]) {
        indices.sort_by(|&a, &b| match (&self.docs[a], &self.docs[b]) {
            (Some(a), Some(b)) => archive_order(a, b),
            _ => std::cmp::Ordering::Equal,
        });
    }
}

fn archive_order(a: &Document, b: &Document) -> std::cmp::Ordering {
    b.is_folder()
        .cmp(&a.is_folder())
        .then_with(|| a.name.cmp(&b.name))
        .then_with(|| a.id.cmp(&b.id))
}

struct Walker<'a> {
    filters: &'a ExportFilters,
    out: &'a mut Vec<WorkspaceItem>,
    tree: &'a mut Tree,
}

impl Walker<'_> {
    fn walk(&mut self, prefix: &str, nodes: Vec<usize>, section: Section, depth: usize) {
        if depth >= MAX_DEPTH {
            return;
        }
        let mut names = UniqueNames::new();
        for index in nodes {
            // Taken: a row is placed once even if a corrupted tree points at it twice.
            let Some(doc) = self.tree.docs[index].take() else { continue };
            let path = format!("{prefix}/{}", names.claim(&doc.name));
            if doc.is_folder() {
                let below = self.tree.children.remove(&doc.id).unwrap_or_default();
                if self.filters.is_empty() {
                    self.out.push(WorkspaceItem { path: path.clone(), section, document: doc });
                }
                self.walk(&path, below, section, depth + 1);
            } else if self.filters.keeps(
                &doc.name,
                doc.content_type.as_deref().unwrap_or(""),
                doc.updated_at.and_utc(),
            ) {
                self.out.push(WorkspaceItem { path, section, document: doc });
            }
        }
    }
}

/// Everything below the given folders, level by level.
fn descendants(conn: &mut DbConnection, roots: &[Document]) -> Result<Vec<Document>, DbError> {
    let mut all = Vec::new();
    let mut frontier: Vec<String> =
        roots.iter().filter(|d| d.is_folder()).map(|d| d.id.clone()).collect();
    for _ in 0..MAX_DEPTH {
        if frontier.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for chunk in frontier.chunks(500) {
            let level: Vec<Document> = documents::table
                .filter(documents::parent_id.eq_any(chunk))
                .select(Document::as_select())
                .load(conn)?;
            next.extend(level.iter().filter(|d| d.is_folder()).map(|d| d.id.clone()));
            all.extend(level);
        }
        frontier = next;
    }
    Ok(all)
}
