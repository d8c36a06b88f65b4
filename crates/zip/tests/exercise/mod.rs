//! What the fuzz target and the corpus test do with any bytes: scan them as an uploaded
//! archive with the default limits and with small ones (so that inputs of a few KiB reach the
//! limit checks), and read every entry of an archive the scanner accepts. Shared by
//! `fuzz/fuzz_targets/scan.rs` (through `#[path]`) and `tests/corpus.rs`.

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_util::StreamExt;
use mesdonnees_zip::scan::{ScanLimits, open_entry, scan};

/// Runs a future over bytes in memory, which never waits.
fn now<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("an in-memory read waited"),
    }
}

/// Scans `data` and reads what it accepts: panics only when the scanner breaks its promise (an
/// accepted entry that reads to another size or CRC than its header says, or more entries than
/// the limit).
pub fn exercise(data: &[u8]) {
    let source = Bytes::copy_from_slice(data);
    let small = ScanLimits {
        max_entries: 16,
        max_total_uncompressed: 1 << 20,
        max_central_directory: 4096,
        max_name_bytes: 64,
    };
    for limits in [ScanLimits::default(), small] {
        let Ok(archive) = now(scan(&source, &limits)) else { continue };
        assert!(archive.entries.len() as u64 <= limits.max_entries);
        for entry in &archive.entries {
            let mut stream = open_entry(&source, entry);
            let mut size = 0_u64;
            let mut crc = crc32fast::Hasher::new();
            let mut failed = false;
            while let Some(chunk) = now(stream.next()) {
                let Ok(chunk) = chunk else {
                    failed = true;
                    break;
                };
                size += chunk.len() as u64;
                crc.update(&chunk);
            }
            if !failed {
                assert_eq!(size, entry.uncompressed_size);
                assert_eq!(crc.finalize(), entry.crc32);
            }
        }
    }
}
