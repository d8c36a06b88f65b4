//! The worker: consumes job ids from the queue, claims the job row, runs its handler with a
//! heartbeat, and records the outcome. A reconciler re-enqueues rows whose message was lost or
//! whose worker died, so the database alone decides what still has to run.

mod apps;
mod consumer;
mod error;
pub mod export;
mod export_mail;
mod handlers;
pub mod import;
mod leaver_mail;
mod notify;
mod opener;
mod reconciler;
mod runner;
pub mod scratch;
mod shutdown;
pub mod staging;

pub use consumer::run_consumer;
pub use error::JobError;
pub use reconciler::{reconcile_once, run_reconciler};
pub use runner::{JobOutcome, Runner};
pub use shutdown::Shutdown;
