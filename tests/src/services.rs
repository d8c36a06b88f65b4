//! What a test takes on the Postgres and Redis servers the environment names
//! (`TEST_DATABASE_URL`, `TEST_REDIS_URL`): a database of its own, dropped when the test ends,
//! and a queue name of its own, whose keys it removes.

use diesel::{Connection, RunQueryDsl};

/// A setting of the test environment; unset and empty are the same.
pub fn setting(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// A Postgres database of its own for one test, dropped with this value.
pub struct PgScratch {
    admin_url: String,
    name: String,
    /// The database's own URL, on the server of the admin URL.
    pub url: String,
}

impl PgScratch {
    /// Creates the database on the server of `admin_url` (`TEST_DATABASE_URL`).
    pub fn create(admin_url: &str) -> Self {
        let name = format!("mesdonnees_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = diesel::PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL does not answer: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create db");
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("TEST_DATABASE_URL must name a database"),
        };
        Self { admin_url: admin_url.to_owned(), name, url }
    }
}

impl Drop for PgScratch {
    fn drop(&mut self) {
        if let Ok(mut admin) = diesel::PgConnection::establish(&self.admin_url) {
            let _ =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
                    .execute(&mut admin);
        }
    }
}

/// A queue name of its own for one test on the Redis server of `TEST_REDIS_URL`.
pub struct RedisQueue {
    pub url: String,
    pub name: String,
}

impl RedisQueue {
    pub fn new(url: &str) -> Self {
        let name = format!("mesdonnees-test-{}", uuid::Uuid::new_v4().simple());
        Self { url: url.to_owned(), name }
    }

    /// Removes every key of the queue; the server not answering is no failure of the test.
    pub async fn clear(self) {
        let Ok(client) = redis::Client::open(self.url) else {
            return;
        };
        let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.name))
            .query_async(&mut conn)
            .await
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: Result<(), _> = redis::cmd("DEL").arg(keys).query_async(&mut conn).await;
        }
    }
}
