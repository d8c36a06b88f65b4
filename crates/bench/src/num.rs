//! Conversions between byte counts and floats, in one place: the pedantic cast lints are
//! answered once, with the reason they hold.

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "byte counts: non-negative (clamped) and far below 2^53"
)]
pub fn to_u64(x: f64) -> u64 {
    x.round().max(0.0) as u64
}

#[expect(clippy::cast_precision_loss, reason = "byte counts are far below 2^53")]
pub fn to_f64(n: u64) -> f64 {
    n as f64
}
pub fn kib_to_mib(kib: u64) -> f64 {
    to_f64(kib) / 1024.0
}

/// Megabytes (10⁶ bytes), as the corpora are specified.
pub fn mb(bytes: u64) -> f64 {
    to_f64(bytes) / 1e6
}
