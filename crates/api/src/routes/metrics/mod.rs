mod get_metrics;

pub use get_metrics::*;
