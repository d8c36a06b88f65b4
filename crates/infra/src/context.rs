use std::sync::Arc;

use mesdonnees_db::Database;

use crate::auth::Verifier;
use crate::config::Config;
use crate::mailer::Mailer;
use crate::metrics::Metrics;
use crate::queue::JobQueue;
use crate::signing::{InstanceSigner, SigningError, generate_key, key_id};
use crate::storage::Storage;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mesdonnees_db::InstanceKey;
use mesdonnees_shared::apps::AppDescriptor;
use tokio::sync::OnceCell;

/// Everything a request handler or a job needs, built once at start and passed by reference;
/// there is no global state.
#[derive(Clone, Debug)]
pub struct Context {
    pub config: Arc<Config>,
    pub db: Database,
    pub storage: Storage,
    pub queue: JobQueue,
    /// Verifies user tokens (and mints them with the static key, when there is one).
    pub keys: Arc<Verifier>,
    /// Present when SMTP is configured.
    pub mailer: Option<Arc<Mailer>>,
    /// This process's metrics, exposed at `GET /metrics`.
    pub metrics: Arc<Metrics>,
    signer: Arc<OnceCell<Arc<InstanceSigner>>>,
    /// Keys of trusted instances fetched by address (`imports.trusted_keys`).
    pub fetched_keys: Arc<crate::published_keys::FetchedKeys>,
    /// "Now" for recurring exports and leavers: the system clock, unless a test sets another.
    pub clock: Arc<dyn crate::clock::Clock>,
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
    #[error(transparent)]
    Mail(#[from] crate::mailer::MailError),
}

impl Context {
    /// Connects to everything the configuration names; fails with the first real reason.
    pub async fn build(config: Config) -> Result<Self, BuildError> {
        let keys = Verifier::load(&config.auth, config.mode, &config.data_dir)?;
        let db = Database::connect(
            &config.database.url,
            config.database.pool_size,
            std::time::Duration::from_secs(config.database.acquire_timeout_secs),
        )?;
        let storage = Storage::from_config(&config.storage)?;
        let queue = JobQueue::connect(&config.queue).await?;
        let mailer = Mailer::from_config(&config.smtp)?.map(Arc::new);
        Ok(Self {
            config: Arc::new(config),
            db,
            storage,
            queue,
            keys: Arc::new(keys),
            mailer,
            metrics: Arc::new(Metrics::new()),
            signer: Arc::new(OnceCell::new()),
            fetched_keys: Arc::default(),
            clock: Arc::new(crate::clock::SystemClock),
        })
    }

    /// The apps this instance exports and imports.
    pub fn apps(&self) -> Vec<AppDescriptor> {
        std::iter::once(AppDescriptor::workspace())
            .chain(self.config.apps.iter().map(crate::apps::RemoteAppConfig::descriptor))
            .collect()
    }

    /// A remote app's configuration, when `id` names one.
    pub fn remote_app(&self, id: &str) -> Option<&crate::apps::RemoteAppConfig> {
        self.config.apps.iter().find(|app| app.id == id)
    }

    pub fn app(&self, id: &str) -> Option<AppDescriptor> {
        self.apps().into_iter().find(|app| app.id == id)
    }

    /// The instance key: from configuration, or generated once and kept in the database so
    /// that every API and worker process signs with the same key.
    pub async fn signer(&self) -> Result<Arc<InstanceSigner>, SignerError> {
        self.signer
            .get_or_try_init(|| async {
                let instance = self.config.exports.instance_name.clone();
                if let Some(pem) = &self.config.exports.signing_key_pem {
                    return Ok(Arc::new(InstanceSigner::from_pem(pem, &instance)?));
                }
                let stored = self
                    .db
                    .run(|conn| {
                        mesdonnees_db::exports::instance_key(conn, ARCHIVE_KEY, || {
                            let key = generate_key().expect("the system random source works");
                            InstanceKey {
                                id: ARCHIVE_KEY.to_owned(),
                                key_id: key_id(&key.public_key),
                                private_pkcs8: STANDARD.encode(&key.pkcs8),
                                public_key: STANDARD.encode(&key.public_key),
                                created_at: mesdonnees_db::models::now(),
                            }
                        })
                    })
                    .await?;
                let pkcs8 =
                    STANDARD.decode(stored.private_pkcs8).map_err(|_| SigningError::InvalidKey)?;
                let signer = InstanceSigner::from_pkcs8(&pkcs8, &instance)?
                    .signing_since(stored.created_at.and_utc());
                Ok(Arc::new(signer))
            })
            .await
            .cloned()
    }
}

/// Row id of the archive-signing key in `instance_keys`.
const ARCHIVE_KEY: &str = "archive-signing";

#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error(transparent)]
    Db(#[from] mesdonnees_db::DbError),
    #[error(transparent)]
    Signing(#[from] SigningError),
}
