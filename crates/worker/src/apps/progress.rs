//! An import's progress as apps' importers report it, entry by entry: written to the row at
//! intervals, each write also telling whether the import was ended or a stop asked meanwhile.

use std::time::{Duration, Instant};

use mesdonnees_db::imports;
use mesdonnees_infra::Context;

use crate::error::JobError;
use crate::opener::Failure;

/// Progress written to the row at most every `exports.progress_interval_ms`; each write also
/// tells whether the import was ended meanwhile.
pub(crate) struct Progress<'a> {
    /// A stop was asked: importers end at the next entry boundary, keeping what they did.
    pub(crate) stop_asked: bool,
    ctx: &'a Context,
    import_id: &'a str,
    files: u64,
    bytes: u64,
    last: Instant,
    every: Duration,
}

impl<'a> Progress<'a> {
    pub(crate) fn new(ctx: &'a Context, import_id: &'a str) -> Self {
        Self {
            stop_asked: false,
            ctx,
            import_id,
            files: 0,
            bytes: 0,
            last: Instant::now(),
            every: Duration::from_millis(ctx.config.exports.progress_interval_ms),
        }
    }

    pub(crate) async fn advance(&mut self, bytes: u64) -> Result<(), Failure> {
        self.files += 1;
        self.bytes += bytes;
        if self.last.elapsed() >= self.every { self.flush().await } else { Ok(()) }
    }

    pub(crate) async fn flush(&mut self) -> Result<(), Failure> {
        self.last = Instant::now();
        mesdonnees_infra::memory::release_free_memory();
        let id = self.import_id.to_owned();
        let (files, bytes) = (as_i64(self.files), as_i64(self.bytes));
        let status =
            self.ctx.db.run(move |conn| imports::progress(conn, &id, files, bytes)).await?;
        match status {
            Some((status, stop)) if status == "running" => {
                self.stop_asked |= stop;
                Ok(())
            }
            _ => Err(Failure::Job(JobError::Permanent("the import was ended meanwhile".into()))),
        }
    }
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
