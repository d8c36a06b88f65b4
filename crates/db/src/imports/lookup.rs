//! An import found by its owner off the pool (see `lookups`): every poll of an import's
//! progress comes here.

use diesel::pg::Pg;
use diesel::prelude::*;
use tokio_postgres::Row;

use crate::lookups::{self, Lookup};
use crate::models::Import;
use crate::schema::imports;
use crate::{Database, DbConnection, DbError};

/// [`super::find_owned`] for the API: on Postgres without holding a thread while the database
/// answers, else through the pool.
pub async fn lookup_owned(db: &Database, owner: &str, id: &str) -> Result<Option<Import>, DbError> {
    let (owner_id, import_id) = (owner.to_owned(), id.to_owned());
    let pooled = move |c: &mut DbConnection| super::find_owned(c, &owner_id, &import_id);
    lookups::find(db, &FIND_OWNED, &[&id, &owner], import_of_row, pooled).await
}

/// [`super::find_owned`]'s statement, binding the id then the owner.
const FIND_OWNED: Lookup = Lookup {
    name: "imports.find_owned",
    sql: || {
        lookups::sql_of(
            &imports::table
                .filter(imports::id.eq(""))
                .filter(imports::owner_id.eq(""))
                .select(<Import as SelectableHelper<Pg>>::as_select()),
        )
    },
};

/// An [`Import`] from a row of [`FIND_OWNED`], its columns in the order of the fields.
fn import_of_row(row: &Row) -> Result<Import, tokio_postgres::Error> {
    let mut column = 0..;
    let mut next = || column.next().unwrap_or_default();
    Ok(Import {
        id: row.try_get(next())?,
        owner_id: row.try_get(next())?,
        owner_name: row.try_get(next())?,
        owner_rights: row.try_get(next())?,
        file_name: row.try_get(next())?,
        object_key: row.try_get(next())?,
        size: row.try_get(next())?,
        status: row.try_get(next())?,
        job_id: row.try_get(next())?,
        analysis: row.try_get(next())?,
        selected_apps: row.try_get(next())?,
        report: row.try_get(next())?,
        files_done: row.try_get(next())?,
        files_total: row.try_get(next())?,
        bytes_done: row.try_get(next())?,
        bytes_total: row.try_get(next())?,
        error_code: row.try_get(next())?,
        error_message: row.try_get(next())?,
        created_at: row.try_get(next())?,
        updated_at: row.try_get(next())?,
        started_at: row.try_get(next())?,
        finished_at: row.try_get(next())?,
        auto_apps: row.try_get(next())?,
        cancel_requested_at: row.try_get(next())?,
        parts_set: row.try_get(next())?,
        parts_count: row.try_get(next())?,
        waiting_since: row.try_get(next())?,
    })
}

#[cfg(test)]
mod tests {
    use mesdonnees_shared::imports::upload_key;

    use super::*;
    use crate::models::now;
    use crate::testing::lookup_connections;

    async fn lookup(db: &Database, owner: &str, id: &str) -> Option<String> {
        lookup_owned(db, owner, id).await.expect("lookup").map(|i| format!("{i:?}"))
    }

    #[tokio::test]
    async fn a_lookup_reads_what_the_pool_reads() {
        let Some((db, _dropped)) = crate::testing::postgres() else { return };
        let at = now();
        let mut import = Import::uploaded(
            "imp-1".into(),
            "alice".into(),
            Some("Alice « Élève »".into()),
            r#"["workspace.create"]"#.into(),
            "archive (2).zip".into(),
            upload_key("imp-1"),
            i64::MAX,
        );
        import.status = "running".into();
        import.job_id = Some("job-1".into());
        (import.analysis, import.selected_apps) = (Some("{}".into()), Some("[]".into()));
        import.report = Some(r#"{"apps":{}}"#.into());
        (import.files_done, import.files_total, import.bytes_done) = (1, 2, 3);
        (import.error_code, import.error_message) = (Some("c".into()), Some("m".into()));
        (import.started_at, import.finished_at) = (Some(at), Some(at));
        (import.auto_apps, import.cancel_requested_at) = (Some("[]".into()), Some(at));
        (import.parts_set, import.parts_count, import.waiting_since) =
            (Some("set".into()), Some(3), Some(at));
        let row = import.clone();
        assert!(db.run(move |c| super::super::insert(c, &row)).await.expect("insert"));
        let pooled = db
            .read(|c| super::super::find_owned(c, "alice", "imp-1"))
            .await
            .expect("find")
            .map(|i| format!("{i:?}"));
        assert!(pooled.is_some());

        assert_eq!(lookup(&db, "alice", "imp-1").await, pooled, "every field, both paths");
        assert_eq!(lookup_connections(&db, false), 1, "read off the pool");
        assert_eq!(lookup(&db, "bob", "imp-1").await, None, "another owner's");
        assert_eq!(lookup(&db, "alice", "imp-2").await, None);
    }
}
