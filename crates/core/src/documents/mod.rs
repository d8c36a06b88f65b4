//! The documents space: a user's tree of folders and files, and what others shared with them.
//! Files are uploaded within the size limit and the user's quota; a folder or a file is shared
//! with another user, deleted with everything in it.

mod change;
mod upload;

pub use change::{create_folder, delete, share};
pub use upload::{Receiver, upload};

use mesdonnees_db::{DbConnection, DbError, Document, documents};
use mesdonnees_infra::Context;
use mesdonnees_shared::{DocumentId, ErrorCode};

use crate::listing::{self, Listed};
use crate::{Actor, Error};

/// Which documents a listing is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The user's own tree.
    Own,
    /// What other users shared with the user (the shared roots).
    Shared,
    /// Every zip archive of the user's tree, and those shared with them, newest first: what
    /// an import may read in place.
    Zips,
}

/// A document or folder the owner owns or that is shared with them; anything else, a
/// malformed id included, is not found.
pub async fn get(ctx: &Context, actor: &Actor, raw_id: &str) -> Result<Document, Error> {
    let id = path_id(raw_id)?.to_string();
    let owner = actor.owner().to_string();
    ctx.db
        .run(move |conn| documents::find_visible(conn, &owner, &id))
        .await?
        .ok_or(Error::NotFound("document"))
}

/// A file to read, with the key of its content in the store; a folder has none.
pub async fn content(
    ctx: &Context,
    actor: &Actor,
    raw_id: &str,
) -> Result<(Document, String), Error> {
    let doc = get(ctx, actor, raw_id).await?;
    match doc.object_key.clone().filter(|_| !doc.is_folder()) {
        Some(key) => Ok((doc, key)),
        None => Err(Error::invalid(ErrorCode::NotAFile, "a folder has no content")),
    }
}

/// A page of a folder of the owner's tree (its root without `folder_id`), of a folder shared
/// with them, or of the shared roots.
pub async fn list(
    ctx: &Context,
    actor: &Actor,
    scope: Scope,
    folder_id: Option<&str>,
    number: Option<i64>,
    size: Option<i64>,
) -> Result<Listed<Document>, Error> {
    let page = listing::page(ctx, number, size)?;
    let folder = folder_id.map(|raw| field_id("folder_id", raw)).transpose()?;
    let user = actor.owner().to_string();
    let found = ctx
        .db
        .run(move |conn| {
            Ok(match (scope, folder) {
                (Scope::Shared | Scope::Zips, Some(_)) => Err(Error::invalid(
                    ErrorCode::InvalidRequest,
                    "scope=shared and scope=zips take no folder_id; list a folder with folder_id alone",
                )),
                (Scope::Zips, None) => {
                    Ok((documents::list_zips(conn, &user, page)?, documents::count_zips(conn, &user)?))
                }
                (Scope::Shared, None) => Ok((
                    documents::list_shared_with(conn, &user, page)?,
                    documents::count_shared_with(conn, &user)?,
                )),
                (Scope::Own, None) => Ok((
                    documents::list_children(conn, Some(&user), None, page)?,
                    documents::count_children(conn, Some(&user), None)?,
                )),
                (Scope::Own, Some(folder)) => {
                    let folder = folder.to_string();
                    match documents::find_visible(conn, &user, &folder)? {
                        Some(doc) if doc.is_folder() => Ok((
                            documents::list_children(conn, None, Some(&folder), page)?,
                            documents::count_children(conn, None, Some(&folder))?,
                        )),
                        Some(_) => Err(Error::invalid(
                            ErrorCode::NotAFolder,
                            "folder_id names a file, not a folder",
                        )),
                        None => Err(Error::NotFound("folder")),
                    }
                }
            })
        })
        .await??;
    Ok(Listed::of(page, found))
}

/// A page of the folders of the owner's own tree, wherever they lie, by name: what an export
/// may choose (`filters.folders`). Each names its parent, so that a client draws the tree.
pub async fn folders(
    ctx: &Context,
    actor: &Actor,
    number: Option<i64>,
    size: Option<i64>,
) -> Result<Listed<Document>, Error> {
    let page = listing::page(ctx, number, size)?;
    let owner = actor.owner().to_string();
    let found = ctx
        .db
        .run(move |conn| {
            Ok((
                documents::list_folders(conn, &owner, page)?,
                documents::count_folders(conn, &owner)?,
            ))
        })
        .await?;
    Ok(Listed::of(page, found))
}

/// An id in a path: malformed, it is answered like an unknown one, so nothing about other
/// users' resources can be probed.
fn path_id(raw: &str) -> Result<DocumentId, Error> {
    DocumentId::parse(raw).map_err(|_| Error::NotFound("document"))
}

/// An id given in a body or a query string: malformed, it is the client's mistake.
fn field_id(field: &str, raw: &str) -> Result<DocumentId, Error> {
    DocumentId::parse(raw)
        .map_err(|_| Error::invalid(ErrorCode::InvalidId, format!("{field} is not a valid id")))
}

/// Checks that `folder` is a folder the owner owns. The outer error is the database's, the
/// inner one the refusal.
fn owned_folder(
    conn: &mut DbConnection,
    owner: &str,
    folder: DocumentId,
) -> Result<Result<(), Error>, DbError> {
    Ok(match documents::find_owned(conn, owner, &folder.to_string())? {
        None => Err(Error::invalid(ErrorCode::FolderNotFound, "no such folder")),
        Some(doc) if !doc.is_folder() => {
            Err(Error::invalid(ErrorCode::NotAFolder, "the target is a file, not a folder"))
        }
        Some(_) => Ok(()),
    })
}
