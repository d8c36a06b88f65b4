//! The zip format as mesdonnees writes and reads it, and nothing else: no users, apps, stores or
//! database here.
//!
//! - [`mod@write`]: a streaming writer whose memory does not grow with the archive, for exports.
//! - [`scan`]: a scanner of untrusted archives that checks every field before anything is
//!   extracted, and reads one entry's content checked against the central directory.
//! - [`RangeSource`]: ranged reads of an archive's bytes, so an upload is scanned without
//!   downloading it whole; implemented here for bytes in memory and local files, and by callers
//!   for their own stores.
//! - [`deflate`]: raw deflate of whole buffers (libdeflate) and of streamed chunks (zlib-rs),
//!   and whether a sample is worth compressing.

pub mod deflate;
pub mod scan;
mod source;
pub mod write;

pub use source::{LocalSource, RangeSource, check_range};
