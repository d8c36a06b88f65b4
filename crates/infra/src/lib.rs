//! Configuration, and building what it describes: the database pool, the object store, the job
//! queue and the token keys. Read once at start and passed around in [`Context`].

pub mod apps;
pub mod auth;
pub mod clock;
pub mod config;
pub mod context;
pub mod mailer;
pub mod memory;
pub mod metrics;
pub mod published_keys;
pub mod queue;
pub mod signature_check;
pub mod signing;
pub mod storage;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, Mode};
pub use context::Context;
pub use metrics::Metrics;
