//! Queries of exports, their entry listings, and the instance key that signs archives.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use tokio_postgres::Row;

use crate::lookups::{self, Lookup};
use crate::models::{Export, ExportEntry, InstanceKey, now};
use crate::schema::{export_entries, exports, instance_keys};
use crate::{Database, DbConnection, DbError, Page};

/// Statuses of an export still in progress.
pub const ACTIVE: [&str; 2] = ["queued", "running"];

/// Inserts a new export; `Ok(false)` when the user already has one in progress (the partial
/// unique index says so, which makes the check race-free).
pub fn insert(conn: &mut DbConnection, export: &Export) -> Result<bool, DbError> {
    use diesel::result::{DatabaseErrorKind, Error};
    // A savepoint: on Postgres a failed statement would otherwise abort the caller's transaction.
    match conn.transaction(|c| diesel::insert_into(exports::table).values(export).execute(c)) {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Export>, DbError> {
    Ok(exports::table.find(id).select(Export::as_select()).first(conn).optional()?)
}

pub fn find_owned(
    conn: &mut DbConnection,
    owner: &str,
    id: &str,
) -> Result<Option<Export>, DbError> {
    // Every poll of an export's progress comes here.
    let found = crate::pool::on_backend!(conn, |c| exports::table
        .filter(exports::id.eq(id))
        .filter(exports::owner_id.eq(owner))
        .select(Export::as_select())
        .first(c)
        .optional());
    Ok(found?)
}

/// [`find_owned`] for the API, which every poll of an export's progress calls: on Postgres
/// without holding a thread while the database answers (see `lookups`), else through the pool.
pub async fn lookup_owned(db: &Database, owner: &str, id: &str) -> Result<Option<Export>, DbError> {
    let (owner_id, export_id) = (owner.to_owned(), id.to_owned());
    let pooled = move |c: &mut DbConnection| find_owned(c, &owner_id, &export_id);
    lookups::find(db, &FIND_OWNED, &[&id, &owner], export_of_row, pooled).await
}

/// [`find_owned`]'s statement, binding the id then the owner.
const FIND_OWNED: Lookup = Lookup {
    name: "exports.find_owned",
    sql: || {
        lookups::sql_of(
            &exports::table
                .filter(exports::id.eq(""))
                .filter(exports::owner_id.eq(""))
                .select(<Export as SelectableHelper<Pg>>::as_select()),
        )
    },
};

/// An [`Export`] from a row of [`FIND_OWNED`], its columns in the order of the fields.
fn export_of_row(row: &Row) -> Result<Export, tokio_postgres::Error> {
    let mut column = 0..;
    let mut next = || column.next().unwrap_or_default();
    Ok(Export {
        id: row.try_get(next())?,
        owner_id: row.try_get(next())?,
        owner_name: row.try_get(next())?,
        name: row.try_get(next())?,
        apps: row.try_get(next())?,
        options: row.try_get(next())?,
        status: row.try_get(next())?,
        job_id: row.try_get(next())?,
        files_done: row.try_get(next())?,
        files_total: row.try_get(next())?,
        bytes_done: row.try_get(next())?,
        bytes_total: row.try_get(next())?,
        object_key: row.try_get(next())?,
        size: row.try_get(next())?,
        sha256: row.try_get(next())?,
        app_outcomes: row.try_get(next())?,
        error_code: row.try_get(next())?,
        error_message: row.try_get(next())?,
        created_at: row.try_get(next())?,
        updated_at: row.try_get(next())?,
        started_at: row.try_get(next())?,
        finished_at: row.try_get(next())?,
        expires_at: row.try_get(next())?,
        delivered_document_id: row.try_get(next())?,
        delivery_error: row.try_get(next())?,
    })
}

pub fn find_active(conn: &mut DbConnection, owner: &str) -> Result<Option<Export>, DbError> {
    Ok(exports::table
        .filter(exports::owner_id.eq(owner))
        .filter(exports::status.eq_any(ACTIVE))
        .select(Export::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(
    conn: &mut DbConnection,
    owner: &str,
    page: Page,
) -> Result<(Vec<Export>, i64), DbError> {
    let total = exports::table.filter(exports::owner_id.eq(owner)).count().get_result(conn)?;
    let items = exports::table
        .filter(exports::owner_id.eq(owner))
        .order((exports::created_at.desc(), exports::id.desc()))
        .limit(page.size)
        .offset(page.offset())
        .select(Export::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn set_job(conn: &mut DbConnection, id: &str, job_id: &str) -> Result<(), DbError> {
    diesel::update(exports::table.find(id)).set(exports::job_id.eq(Some(job_id))).execute(conn)?;
    Ok(())
}

/// Marks an export running for a (new) attempt; resets the progress of an earlier attempt.
/// `false` when the export is no longer queued or running (cancelled meanwhile).
pub fn start(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    let at = now();
    let updated = diesel::update(exports::table.find(id).filter(exports::status.eq_any(ACTIVE)))
        .set((
            exports::status.eq("running"),
            exports::files_done.eq(0),
            exports::bytes_done.eq(0),
            exports::started_at.eq(Some(at)),
            exports::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

pub fn set_totals(
    conn: &mut DbConnection,
    id: &str,
    files: i64,
    bytes: i64,
) -> Result<(), DbError> {
    diesel::update(exports::table.find(id))
        .set((
            exports::files_total.eq(files),
            exports::bytes_total.eq(bytes),
            exports::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records progress; returns the status, so the job learns about a cancellation.
pub fn progress(
    conn: &mut DbConnection,
    id: &str,
    files: i64,
    bytes: i64,
) -> Result<Option<String>, DbError> {
    diesel::update(exports::table.find(id).filter(exports::status.eq("running")))
        .set((
            exports::files_done.eq(files),
            exports::bytes_done.eq(bytes),
            exports::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(exports::table.find(id).select(exports::status).first(conn).optional()?)
}

pub struct Finished<'a> {
    pub object_key: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub app_outcomes: &'a str,
    pub files: i64,
    pub bytes: i64,
    pub expires_at: NaiveDateTime,
}

/// Makes the archive visible: `ready` with its object, size and checksum, in one statement;
/// the previous run of its schedule, if it has one that does not keep its runs, expires; a
/// leaver's export stays until their closing date.
/// `false` when the export was cancelled meanwhile.
pub fn mark_ready(conn: &mut DbConnection, id: &str, done: &Finished<'_>) -> Result<bool, DbError> {
    let at = now();
    let updated = diesel::update(exports::table.find(id).filter(exports::status.eq("running")))
        .set((
            exports::status.eq("ready"),
            exports::object_key.eq(Some(done.object_key)),
            exports::size.eq(Some(done.size)),
            exports::sha256.eq(Some(done.sha256)),
            exports::app_outcomes.eq(Some(done.app_outcomes)),
            exports::files_done.eq(done.files),
            exports::files_total.eq(done.files),
            exports::bytes_done.eq(done.bytes),
            exports::bytes_total.eq(done.bytes),
            exports::finished_at.eq(Some(at)),
            exports::expires_at.eq(Some(done.expires_at)),
            exports::updated_at.eq(at),
        ))
        .execute(conn)?;
    if updated == 1 {
        crate::schedules::expire_previous(conn, id, at)?;
        crate::leavers::keep_until_closing(conn, id)?;
    }
    Ok(updated == 1)
}

/// Records where a ready export's file was delivered (`document`), or why it was not (`error`,
/// a code), in the transaction that publishes it.
pub fn set_delivery(
    conn: &mut DbConnection,
    id: &str,
    document: Option<&str>,
    error: Option<&str>,
) -> Result<(), DbError> {
    diesel::update(exports::table.find(id))
        .set((exports::delivered_document_id.eq(document), exports::delivery_error.eq(error)))
        .execute(conn)?;
    Ok(())
}

pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    code: &str,
    message: &str,
) -> Result<bool, DbError> {
    let at = now();
    let updated = diesel::update(exports::table.find(id).filter(exports::status.eq_any(ACTIVE)))
        .set((
            exports::status.eq("failed"),
            exports::error_code.eq(Some(code)),
            exports::error_message.eq(Some(message)),
            exports::finished_at.eq(Some(at)),
            exports::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Cancels an export in progress; `false` when it was not in progress.
pub fn cancel(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    let at = now();
    let updated = diesel::update(exports::table.find(id).filter(exports::status.eq_any(ACTIVE)))
        .set((
            exports::status.eq("cancelled"),
            exports::finished_at.eq(Some(at)),
            exports::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<(), DbError> {
    diesel::delete(exports::table.find(id)).execute(conn)?;
    Ok(())
}

/// Ready exports past their expiry.
pub fn expired(
    conn: &mut DbConnection,
    now_at: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Export>, DbError> {
    Ok(exports::table
        .filter(exports::status.eq("ready"))
        .filter(exports::expires_at.lt(now_at))
        .limit(limit)
        .select(Export::as_select())
        .load(conn)?)
}

pub fn mark_expired(conn: &mut DbConnection, id: &str) -> Result<(), DbError> {
    let at = now();
    diesel::update(exports::table.find(id).filter(exports::status.eq("ready")))
        .set((exports::status.eq("expired"), exports::updated_at.eq(at)))
        .execute(conn)?;
    diesel::delete(export_entries::table.filter(export_entries::export_id.eq(id))).execute(conn)?;
    Ok(())
}

/// Removes the listing an earlier, interrupted attempt wrote.
pub fn clear_entries(conn: &mut DbConnection, id: &str) -> Result<(), DbError> {
    diesel::delete(export_entries::table.filter(export_entries::export_id.eq(id))).execute(conn)?;
    Ok(())
}

/// Adds rows to an export's listing, written as the archive is (it is shown once ready).
pub fn append_entries(conn: &mut DbConnection, entries: &[ExportEntry]) -> Result<(), DbError> {
    // The multi backend has no batch insert; each backend's own connection has. 200 rows of 5
    // values stay far below either's limit on bound parameters.
    for chunk in entries.chunks(200) {
        match conn {
            DbConnection::Pg(pg) => {
                diesel::insert_into(export_entries::table).values(chunk).execute(pg)?;
            }
            DbConnection::Sqlite(sqlite) => {
                diesel::insert_into(export_entries::table).values(chunk).execute(sqlite)?;
            }
        }
    }
    Ok(())
}

pub fn entries(
    conn: &mut DbConnection,
    id: &str,
    page: Page,
) -> Result<(Vec<ExportEntry>, i64), DbError> {
    let total =
        export_entries::table.filter(export_entries::export_id.eq(id)).count().get_result(conn)?;
    let items = export_entries::table
        .filter(export_entries::export_id.eq(id))
        .order(export_entries::seq.asc())
        .limit(page.size)
        .offset(page.offset())
        .select(ExportEntry::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// The instance key named `id`, creating it from `generate` when absent. Two processes racing
/// at first start both end with the one that was inserted first.
pub fn instance_key(
    conn: &mut DbConnection,
    id: &str,
    generate: impl FnOnce() -> InstanceKey,
) -> Result<InstanceKey, DbError> {
    use diesel::result::{DatabaseErrorKind, Error};
    let existing = |conn: &mut DbConnection| {
        instance_keys::table.find(id).select(InstanceKey::as_select()).first(conn).optional()
    };
    if let Some(key) = existing(conn)? {
        return Ok(key);
    }
    match diesel::insert_into(instance_keys::table).values(&generate()).execute(conn) {
        Ok(_) | Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
        Err(e) => return Err(e.into()),
    }
    existing(conn)?.ok_or(DbError::Query(Error::NotFound))
}

/// The owner's exports that a new identical request would reuse: in progress, or ready and
/// finished at or after `since`. Newest first, a few at most.
pub fn reusable(
    conn: &mut DbConnection,
    owner: &str,
    since: NaiveDateTime,
) -> Result<Vec<Export>, DbError> {
    Ok(exports::table
        .filter(exports::owner_id.eq(owner))
        .filter(
            exports::status
                .eq_any(ACTIVE)
                .or(exports::status.eq("ready").and(exports::finished_at.ge(since))),
        )
        .order(exports::created_at.desc())
        .limit(20)
        .select(Export::as_select())
        .load(conn)?)
}

/// The bytes a ready export takes in the store: its archive, or the sum of its parts (the row's
/// own size is its first part's, what a client that knows nothing of parts downloads).
macro_rules! ready_size {
    () => {
        "COALESCE((SELECT SUM(export_parts.size) FROM export_parts \
         WHERE export_parts.export_id = exports.id), size)"
    };
}

/// What an owner already has, read in one statement when an export is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// Bytes of the owner's ready archives.
    pub ready_bytes: i64,
    /// The owner's export in progress, if any.
    pub active: Option<String>,
}

pub fn standing(conn: &mut DbConnection, owner: &str) -> Result<Standing, DbError> {
    use diesel::sql_types::{BigInt, Nullable, Text};
    let (ready_bytes, active) = exports::table
        .filter(exports::owner_id.eq(owner))
        .select(crate::static_sql::Aggregate::<(BigInt, Nullable<Text>)>::new(concat!(
            "CAST(COALESCE(SUM(CASE WHEN status = 'ready' THEN ",
            ready_size!(),
            " ELSE 0 END), 0) AS BIGINT), \
                 MAX(CASE WHEN status IN ('queued', 'running') THEN id END)"
        )))
        .first::<(i64, Option<String>)>(conn)?;
    Ok(Standing { ready_bytes, active })
}

/// Inserts a new export row. Unlike [`insert`], no savepoint: for a caller that has already
/// checked, under the owner's creation lock, that the owner has no export in progress (the
/// unique index stays the guarantee; breaking it is then an error).
pub fn insert_checked(conn: &mut DbConnection, export: &Export) -> Result<(), DbError> {
    diesel::insert_into(exports::table).values(export).execute(conn)?;
    Ok(())
}

/// Bytes of the user's ready archives, for the archive quota.
pub fn ready_bytes(conn: &mut DbConnection, owner: &str) -> Result<i64, DbError> {
    Ok(exports::table
        .filter(exports::owner_id.eq(owner))
        .filter(exports::status.eq("ready"))
        .select(crate::static_sql::Aggregate::<diesel::sql_types::BigInt>::new(concat!(
            "CAST(COALESCE(SUM(",
            ready_size!(),
            "), 0) AS BIGINT)"
        )))
        .first(conn)?)
}

/// Exports in progress, oldest first, for the cleanup's stuck-row check.
pub fn active(conn: &mut DbConnection, limit: i64) -> Result<Vec<Export>, DbError> {
    Ok(exports::table
        .filter(exports::status.eq_any(ACTIVE))
        .order(exports::created_at.asc())
        .limit(limit)
        .select(Export::as_select())
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::testing::lookup_connections;

    async fn lookup(db: &Database, owner: &str, id: &str) -> Option<String> {
        lookup_owned(db, owner, id).await.expect("lookup").map(|e| format!("{e:?}"))
    }

    #[tokio::test]
    async fn a_lookup_reads_what_the_pool_reads_and_outlives_its_connection() {
        let Some((db, _dropped)) = crate::testing::postgres() else { return };
        let at = now();
        let mut export = Export::queued(
            "exp-1".into(),
            "alice".into(),
            Some("Alice « Élève »".into()),
            "Mes données".into(),
            r#"["workspace"]"#.into(),
            "{}".into(),
        );
        export.status = "ready".into();
        (export.job_id, export.object_key) = (Some("job-1".into()), Some("exports/x.zip".into()));
        (export.files_done, export.files_total) = (3, 4);
        (export.bytes_done, export.bytes_total) = (5, i64::MAX);
        (export.size, export.sha256) = (Some(6), Some("ab".repeat(32)));
        export.app_outcomes = Some(r#"{"workspace":"complete"}"#.into());
        (export.error_code, export.error_message) = (Some("c".into()), Some("m".into()));
        (export.started_at, export.finished_at, export.expires_at) = (Some(at), Some(at), Some(at));
        export.delivered_document_id = Some("doc-1".into());
        export.delivery_error = Some("too_large".into());
        let row = export.clone();
        assert!(db.run(move |c| insert(c, &row)).await.expect("insert"));
        let pooled = db
            .read(|c| find_owned(c, "alice", "exp-1"))
            .await
            .expect("find")
            .map(|e| format!("{e:?}"));
        assert!(pooled.is_some());

        assert_eq!(lookup(&db, "alice", "exp-1").await, pooled, "every field, both paths");
        assert_eq!(lookup_connections(&db, false), 1, "read off the pool, on its own connection");
        assert_eq!(lookup(&db, "bob", "exp-1").await, None, "another owner's");
        assert_eq!(lookup(&db, "alice", "exp-2").await, None);

        assert_eq!(lookup_connections(&db, true), 1);
        for _ in 0..3 {
            assert_eq!(lookup(&db, "alice", "exp-1").await, pooled, "its connection gone");
        }
        let reopened = async {
            while lookup_connections(&db, false) != 1 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), reopened).await.expect("a new connection");

        // A migration that changes a column's type leaves the prepared statement stale: it
        // fails once, then is prepared again.
        let retype = "ALTER TABLE exports ALTER COLUMN name TYPE VARCHAR(300)";
        diesel::sql_query(retype)
            .execute(&mut **db.connection().expect("a connection"))
            .expect("alter");
        let lookups = db.lookups().expect("on Postgres");
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&"exp-1", &"alice"];
        assert!(lookups.query_opt(&FIND_OWNED, &params).await.is_err(), "stale");
        let again = lookups.query_opt(&FIND_OWNED, &params).await.expect("prepared again");
        assert!(again.is_some());
    }
}
