//! The reference the API is measured against: `pgbench` on the same Postgres, in the same run,
//! with as many clients as `wrk` has connections. Request rates do not carry from one machine to
//! another; the ratio to what the database itself serves does.
//!
//! - `GET /exports/{id}` against `pgbench -S -M prepared` (one indexed read per transaction);
//! - `POST /exports` against the built-in tpcb-like script, `-M prepared` (five statements in a
//!   transaction that writes).
//!
//! Pitfall: the tpcb-like script's `pgbench_history` grows with every run and its updates leave
//! dead rows behind (this machine's Postgres runs without autovacuum), so each tpcb-like run
//! starts from a freshly initialised database, as the first one did.

use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail, ensure};

use crate::load::ScratchDatabase;

/// One database of pgbench's own on the server, dropped at the end.
pub struct PgBench {
    database: ScratchDatabase,
    clients: u32,
    seconds: u32,
}

/// Which of pgbench's built-in scripts.
#[derive(Debug, Clone, Copy)]
pub enum Script {
    /// `-S`: one `SELECT` by primary key.
    SelectOnly,
    /// The default TPC-B-like transaction.
    TpcbLike,
}

impl PgBench {
    /// Creates the scratch database on `admin`'s server; it is initialised before each run.
    pub fn create(admin: &str, clients: u32, seconds: u32) -> Result<Self> {
        ensure!(
            crate::load::which("pgbench").is_some(),
            "pgbench is needed: apt-get install postgresql-client"
        );
        let database = ScratchDatabase::create(admin, "pgbench")?;
        Ok(Self { database, clients, seconds })
    }

    /// Transactions a second `script` ran, from pgbench's own report (connection time excluded).
    pub fn run(&self, script: Script) -> Result<f64> {
        self.initialise()?;
        let mut command = Command::new("pgbench");
        command.args(["-n", "-M", "prepared", "-j", "1"]);
        if matches!(script, Script::SelectOnly) {
            command.arg("-S");
        }
        let output = command
            .arg(format!("-c{}", self.clients))
            .arg(format!("-T{}", self.seconds))
            .arg(&self.database.url)
            .stdin(Stdio::null())
            .output()
            .context("running pgbench")?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        ensure!(
            output.status.success(),
            "pgbench failed:\n{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        tps(&stdout).with_context(|| format!("no tps in pgbench's report:\n{stdout}"))
    }

    /// `pgbench -i` at scale 1 (100,000 accounts, one branch): the tables recreated, vacuumed.
    fn initialise(&self) -> Result<()> {
        let output = Command::new("pgbench")
            .args(["-i", "-q"])
            .arg(&self.database.url)
            .stdin(Stdio::null())
            .output()
            .context("running pgbench -i")?;
        if !output.status.success() {
            bail!("pgbench -i failed:\n{}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(())
    }
}

/// `tps = 30322.123456 (without initial connection time)` → 30322.12.
fn tps(report: &str) -> Option<f64> {
    report.lines().find_map(|line| line.strip_prefix("tps = ")?.split(' ').next()?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_rate_without_connection_time() {
        let report = "number of failed transactions: 0 (0.000%)\nlatency average = 1.055 ms\n\
                      initial connection time = 28.468 ms\n\
                      tps = 30322.123456 (without initial connection time)\n";
        assert_eq!(tps(report), Some(30_322.123_456));
        assert_eq!(tps("latency average = 1.055 ms\n"), None);
    }
}
