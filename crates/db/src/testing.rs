//! Databases for the query tests: a migrated SQLite file always, and a fresh Postgres database
//! when `TEST_DATABASE_URL` names a server, each removed afterwards.

use std::path::PathBuf;
use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};

use crate::{Database, DbConnection};

struct Scratch {
    db: Option<Database>,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Scratch {
    fn sqlite() -> Self {
        let path = std::env::temp_dir()
            .join(format!("mesdonnees-db-test-{}.db", uuid::Uuid::new_v4().simple()));
        let db =
            Database::connect(&format!("sqlite://{}", path.display()), 2, Duration::from_secs(10))
                .expect("a SQLite file in the temp folder");
        Self::migrated(db, Cleanup::Sqlite(path))
    }

    fn postgres(admin_url: &str) -> Self {
        let name = format!("mesdonnees_db_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL does not answer: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create db");
        let Some((server, _)) = admin_url.rsplit_once('/') else {
            panic!("TEST_DATABASE_URL must name a database")
        };
        let cleanup = Cleanup::Postgres { admin_url: admin_url.to_owned(), name: name.clone() };
        let db = Database::connect(&format!("{server}/{name}"), 2, Duration::from_secs(10));
        Self::migrated(db.expect("the new database answers"), cleanup)
    }

    fn migrated(db: Database, cleanup: Cleanup) -> Self {
        db.run_migrations().expect("migrations");
        Self { db: Some(db), cleanup }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // The pool goes first so no connection keeps the file or the database in use.
        drop(self.db.take());
        match &self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::establish(admin_url) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut admin);
                }
            }
        }
    }
}

/// A fresh migrated Postgres database when `TEST_DATABASE_URL` names a server; it is dropped
/// with the returned guard.
pub(crate) fn postgres() -> Option<(Database, impl Drop)> {
    let url = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    let scratch = Scratch::postgres(&url);
    let db = scratch.db.clone().expect("open until dropped");
    Some((db, scratch))
}

/// Runs `test` on a fresh SQLite database, then on a fresh Postgres one when configured.
pub(crate) fn each_backend(test: impl Fn(&mut DbConnection)) {
    let mut backends = vec![Scratch::sqlite()];
    if let Ok(url) = std::env::var("TEST_DATABASE_URL")
        && !url.is_empty()
    {
        backends.push(Scratch::postgres(&url));
    }
    for scratch in &backends {
        let db = scratch.db.as_ref().expect("open until dropped");
        // Printed only when the test fails, to tell which backend it failed on.
        println!("on {:?}", db.backend());
        let mut conn = db.connection().expect("a connection");
        test(&mut conn);
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// How many connections the lookups hold to `db`'s database (a Postgres one), after
/// terminating them when `terminate`.
pub(crate) fn lookup_connections(db: &Database, terminate: bool) -> i64 {
    let action = if terminate { "pg_terminate_backend(pid)::int" } else { "1" };
    let sql = format!(
        "SELECT CAST(COALESCE(SUM({action}), 0) AS BIGINT) AS n FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = '{}'",
        crate::lookups::APPLICATION_NAME
    );
    let mut conn = db.connection().expect("a connection");
    diesel::sql_query(sql).get_result::<Count>(&mut **conn).expect("activity").n
}
