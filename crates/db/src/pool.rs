//! The connection pool, its backend chosen from the URL scheme (the derived `establish` would
//! hide a Postgres connection error behind a SQLite one).
//!
//! In WAL mode a SQLite transaction that reads, then writes after another connection
//! committed, fails at once with `database is locked` (the busy timeout does not apply): every
//! transaction begins with a write that changes nothing, so writers queue instead of failing a
//! check-then-insert now and then.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::lookups::Lookups;

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Runs `$body` with `$c` bound to the backend's own connection inside `$conn`.
///
/// For the hot lookups by key. Through the multi-backend connection, diesel writes a query's
/// SQL again at every call (a tenth of a request's time under load) to find its prepared
/// statement; on the backend's own connection the statement is found by the query's type. The
/// body is written once and compiled for each backend.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConnection::Pg($c) => $body,
            $crate::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL scheme (expected postgres:// or sqlite://)")]
    UnsupportedUrl,
    #[error("cannot create the database folder {0}")]
    Folder(PathBuf, #[source] std::io::Error),
    #[error("cannot connect to the database")]
    Connect(#[from] ConnectionError),
    #[error("no database connection available")]
    Pool(#[from] r2d2::PoolError),
    #[error("database query failed")]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("cannot encode a job payload")]
    Encode(#[from] serde_json::Error),
    #[error("the blocking database task was cancelled")]
    Cancelled,
}

impl DbError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Query(diesel::result::Error::NotFound))
    }
}

/// Where to connect, decided from the URL scheme. The derived `MultiConnection::establish` tries
/// each backend in turn, which hides the real error and would create a SQLite file named after a
/// Postgres URL; choosing by scheme avoids both.
#[derive(Debug, Clone)]
enum Target {
    Postgres(String),
    Sqlite(PathBuf),
}

impl Target {
    fn parse(url: &str) -> Result<Self, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }

    fn connect(&self) -> Result<DbConnection, ConnectionError> {
        match self {
            Self::Postgres(url) => PgConnection::establish(url).map(DbConnection::Pg),
            Self::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // WAL lets readers run beside the one writer; busy_timeout makes writers wait
                // for each other instead of failing; foreign keys are off by default in SQLite.
                // Each connection's page cache is kept small (SQLITE_CACHE_KIB): at the default
                // 2 MiB each, the pooled connections' caches filled as the database grew and
                // the process's memory with them, while the system's page cache holds the file
                // anyway.
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA cache_size = -{SQLITE_CACHE_KIB};",
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// Page cache of one SQLite connection, in KiB.
const SQLITE_CACHE_KIB: u32 = 256;

/// Longest a pooled connection may sit unused before it is pinged on checkout. Pinging every
/// checkout would double the round trips of every short request; a connection used a moment ago
/// is very likely alive, and one that dies under use is dropped by `has_broken`.
const PING_AFTER_IDLE: Duration = Duration::from_secs(15);

/// A pooled connection and when it was last used. A query that finds the server gone leaves
/// diesel's transaction manager in error, so `is_broken` keeps such a connection out of the pool;
/// only one that died while idle needs the ping.
pub(crate) struct TrackedConnection {
    conn: DbConnection,
    /// Set when the idle ping failed.
    lost: bool,
    last_used: Instant,
}

// Lets query tests take the pooled connection as a plain `&mut DbConnection`.
#[cfg(test)]
impl std::ops::Deref for TrackedConnection {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

#[cfg(test)]
impl std::ops::DerefMut for TrackedConnection {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

pub(crate) struct Manager(Target);

impl ManageConnection for Manager {
    type Connection = TrackedConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<TrackedConnection, ConnectionError> {
        let conn = self.0.connect()?;
        Ok(TrackedConnection { conn, lost: false, last_used: Instant::now() })
    }

    fn is_valid(&self, pooled: &mut TrackedConnection) -> Result<(), ConnectionError> {
        use diesel::r2d2::R2D2Connection;
        pooled.conn.ping().map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, pooled: &mut TrackedConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        pooled.lost || pooled.conn.is_broken()
    }
}

/// A cloneable handle on the connection pool.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// Reads by key off the pool, on Postgres (see `lookups`).
    lookups: Option<Arc<Lookups>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Database {
    /// Connects (creating the SQLite file and its folder when needed) and checks one connection
    /// so a wrong URL fails at start with the real reason.
    pub fn connect(url: &str, pool_size: u32, acquire_timeout: Duration) -> Result<Self, DbError> {
        let target = Target::parse(url)?;
        let lookups = match &target {
            Target::Postgres(url) => Lookups::for_url(url).map(Arc::new),
            Target::Sqlite(_) => None,
        };
        let backend = match &target {
            Target::Postgres(_) => Backend::Postgres,
            Target::Sqlite(path) => {
                ensure_parent(path)?;
                Backend::Sqlite
            }
        };
        drop(target.connect()?);
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(0))
            .connection_timeout(acquire_timeout)
            .test_on_check_out(false)
            .build_unchecked(Manager(target));
        Ok(Self { pool, backend, lookups })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn lookups(&self) -> Option<&Lookups> {
        self.lookups.as_deref()
    }

    pub fn run_migrations(&self) -> Result<usize, DbError> {
        let mut pooled = checkout(&self.pool)?;
        let applied = match &mut pooled.conn {
            DbConnection::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len()),
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        };
        applied.map_err(|e| DbError::Migration(e.to_string()))
    }

    /// Runs a closure with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut pooled = checkout(&pool)?;
            let result = f(&mut pooled.conn);
            pooled.last_used = Instant::now();
            result
        })
        .await
        .map_err(|_| DbError::Cancelled)?
    }

    /// A read of a few rows by key, run on the calling thread when a connection sits idle in
    /// the pool and was used a moment ago; else the same as [`Database::run`].
    ///
    /// Such a query takes tens of microseconds; sending it to a blocking thread and back costs
    /// two thread wake-ups on top, which under load is most of a request's time. The caller's
    /// thread waits for the database meanwhile, so only a lookup by key belongs here: never a
    /// scan, a write (which may wait for a lock), or a query in the worker.
    pub async fn read<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    {
        match self.pool.try_get() {
            Some(mut pooled) if pooled.last_used.elapsed() < PING_AFTER_IDLE => {
                let result = f(&mut pooled.conn);
                pooled.last_used = Instant::now();
                result
            }
            // Idle for long: the blocking path pings it first, off this thread.
            stale => {
                drop(stale);
                self.run(f).await
            }
        }
    }

    /// Same as [`Database::run`] inside one transaction.
    ///
    /// On SQLite the transaction takes the write lock before its first read. A transaction
    /// that reads, then writes after another connection has committed, is refused at once
    /// with `SQLITE_BUSY` (its snapshot is stale; the busy timeout does not apply), which
    /// would surface as a 500 for a check-then-insert such as an upload's quota check.
    /// Waiting for the lock first makes writers queue instead.
    pub async fn transaction<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    {
        self.run(move |conn| {
            conn.transaction(|tx| {
                if let DbConnection::Sqlite(sqlite) = tx {
                    // A write statement takes the write lock even when it changes nothing.
                    sqlite.batch_execute("DELETE FROM creations WHERE 0")?;
                }
                f(tx)
            })
        })
        .await
    }

    /// A pooled connection on the calling thread, for the query tests.
    #[cfg(test)]
    pub(crate) fn connection(&self) -> Result<r2d2::PooledConnection<Manager>, DbError> {
        checkout(&self.pool)
    }

    pub async fn ping(&self) -> Result<(), DbError> {
        self.run(|conn| {
            use diesel::r2d2::R2D2Connection;
            conn.ping().map_err(DbError::Query)
        })
        .await
    }
}

/// A connection from the pool, pinged first when it has been idle long enough for the server
/// (or a proxy) to have dropped it; a dead one is discarded and the next one tried.
fn checkout(pool: &r2d2::Pool<Manager>) -> Result<r2d2::PooledConnection<Manager>, DbError> {
    use diesel::r2d2::R2D2Connection;
    // Every idle connection may be stale after a server restart: try at most the whole pool,
    // then one freshly opened.
    for _ in 0..=pool.max_size() {
        let mut pooled = pool.get()?;
        if pooled.last_used.elapsed() < PING_AFTER_IDLE || pooled.conn.ping().is_ok() {
            return Ok(pooled);
        }
        pooled.lost = true;
    }
    Ok(pool.get()?)
}

fn ensure_parent(path: &Path) -> Result<(), DbError> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|e| DbError::Folder(parent.to_path_buf(), e))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;
    use diesel::sql_types::Integer;

    use super::*;

    #[derive(diesel::QueryableByName)]
    struct Pid {
        #[diesel(sql_type = Integer)]
        pid: i32,
    }

    fn backend_pid(conn: &mut DbConnection) -> Result<i32, DbError> {
        Ok(diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result::<Pid>(conn)?.pid)
    }

    /// Ends the server side of the connection the pool hands out next (r2d2 reuses the most
    /// recently returned one), as a server restart would, and returns its backend pid.
    /// `idle_for` backdates its last use.
    fn end_next_connection(db: &Database, idle_for: Duration) -> i32 {
        let mut victim = checkout(&db.pool).expect("a connection");
        let mut killer = checkout(&db.pool).expect("a second connection");
        let pid = backend_pid(&mut victim.conn).expect("its pid");
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut killer.conn)
            .expect("terminate");
        victim.last_used = Instant::now().checked_sub(idle_for).expect("a past instant");
        drop(killer);
        drop(victim);
        pid
    }

    #[tokio::test]
    async fn a_connection_found_dead_by_a_query_is_not_returned_to_the_pool() {
        let Some((db, _guard)) = crate::testing::postgres() else { return };
        let dead = end_next_connection(&db, Duration::ZERO);
        let error = db.run(backend_pid).await.expect_err("the dead connection fails once");
        assert!(
            matches!(
                error,
                DbError::Query(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ClosedConnection,
                    _
                ))
            ),
            "not seen as a lost connection: {error:?}"
        );
        let next = db.run(backend_pid).await.expect("the pool moved on");
        assert_ne!(next, dead);
        assert_eq!(db.pool.state().connections, 1, "the dead connection was kept");
    }

    #[tokio::test]
    async fn a_connection_idle_for_long_is_pinged_and_replaced_when_dead() {
        let Some((db, _guard)) = crate::testing::postgres() else { return };
        let dead = end_next_connection(&db, PING_AFTER_IDLE * 2);
        let next = db.run(backend_pid).await.expect("no request sees the dead connection");
        assert_ne!(next, dead);
    }

    #[tokio::test]
    async fn a_read_uses_the_connection_just_returned_on_the_calling_thread() {
        let Some((db, _guard)) = crate::testing::postgres() else { return };
        let first = db.run(backend_pid).await.expect("a first query");
        let caller = std::thread::current().id();
        let (pid, thread) = db
            .read(move |conn| Ok((backend_pid(conn)?, std::thread::current().id())))
            .await
            .expect("the read");
        assert_eq!(pid, first, "not the pooled connection");
        assert_eq!(thread, caller, "sent to another thread");
    }

    #[tokio::test]
    async fn a_read_leaves_a_connection_idle_for_long_to_the_ping() {
        let Some((db, _guard)) = crate::testing::postgres() else { return };
        let dead = end_next_connection(&db, PING_AFTER_IDLE * 2);
        let next = db.read(backend_pid).await.expect("no read sees the dead connection");
        assert_ne!(next, dead);
    }

    /// Check-then-insert transactions racing on SQLite: each reads, then writes. Without the
    /// write lock taken first, the ones whose snapshot another commit made stale fail at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_transactions_that_read_then_write_queue_instead_of_failing() {
        use diesel::{ExpressionMethods, QueryDsl};
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("race.db").display());
        let db = Database::connect(&url, 8, Duration::from_secs(10)).expect("pool");
        db.run_migrations().expect("migrations");
        let mut racers = Vec::new();
        for n in 0..64 {
            let db = db.clone();
            racers.push(tokio::spawn(async move {
                db.transaction(move |conn| {
                    use crate::schema::creations::dsl;
                    let before: i64 = dsl::creations.count().get_result(conn)?;
                    std::thread::sleep(Duration::from_millis(2));
                    diesel::insert_into(dsl::creations)
                        .values((
                            dsl::id.eq(format!("c{n}")),
                            dsl::owner_id.eq("ann"),
                            dsl::created_at.eq(crate::models::now()),
                        ))
                        .execute(conn)?;
                    Ok(before)
                })
                .await
            }));
        }
        for racer in racers {
            racer.await.expect("joined").expect("no transaction refused");
        }
        let total: i64 = db
            .run(|conn| {
                use diesel::QueryDsl;
                Ok(crate::schema::creations::table.count().get_result(conn)?)
            })
            .await
            .expect("count");
        assert_eq!(total, 64);
    }

    /// Every pooled SQLite connection has the small page cache, not SQLite's 2 MiB default,
    /// which would let the process grow with the database.
    #[test]
    fn sqlite_connections_keep_a_small_page_cache() {
        #[derive(diesel::QueryableByName)]
        struct CacheSize {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            cache_size: i64,
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("cache.db").display());
        let db = Database::connect(&url, 2, Duration::from_secs(10)).expect("pool");
        // Both held at once, so that neither is the other reused.
        let mut held = [checkout(&db.pool).expect("one"), checkout(&db.pool).expect("two")];
        for tracked in &mut held {
            let size: CacheSize = diesel::sql_query("PRAGMA cache_size")
                .get_result(&mut tracked.conn)
                .expect("pragma");
            assert_eq!(size.cache_size, -i64::from(SQLITE_CACHE_KIB));
        }
    }
}
