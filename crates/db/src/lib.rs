//! The database: one diesel schema over Postgres (production) and SQLite (embedded default).
//!
//! Every query goes through [`DbConnection`], a diesel `MultiConnection`, so there is one code
//! path for both backends. Diesel is synchronous: callers run queries on a blocking thread
//! through [`Database::run`]. On Postgres, the API's hottest reads by key skip the pool
//! (`lookups`), their SQL still written by diesel.
//!
//! The multi backend has no `ON CONFLICT`: insert, and read a unique violation as "already
//! there", inside a savepoint when in a transaction (on Postgres a failed statement aborts the
//! whole transaction). `SUM(BIGINT)` is NUMERIC on Postgres and INTEGER on SQLite: select
//! `CAST(COALESCE(SUM(x), 0) AS BIGINT)`. Neither Uuid nor Timestamptz exists on both: ids are
//! TEXT, times naive UTC.

pub mod audit;
pub mod creations;
pub mod documents;
pub mod export_parts;
pub mod exports;
mod import_json;
pub mod imports;
pub mod jobs;
pub mod leavers;
mod lookups;
pub mod models;
pub mod notifications;
mod pool;
pub mod schedules;
pub mod schema;
mod static_sql;
mod stored_json;
pub mod templates;
#[cfg(test)]
mod testing;
pub mod workspace;

pub use models::{
    AuditEntry, Document, DocumentKind, Export, ExportEntry, ExportPart, ExportSchedule,
    ExportTemplate, Import, ImportItem, ImportPart, ImportScan, InstanceKey, Job, Leaver,
    NewDocument, Notification, Share,
};
pub use pool::{Backend, Database, DbConnection, DbError};
pub use stored_json::CorruptColumn;

/// Upper bound for one page of any listing.
pub const MAX_PAGE_SIZE: i64 = 200;

/// A page request already clamped to sane bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: i64,
    pub size: i64,
}

impl Page {
    pub fn new(number: Option<i64>, size: Option<i64>, default_size: i64) -> Self {
        Self {
            number: number.unwrap_or(1).max(1),
            size: size.unwrap_or(default_size).clamp(1, MAX_PAGE_SIZE),
        }
    }

    pub fn offset(self) -> i64 {
        (self.number - 1).saturating_mul(self.size)
    }
}
