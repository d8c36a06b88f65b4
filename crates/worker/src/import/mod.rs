//! Importing an archive: first of all, reading an uploaded zip without trusting any of it.

pub mod scan;
