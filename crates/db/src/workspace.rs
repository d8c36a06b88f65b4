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
    let inside: std::collections::HashSet<&str> =
        shared_below.iter().map(|d| d.id.as_str()).collect();
    let shared_roots: Vec<&Document> =
        shared_roots.iter().filter(|d| !inside.contains(d.id.as_str())).collect();

    let mut out = Vec::new();
    let own_children = children_map(own.iter());
    let own_roots: Vec<&Document> = own.iter().filter(|d| d.parent_id.is_none()).collect();
    let mut walker = Walker { filters, out: &mut out };
    walker.walk(OWN_DOCUMENTS, &sorted(own_roots), &own_children, Section::Own, 0);
    let shared_children = children_map(shared_below.iter());
    walker.walk(SHARED_DOCUMENTS, &sorted(shared_roots), &shared_children, Section::Shared, 0);
    Ok(out)
}

struct Walker<'a> {
    filters: &'a ExportFilters,
    out: &'a mut Vec<WorkspaceItem>,
}

impl Walker<'_> {
    fn walk(
        &mut self,
        prefix: &str,
        nodes: &[&Document],
        children: &HashMap<&str, Vec<&Document>>,
        section: Section,
        depth: usize,
    ) {
        if depth >= MAX_DEPTH {
            return;
        }
        let mut names = UniqueNames::new();
        for doc in nodes {
            let path = format!("{prefix}/{}", names.claim(&doc.name));
            if doc.is_folder() {
                if self.filters.is_empty() {
                    self.out.push(WorkspaceItem {
                        path: path.clone(),
                        section,
                        document: (*doc).clone(),
                    });
                }
                let below =
                    children.get(doc.id.as_str()).map(|c| sorted(c.clone())).unwrap_or_default();
                self.walk(&path, &below, children, section, depth + 1);
            } else if self.filters.keeps(
                &doc.name,
                doc.content_type.as_deref().unwrap_or(""),
                doc.updated_at.and_utc(),
            ) {
                self.out.push(WorkspaceItem { path, section, document: (*doc).clone() });
            }
        }
    }
}

fn children_map<'a>(
    docs: impl Iterator<Item = &'a Document>,
) -> HashMap<&'a str, Vec<&'a Document>> {
    let mut map: HashMap<&str, Vec<&Document>> = HashMap::new();
    for doc in docs {
        if let Some(parent) = doc.parent_id.as_deref() {
            map.entry(parent).or_default().push(doc);
        }
    }
    map
}

fn sorted(mut docs: Vec<&Document>) -> Vec<&Document> {
    docs.sort_by(|a, b| {
        b.is_folder()
            .cmp(&a.is_folder())
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
    docs
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
