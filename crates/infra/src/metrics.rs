//! The process's Prometheus metrics. The registry is a value held by the [`Context`]: each
//! process (and each test) has its own, nothing is recorded through a global.
//!
//! Counters and histograms count what this process did; the queue gauges are refreshed from the
//! `jobs` table when they are read, so every process reports the same truth about the queue.
//!
//! [`Context`]: crate::Context

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

/// The content type of [`Metrics::encode`]'s text, which Prometheus asks for and parses.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Job statuses the queue gauges report.
pub const QUEUE_STATUSES: [&str; 2] = ["queued", "running"];

/// The route label of a request no route matched: the raw path would let anyone create series.
pub const UNMATCHED_ROUTE: &str = "unmatched";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    kind: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ScanLabels {
    source: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: &'static str,
}

/// How one run of a job ended, as the `outcome` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobResult {
    Done,
    /// Failed this time; it will be tried again.
    Retried,
    /// Failed for good at once (a permanent failure).
    Failed,
    /// Failed on its last attempt.
    GivenUp,
    /// Cut short by a shutdown and handed back to the queue.
    HandedBack,
}

impl JobResult {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Retried => "retried",
            Self::Failed => "failed",
            Self::GivenUp => "given_up",
            Self::HandedBack => "handed_back",
        }
    }
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    http_requests: Family<RequestLabels, Counter>,
    http_duration: HistogramFamily<RouteLabels>,
    jobs: Family<JobLabels, Counter>,
    job_duration: HistogramFamily<KindLabels>,
    exported_bytes: Counter,
    imported_bytes: Counter,
    import_scans: Family<ScanLabels, Counter>,
    queue_depth: Family<StatusLabels, Gauge>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// 5 ms to ~10 s: an API call, a page of a listing, a small upload.
fn request_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 12))
}

/// 10 ms to ~45 min: an e-mail, a purge, an export of a few files or of years of documents.
fn job_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 4.0, 10))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("mesdonnees");
        let http_requests = Family::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route pattern and status",
            http_requests.clone(),
        );
        let http_duration = HistogramFamily::new_with_constructor(request_buckets as fn() -> _);
        registry.register_with_unit(
            "http_request_duration",
            "Time to the response's head, by method and route pattern",
            Unit::Seconds,
            http_duration.clone(),
        );
        let jobs = Family::default();
        registry.register(
            "jobs",
            "Job runs, by kind and outcome (done, retried, failed, given_up, handed_back)",
            jobs.clone(),
        );
        let job_duration = HistogramFamily::new_with_constructor(job_buckets as fn() -> _);
        registry.register_with_unit(
            "job_duration",
            "Duration of job runs, by kind",
            Unit::Seconds,
            job_duration.clone(),
        );
        let exported_bytes = Counter::default();
        registry.register_with_unit(
            "exported",
            "Bytes of export archives published",
            Unit::Bytes,
            exported_bytes.clone(),
        );
        let imported_bytes = Counter::default();
        registry.register_with_unit(
            "imported",
            "Bytes of archives imported",
            Unit::Bytes,
            imported_bytes.clone(),
        );
        let import_scans = Family::default();
        registry.register(
            "import_scans",
            "Structures of uploaded archives read, by source: the archive itself (scanned) or \
             the scan its import kept",
            import_scans.clone(),
        );
        let queue_depth = Family::default();
        registry.register(
            "queue_jobs",
            "Job rows waiting (queued) or being worked on (running), read from the database",
            queue_depth.clone(),
        );
        Self {
            registry,
            http_requests,
            http_duration,
            jobs,
            job_duration,
            exported_bytes,
            imported_bytes,
            import_scans,
            queue_depth,
        }
    }

    /// One answered request. `route` is the matched pattern (`/api/v1/exports/{id}`), never the
    /// path, so ids do not become labels.
    pub fn record_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let method = method_label(method);
        self.http_requests
            .get_or_create(&RequestLabels { method, route: route.to_owned(), status })
            .inc();
        self.http_duration
            .get_or_create(&RouteLabels { method, route: route.to_owned() })
            .observe(elapsed.as_secs_f64());
    }

    /// One run of a job that was claimed.
    pub fn record_job(&self, kind: &str, result: JobResult, elapsed: Duration) {
        self.jobs
            .get_or_create(&JobLabels { kind: kind.to_owned(), outcome: result.as_str() })
            .inc();
        self.job_duration
            .get_or_create(&KindLabels { kind: kind.to_owned() })
            .observe(elapsed.as_secs_f64());
    }

    pub fn add_exported_bytes(&self, bytes: u64) {
        self.exported_bytes.inc_by(bytes);
    }

    pub fn add_imported_bytes(&self, bytes: u64) {
        self.imported_bytes.inc_by(bytes);
    }

    /// An uploaded archive's structure read: scanned from the archive, or taken from the scan
    /// its import kept (`kept`).
    pub fn record_import_scan(&self, kept: bool) {
        let source = if kept { "kept" } else { "archive" };
        self.import_scans.get_or_create(&ScanLabels { source }).inc();
    }

    /// Sets the queue gauges to what the database holds now; statuses missing from `counts`
    /// have no rows.
    pub fn set_queue_depth(&self, counts: &[(String, i64)]) {
        for status in QUEUE_STATUSES {
            let n = counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
            self.queue_depth.get_or_create(&StatusLabels { status }).set(n);
        }
    }

    /// Drops the queue gauges when the database cannot say: an absent series is better than a
    /// stale one.
    pub fn forget_queue_depth(&self) {
        self.queue_depth.clear();
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Methods outside the usual set share one label, so a client cannot add series at will.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    KNOWN.into_iter().find(|known| *known == method).unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_exposed_with_its_labels() {
        let metrics = Metrics::new();
        metrics.record_request("GET", "/api/v1/exports/{id}", 200, Duration::from_millis(12));
        metrics.record_request("BREW", UNMATCHED_ROUTE, 404, Duration::from_millis(1));
        metrics.record_job("export", JobResult::Done, Duration::from_secs(3));
        metrics.add_exported_bytes(1234);
        metrics.record_import_scan(false);
        metrics.record_import_scan(true);
        metrics.record_import_scan(true);
        metrics.set_queue_depth(&[("queued".to_owned(), 3)]);
        let text = metrics.encode().expect("encoded");
        for line in [
            r#"mesdonnees_http_requests_total{method="GET",route="/api/v1/exports/{id}",status="200"} 1"#,
            r#"mesdonnees_http_requests_total{method="other",route="unmatched",status="404"} 1"#,
            r#"mesdonnees_http_request_duration_seconds_count{method="GET",route="/api/v1/exports/{id}"} 1"#,
            r#"mesdonnees_jobs_total{kind="export",outcome="done"} 1"#,
            r#"mesdonnees_job_duration_seconds_bucket{le="10.24",kind="export"} 1"#,
            "mesdonnees_exported_bytes_total 1234",
            "mesdonnees_imported_bytes_total 0",
            r#"mesdonnees_import_scans_total{source="archive"} 1"#,
            r#"mesdonnees_import_scans_total{source="kept"} 2"#,
            r#"mesdonnees_queue_jobs{status="queued"} 3"#,
            r#"mesdonnees_queue_jobs{status="running"} 0"#,
            "# EOF",
        ] {
            assert!(text.lines().any(|l| l == line), "no `{line}` in:\n{text}");
        }
        metrics.forget_queue_depth();
        assert!(!metrics.encode().expect("encoded").contains("mesdonnees_queue_jobs{"));
    }
}
