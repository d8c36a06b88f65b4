//! Reads by key on Postgres without a blocking thread: one client per thread that asks, each
//! over its own connection, run by that thread's runtime.
//!
//! Through the pool, a lookup holds its thread while Postgres answers (or hops to a blocking
//! thread and back): the HTTP worker can serve nobody meanwhile, and each lookup costs two
//! context switches. Here the worker goes on with other requests, and the lookups it sends
//! while the previous ones are out share the connection's writes (the client pipelines them).
//!
//! Pitfalls:
//! - A client is kept per thread, not shared: its connection runs as a task of the runtime of
//!   the thread that opened it, and a lookup from another thread would wake that one for every
//!   query. A runtime that ends takes its connection with it; the client then reports itself
//!   closed and the next lookup on that thread opens another.
//! - At most [`MAX_CLIENTS`] connections; past that, or when a lookup fails for any reason, the
//!   caller falls back to the pool: a lookup here is a speed-up, never the only way.
//! - Only plain connections: a URL that requires TLS keeps every read on the pool.
//! - A connection that cannot be opened is not tried again for [`RETRY_AFTER`]: a server that
//!   refuses connections would otherwise be asked for one by every request.
//! - A statement that fails leaves the client's cache: one a migration made stale (a column's
//!   type changed) fails once, through the pool's path, then is prepared again.
//! - The statements are written by diesel from the same query as the pool's path, so the
//!   columns cannot drift apart; each caller maps its row by position, in the order of its
//!   model's fields, and a test compares both paths field by field.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use diesel::pg::{Pg, PgQueryBuilder};
use diesel::query_builder::{QueryBuilder, QueryFragment};
use tokio_postgres::config::SslMode;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row, Statement};

use crate::{Database, DbConnection, DbError};

/// The `application_name` of the lookups' connections.
pub(crate) const APPLICATION_NAME: &str = "mesdonnees-lookups";

/// Most connections the lookups open, one per thread that reads (the HTTP workers).
const MAX_CLIENTS: usize = 16;

/// How long no connection is tried again after one could not be opened: a server refusing
/// connections (full, restarting) is not asked again by every request.
const RETRY_AFTER: Duration = Duration::from_secs(10);

/// A statement of the lookups: a name for the cache, and how to write its SQL.
pub(crate) struct Lookup {
    pub(crate) name: &'static str,
    pub(crate) sql: fn() -> diesel::QueryResult<String>,
}

pub(crate) struct Lookups {
    config: tokio_postgres::Config,
    clients: Mutex<HashMap<ThreadId, Arc<Client>>>,
    /// Until when no connection is tried, after one failed to open.
    resting_until: Mutex<Option<Instant>>,
}

struct Client {
    pg: tokio_postgres::Client,
    statements: Mutex<HashMap<&'static str, Statement>>,
}

impl Lookups {
    /// Lookups for the server at `url`, or `None` when its URL is not one this client reads
    /// the same way, or requires TLS.
    pub(crate) fn for_url(url: &str) -> Option<Self> {
        let mut config: tokio_postgres::Config = url.parse().ok()?;
        if config.get_ssl_mode() == SslMode::Require {
            return None;
        }
        // Tells these connections apart in `pg_stat_activity`.
        config.application_name(APPLICATION_NAME);
        Some(Self { config, clients: Mutex::new(HashMap::new()), resting_until: Mutex::new(None) })
    }

    /// The row `lookup` finds with `params`, if any.
    pub(crate) async fn query_opt(
        &self,
        lookup: &Lookup,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, LookupError> {
        let client = self.client().await?;
        let cached = lock(&client.statements).get(lookup.name).cloned();
        let statement = if let Some(statement) = cached {
            statement
        } else {
            let statement = client.pg.prepare(&(lookup.sql)()?).await?;
            lock(&client.statements).insert(lookup.name, statement.clone());
            statement
        };
        let found = client.pg.query_opt(&statement, params).await;
        if found.is_err() {
            // Prepared again next time: a statement a migration made stale would fail forever.
            lock(&client.statements).remove(lookup.name);
        }
        Ok(found?)
    }

    /// This thread's client, opened when it has none or its connection ended.
    async fn client(&self) -> Result<Arc<Client>, LookupError> {
        let me = std::thread::current().id();
        if let Some(client) = lock(&self.clients).get(&me).filter(|c| !c.pg.is_closed()) {
            return Ok(Arc::clone(client));
        }
        if lock(&self.clients).values().filter(|c| !c.pg.is_closed()).count() >= MAX_CLIENTS {
            return Err(LookupError::Full);
        }
        if lock(&self.resting_until).is_some_and(|until| Instant::now() < until) {
            return Err(LookupError::Resting);
        }
        let (pg, connection) = match self.config.connect(NoTls).await {
            Ok(opened) => opened,
            Err(e) => {
                *lock(&self.resting_until) = Some(Instant::now() + RETRY_AFTER);
                return Err(e.into());
            }
        };
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "a lookup connection to the database ended");
            }
        });
        let client = Arc::new(Client { pg, statements: Mutex::new(HashMap::new()) });
        let mut clients = lock(&self.clients);
        clients.retain(|_, c| !c.pg.is_closed());
        clients.insert(me, Arc::clone(&client));
        Ok(client)
    }
}

/// The row `lookup` finds with `params`, mapped by `of_row`, through the lookups when `db`
/// has them; else, or when they fail, `pooled` through the pool.
pub(crate) async fn find<T: Send + 'static>(
    db: &Database,
    lookup: &Lookup,
    params: &[&(dyn ToSql + Sync)],
    of_row: fn(&Row) -> Result<T, tokio_postgres::Error>,
    pooled: impl FnOnce(&mut DbConnection) -> Result<Option<T>, DbError> + Send + 'static,
) -> Result<Option<T>, DbError> {
    if let Some(lookups) = db.lookups() {
        let found = lookups
            .query_opt(lookup, params)
            .await
            .and_then(|row| row.map(|row| of_row(&row)).transpose().map_err(LookupError::from));
        match found {
            Ok(found) => return Ok(found),
            Err(LookupError::Full | LookupError::Resting) => {}
            Err(e) => {
                tracing::warn!(lookup = lookup.name, error = %e, "a lookup goes through the pool");
            }
        }
    }
    db.read(pooled).await
}

/// The SQL diesel writes for `query` on Postgres, its binds numbered from `$1`.
pub(crate) fn sql_of(query: &dyn QueryFragment<Pg>) -> diesel::QueryResult<String> {
    let mut sql = PgQueryBuilder::default();
    query.to_sql(&mut sql, &Pg)?;
    Ok(sql.finish())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The maps stay consistent whatever panicked while one was held: each change is one call.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a lookup did not answer; the caller reads through the pool instead.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LookupError {
    #[error("every lookup connection is taken")]
    Full,
    #[error("no lookup connection is tried for a while after one failed to open")]
    Resting,
    #[error("lookup failed")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("lookup statement not written")]
    Sql(#[from] diesel::result::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    const BY_ID: Lookup = Lookup { name: "test.by_id", sql: || Ok("SELECT $1::text".to_owned()) };

    #[tokio::test]
    async fn a_server_that_refuses_is_not_asked_again_by_every_read() {
        // Nothing listens on port 1: the connection is refused at once.
        let lookups = Lookups::for_url("postgres://postgres@127.0.0.1:1/none").expect("a URL");
        let id: &(dyn ToSql + Sync) = &"x";
        let first = lookups.query_opt(&BY_ID, &[id]).await;
        assert!(matches!(first, Err(LookupError::Postgres(_))), "{first:?}");
        let next = lookups.query_opt(&BY_ID, &[id]).await;
        assert!(matches!(next, Err(LookupError::Resting)), "{next:?}");
    }

    #[test]
    fn a_url_that_requires_tls_keeps_the_reads_on_the_pool() {
        assert!(Lookups::for_url("postgres://u@db.example/ent?sslmode=require").is_none());
        assert!(Lookups::for_url("postgres://u@127.0.0.1/ent?sslmode=disable").is_some());
    }
}
