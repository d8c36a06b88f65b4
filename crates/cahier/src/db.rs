//! The SQLite database: a small connection pool, the embedded migrations, and running queries
//! off the async threads.

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PoolError, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// How long a writer waits for SQLite's single write lock; an import holds it for its whole
/// call, so this is generous.
const BUSY_TIMEOUT_MS: u32 = 30_000;
const POOL_SIZE: u32 = 8;

pub type Conn = PooledConnection<ConnectionManager<SqliteConnection>>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the database folder {0}")]
    Folder(PathBuf, #[source] std::io::Error),
    #[error("no database connection available")]
    Pool(#[from] PoolError),
    #[error("database query failed")]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("the database task stopped")]
    Cancelled,
}

impl DbError {
    /// SQLite's write lock stayed taken past the busy timeout.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            Self::Query(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("locked") || info.message().contains("busy")
        )
    }
}

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // WAL lets exports read while an import writes; foreign keys are off by default.
        conn.batch_execute(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}; \
             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<SqliteConnection>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

impl Db {
    /// Opens (creating the file and its folder) and migrates the database.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| DbError::Folder(parent.to_owned(), e))?;
        }
        let manager = ConnectionManager::<SqliteConnection>::new(path.to_string_lossy());
        let pool = Pool::builder()
            .max_size(POOL_SIZE)
            .connection_timeout(Duration::from_secs(30))
            .connection_customizer(Box::new(Pragmas))
            .build(manager)?;
        let db = Self { pool };
        db.conn()?
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| DbError::Migration(e.to_string()))?;
        Ok(db)
    }

    pub fn conn(&self) -> Result<Conn, DbError> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteConnection) -> Result<T, DbError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.conn()?;
            f(&mut conn)
        })
        .await
        .map_err(|_| DbError::Cancelled)?
    }
}
