//! Any bytes as an uploaded archive: the scanner answers an archive or a typed refusal, never
//! panics, and every entry of an archive it accepts reads back to its declared size and CRC
//! or fails with a typed error.

#![no_main]

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_util::StreamExt;
use libfuzzer_sys::fuzz_target;
use mesdonnees_zip::scan::{ScanLimits, open_entry, scan};

/// Runs a future over bytes in memory, which never waits.
fn now<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("an in-memory read waited"),
    }
}

fuzz_target!(|data: &[u8]| {
    let source = Bytes::copy_from_slice(data);
    // Small limits too, so that inputs of a few KiB reach the limit checks.
    let small = ScanLimits {
        max_entries: 16,
        max_total_uncompressed: 1 << 20,
        max_entry_ratio: 50,
        ratio_exempt_below: 4096,
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
                match chunk {
                    Ok(chunk) => {
                        size += chunk.len() as u64;
                        crc.update(&chunk);
                    }
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
            }
            if !failed {
                assert_eq!(size, entry.uncompressed_size);
                assert_eq!(crc.finalize(), entry.crc32);
            }
        }
    }
});
