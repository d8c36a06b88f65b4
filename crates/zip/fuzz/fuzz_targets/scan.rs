//! Any bytes as an uploaded archive: the scanner answers an archive or a typed refusal, never
//! panics, and every entry of an archive it accepts reads back to its declared size and CRC
//! or fails with a typed error. The same checks replay the committed corpus in the normal test
//! suite (`tests/corpus.rs`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/exercise/mod.rs"]
mod exercise;

fuzz_target!(|data: &[u8]| exercise::exercise(data));
