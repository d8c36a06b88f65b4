//! Queries of `export_templates`: a user's saved export settings. Every query names the owner,
//! so another user's template is never found.

use diesel::prelude::*;

use crate::models::ExportTemplate;
use crate::schema::export_templates;
use crate::{DbConnection, DbError, Page};

/// Most templates one user may keep.
pub const MAX_PER_OWNER: i64 = 100;

/// What saving a template came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    Done,
    /// Another template of the owner has this name.
    NameTaken,
    /// The owner has [`MAX_PER_OWNER`] templates already.
    TooMany,
    /// No such template of the owner (an update).
    Missing,
}

fn unless_name_taken(
    conn: &mut DbConnection,
    statement: impl FnOnce(&mut DbConnection) -> QueryResult<usize>,
) -> Result<Option<usize>, DbError> {
    use diesel::result::{DatabaseErrorKind, Error};
    // A savepoint: on Postgres a refused statement would otherwise abort the transaction.
    match conn.transaction(statement) {
        Ok(n) => Ok(Some(n)),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Counts, then inserts: run it in a transaction (`Database::transaction`, which on SQLite
/// takes the write lock before the count; on Postgres the owner's lock below does).
pub fn insert(conn: &mut DbConnection, template: &ExportTemplate) -> Result<Saved, DbError> {
    if let DbConnection::Pg(pg) = conn {
        // Two inserts of one owner at once would both count 99 and both insert.
        crate::static_sql::AdvisoryXactLock { key: format!("templates:{}", template.owner_id) }
            .execute(pg)?;
    }
    let count: i64 = export_templates::table
        .filter(export_templates::owner_id.eq(&template.owner_id))
        .count()
        .get_result(conn)?;
    if count >= MAX_PER_OWNER {
        return Ok(Saved::TooMany);
    }
    let insert = |c: &mut DbConnection| {
        diesel::insert_into(export_templates::table).values(template).execute(c)
    };
    Ok(match unless_name_taken(conn, insert)? {
        Some(_) => Saved::Done,
        None => Saved::NameTaken,
    })
}

/// Replaces the name and settings of the owner's template.
pub fn update(conn: &mut DbConnection, template: &ExportTemplate) -> Result<Saved, DbError> {
    let update = |c: &mut DbConnection| {
        diesel::update(
            export_templates::table
                .find(&template.id)
                .filter(export_templates::owner_id.eq(&template.owner_id)),
        )
        .set((
            export_templates::name.eq(&template.name),
            export_templates::apps.eq(&template.apps),
            export_templates::options.eq(&template.options),
            export_templates::updated_at.eq(template.updated_at),
        ))
        .execute(c)
    };
    Ok(match unless_name_taken(conn, update)? {
        Some(1) => Saved::Done,
        Some(_) => Saved::Missing,
        None => Saved::NameTaken,
    })
}

pub fn find_owned(
    conn: &mut DbConnection,
    owner: &str,
    id: &str,
) -> Result<Option<ExportTemplate>, DbError> {
    Ok(export_templates::table
        .find(id)
        .filter(export_templates::owner_id.eq(owner))
        .select(ExportTemplate::as_select())
        .first(conn)
        .optional()?)
}

/// The owner's templates by name, with their count.
pub fn list(
    conn: &mut DbConnection,
    owner: &str,
    page: Page,
) -> Result<(Vec<ExportTemplate>, i64), DbError> {
    let total = export_templates::table
        .filter(export_templates::owner_id.eq(owner))
        .count()
        .get_result(conn)?;
    let items = export_templates::table
        .filter(export_templates::owner_id.eq(owner))
        .order((export_templates::name.asc(), export_templates::id.asc()))
        .limit(page.size)
        .offset(page.offset())
        .select(ExportTemplate::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn delete(conn: &mut DbConnection, owner: &str, id: &str) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        export_templates::table.find(id).filter(export_templates::owner_id.eq(owner)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}
