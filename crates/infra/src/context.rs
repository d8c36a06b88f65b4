use std::sync::Arc;

use mesdonnees_db::Database;

use crate::auth::TokenKeys;
use crate::config::Config;
use crate::queue::JobQueue;
use crate::storage::Storage;

/// Everything a request handler or a job needs, built once at start and passed by reference;
/// there is no global state.
#[derive(Clone, Debug)]
pub struct Context {
    pub config: Arc<Config>,
    pub db: Database,
    pub storage: Storage,
    pub queue: JobQueue,
    pub keys: Arc<TokenKeys>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Db(#[from] mesdonnees_db::DbError),
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
    #[error(transparent)]
    Keys(#[from] crate::auth::KeyError),
}

impl Context {
    /// Connects to everything the configuration names; fails with the first real reason.
    pub async fn build(config: Config) -> Result<Self, BuildError> {
        let keys = TokenKeys::load(&config.auth, config.mode, &config.data_dir)?;
        let db = Database::connect(
            &config.database.url,
            config.database.pool_size,
            std::time::Duration::from_secs(config.database.acquire_timeout_secs),
        )?;
        let storage = Storage::from_config(&config.storage)?;
        let queue = JobQueue::connect(&config.queue).await?;
        Ok(Self { config: Arc::new(config), db, storage, queue, keys: Arc::new(keys) })
    }
}
