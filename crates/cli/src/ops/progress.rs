//! Progress of a job for the person at the terminal: a bar when stderr is one, else a plain
//! line when the status changes and at most every few seconds.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Pause between two plain lines of one unchanged status.
const LINE_EVERY: Duration = Duration::from_secs(5);

pub struct Reporter {
    label: String,
    bar: Option<ProgressBar>,
    last_status: String,
    last_line: Option<Instant>,
}

impl Reporter {
    /// A bar when stderr is a terminal, lines otherwise.
    pub fn new(label: impl Into<String>) -> Self {
        Self::with_bar(label, std::io::stderr().is_terminal())
    }

    /// Plain lines only (several jobs followed at once).
    pub fn lines(label: impl Into<String>) -> Self {
        Self::with_bar(label, false)
    }

    fn with_bar(label: impl Into<String>, bar: bool) -> Self {
        let label = label.into();
        let bar = bar.then(|| {
            let bar = ProgressBar::new(0);
            let style = ProgressStyle::with_template(
                "{prefix} {msg:10} [{bar:30}] {bytes}/{total_bytes} {elapsed}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(label.clone());
            bar
        });
        Self { label, bar, last_status: String::new(), last_line: None }
    }

    /// The job is `status`, `done` of `total` bytes along.
    pub fn show(&mut self, status: &str, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total.max(done));
            bar.set_position(done);
            if status != self.last_status {
                bar.set_message(status.to_owned());
                self.last_status = status.to_owned();
            }
            return;
        }
        let changed = status != self.last_status;
        if changed || self.last_line.is_none_or(|at| at.elapsed() >= LINE_EVERY) {
            eprintln!("{}: {status} {done}/{total} bytes", self.label);
            self.last_status = status.to_owned();
            self.last_line = Some(Instant::now());
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.finish();
    }
}
