//! Queries of the built-in workspace app: documents, folders and shares.

use diesel::prelude::*;

use crate::schema::{document_shares, documents};
use crate::{DbConnection, DbError, Document, NewDocument, Page, Share};

/// How deep a folder tree may be walked when resolving shares through ancestors; a bound keeps a
/// corrupted parent chain (a cycle) from looping forever.
const MAX_DEPTH: usize = 64;

pub fn insert(conn: &mut DbConnection, doc: &NewDocument) -> Result<(), DbError> {
    diesel::insert_into(documents::table).values(doc).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Document>, DbError> {
    Ok(documents::table.find(id).select(Document::as_select()).first(conn).optional()?)
}

pub fn find_owned(
    conn: &mut DbConnection,
    owner: &str,
    id: &str,
) -> Result<Option<Document>, DbError> {
    Ok(documents::table
        .filter(documents::id.eq(id))
        .filter(documents::owner_id.eq(owner))
        .select(Document::as_select())
        .first(conn)
        .optional()?)
}

/// A document the user owns, or one shared with them directly or through a shared ancestor
/// folder. Anything else is `None`, which callers answer as "not found".
pub fn find_visible(
    conn: &mut DbConnection,
    user: &str,
    id: &str,
) -> Result<Option<Document>, DbError> {
    let Some(doc) = find(conn, id)? else {
        return Ok(None);
    };
    if doc.owner_id == user {
        return Ok(Some(doc));
    }
    let mut current = Some(doc.id.clone());
    for _ in 0..MAX_DEPTH {
        let Some(node) = current else { break };
        let shared: i64 = document_shares::table
            .filter(document_shares::document_id.eq(&node))
            .filter(document_shares::user_id.eq(user))
            .count()
            .get_result(conn)?;
        if shared > 0 {
            return Ok(Some(doc));
        }
        current = documents::table
            .find(&node)
            .select(documents::parent_id)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten();
    }
    Ok(None)
}

pub fn count_children(
    conn: &mut DbConnection,
    owner: Option<&str>,
    parent: Option<&str>,
) -> Result<i64, DbError> {
    let mut query = documents::table.into_boxed();
    if let Some(owner) = owner {
        query = query.filter(documents::owner_id.eq(owner.to_owned()));
    }
    query = match parent {
        Some(p) => query.filter(documents::parent_id.eq(p.to_owned())),
        None => query.filter(documents::parent_id.is_null()),
    };
    Ok(query.count().get_result(conn)?)
}

/// Children of a folder (or the owner's root when `parent` is `None`), folders first, then by
/// name; the id breaks ties so pages never overlap.
pub fn list_children(
    conn: &mut DbConnection,
    owner: Option<&str>,
    parent: Option<&str>,
    page: Page,
) -> Result<Vec<Document>, DbError> {
    let mut query = documents::table.select(Document::as_select()).into_boxed();
    if let Some(owner) = owner {
        query = query.filter(documents::owner_id.eq(owner.to_owned()));
    }
    query = match parent {
        Some(p) => query.filter(documents::parent_id.eq(p.to_owned())),
        None => query.filter(documents::parent_id.is_null()),
    };
    Ok(query
        .order((documents::kind.desc(), documents::name.asc(), documents::id.asc()))
        .limit(page.size)
        .offset(page.offset())
        .load(conn)?)
}

pub fn count_shared_with(conn: &mut DbConnection, user: &str) -> Result<i64, DbError> {
    Ok(document_shares::table.filter(document_shares::user_id.eq(user)).count().get_result(conn)?)
}

/// The roots of what others shared with the user (a shared folder's content is reached by
/// listing that folder).
pub fn list_shared_with(
    conn: &mut DbConnection,
    user: &str,
    page: Page,
) -> Result<Vec<Document>, DbError> {
    Ok(documents::table
        .inner_join(document_shares::table)
        .filter(document_shares::user_id.eq(user))
        .select(Document::as_select())
        .order((documents::kind.desc(), documents::name.asc(), documents::id.asc()))
        .limit(page.size)
        .offset(page.offset())
        .load(conn)?)
}

/// Of `ids`, those the user owns, each with its kind (`file` or `folder`).
pub fn kinds_owned(
    conn: &mut DbConnection,
    owner: &str,
    ids: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    Ok(documents::table
        .filter(documents::owner_id.eq(owner))
        .filter(documents::id.eq_any(ids))
        .select((documents::id, documents::kind))
        .load(conn)?)
}

/// The folders the user owns, anywhere in their tree, by name then id, a page at a time.
pub fn list_folders(
    conn: &mut DbConnection,
    owner: &str,
    page: Page,
) -> Result<Vec<Document>, DbError> {
    Ok(documents::table
        .filter(documents::owner_id.eq(owner))
        .filter(documents::kind.eq("folder"))
        .select(Document::as_select())
        .order((documents::name.asc(), documents::id.asc()))
        .limit(page.size)
        .offset(page.offset())
        .load(conn)?)
}

pub fn count_folders(conn: &mut DbConnection, owner: &str) -> Result<i64, DbError> {
    Ok(documents::table
        .filter(documents::owner_id.eq(owner))
        .filter(documents::kind.eq("folder"))
        .count()
        .get_result(conn)?)
}

/// The types a zip archive is stored with: what the name gives, and what Windows browsers
/// declare.
const ZIP_TYPES: [&str; 2] = ["application/zip", "application/x-zip-compressed"];

/// Zip archives the user owns, anywhere in their tree, or that were shared with them (the
/// file itself), newest first.
pub fn list_zips(
    conn: &mut DbConnection,
    user: &str,
    page: Page,
) -> Result<Vec<Document>, DbError> {
    Ok(zips_of(user)
        .select(Document::as_select())
        .order((documents::created_at.desc(), documents::id.desc()))
        .limit(page.size)
        .offset(page.offset())
        .load(conn)?)
}

pub fn count_zips(conn: &mut DbConnection, user: &str) -> Result<i64, DbError> {
    Ok(zips_of(user).count().get_result(conn)?)
}

fn zips_of(user: &str) -> documents::BoxedQuery<'static, crate::pool::MultiBackend> {
    let shared = document_shares::table
        .filter(document_shares::user_id.eq(user.to_owned()))
        .select(document_shares::document_id);
    documents::table
        .filter(documents::kind.eq("file"))
        .filter(documents::content_type.eq_any(ZIP_TYPES))
        .filter(documents::owner_id.eq(user.to_owned()).or(documents::id.eq_any(shared)))
        .into_boxed()
}

/// Bytes of all files the user owns, for the quota. The cast keeps one result type on both
/// backends (Postgres sums BIGINT into NUMERIC).
pub fn used_bytes(conn: &mut DbConnection, owner: &str) -> Result<i64, DbError> {
    Ok(documents::table
        .filter(documents::owner_id.eq(owner))
        .select(crate::static_sql::Aggregate::<diesel::sql_types::BigInt>::new(
            "CAST(COALESCE(SUM(size), 0) AS BIGINT)",
        ))
        .first(conn)?)
}

/// Whether a folder of the owner (their root when `parent` is `None`) already holds `name`.
pub fn name_taken(
    conn: &mut DbConnection,
    owner: &str,
    parent: Option<&str>,
    name: &str,
) -> Result<bool, DbError> {
    let mut query = documents::table
        .filter(documents::owner_id.eq(owner.to_owned()))
        .filter(documents::name.eq(name.to_owned()))
        .into_boxed();
    query = match parent {
        Some(p) => query.filter(documents::parent_id.eq(p.to_owned())),
        None => query.filter(documents::parent_id.is_null()),
    };
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

/// `name`, or "name (2).ext", "name (3).ext"… when the folder already holds it.
pub fn free_name(
    conn: &mut DbConnection,
    owner: &str,
    parent: Option<&str>,
    name: &str,
) -> Result<(String, bool), DbError> {
    if !name_taken(conn, owner, parent, name)? {
        return Ok((name.to_owned(), false));
    }
    let (stem, extension) = split_extension(name);
    for n in 2..10_000 {
        let candidate = format!("{stem} ({n}){extension}");
        if !name_taken(conn, owner, parent, &candidate)? {
            return Ok((candidate, true));
        }
    }
    Ok((format!("{stem} ({}){extension}", uuid::Uuid::now_v7()), true))
}

pub fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.').filter(|&i| i > 0) {
        Some(i) => name.split_at(i),
        None => (name, ""),
    }
}

pub fn insert_share(conn: &mut DbConnection, share: &Share) -> Result<bool, DbError> {
    use diesel::result::{DatabaseErrorKind, Error};
    // The MultiConnection backend has no ON CONFLICT: the primary key says "already shared".
    match diesel::insert_into(document_shares::table).values(share).execute(conn) {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a document or a whole folder tree and returns the object keys to purge from the store.
pub fn delete_tree(conn: &mut DbConnection, root: &str) -> Result<Vec<String>, DbError> {
    let mut all = vec![root.to_owned()];
    let mut frontier = vec![root.to_owned()];
    while !frontier.is_empty() {
        let children: Vec<String> = documents::table
            .filter(documents::parent_id.eq_any(&frontier))
            .select(documents::id)
            .load(conn)?;
        all.extend(children.iter().cloned());
        frontier = children;
    }
    let mut keys = Vec::new();
    for chunk in all.chunks(500) {
        let chunk_keys: Vec<Option<String>> = documents::table
            .filter(documents::id.eq_any(chunk))
            .select(documents::object_key)
            .load(conn)?;
        keys.extend(chunk_keys.into_iter().flatten());
        diesel::delete(document_shares::table.filter(document_shares::document_id.eq_any(chunk)))
            .execute(conn)?;
    }
    for chunk in all.chunks(500) {
        diesel::delete(documents::table.filter(documents::id.eq_any(chunk))).execute(conn)?;
    }
    Ok(keys)
}
