//! How much of an archive a scan reads, and in how many requests.

use std::ops::Range;
use std::sync::Mutex;

use bytes::Bytes;

use super::builder::{Archive, Entry};
use super::{Recording, scan_bytes};
use crate::scan::{ScanLimits, central, eocd, scan};

async fn reads_of(bytes: Bytes) -> Vec<Range<u64>> {
    let source = Recording { bytes, reads: Mutex::new(Vec::new()) };
    scan(&source, &ScanLimits::default()).await.unwrap();
    source.reads.into_inner().unwrap()
}

fn noise(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0]).collect()
}

#[tokio::test]
async fn large_entries_are_skipped_not_read() {
    let big = noise(3 * 1024 * 1024);
    let entries = vec![Entry::stored("a.bin", &big), Entry::stored("b.txt", b"b")];
    let bytes = Archive::new(entries).bytes();
    let len = bytes.len() as u64;
    let reads = reads_of(bytes).await;
    let directory = len - 22 - 2 * 51;
    assert_eq!(
        reads,
        [
            len - 65_557..len,
            directory..directory + 102,
            0..30 + 5 + 512,
            // The second header's margin stops at the central directory.
            35 + 3 * 1024 * 1024..directory,
        ]
    );
}

#[tokio::test]
async fn neighbouring_headers_share_one_read() {
    let entries: Vec<_> =
        (0..1000).map(|i| Entry::stored(&format!("{i:04}.txt"), b"tiny")).collect();
    let reads = reads_of(Archive::new(entries).bytes()).await;
    assert_eq!(reads.len(), 3, "{reads:?}");
    assert_eq!(reads[2].start, 0);
}

#[tokio::test]
async fn header_windows_stay_under_a_mebibyte() {
    let page = noise(8 * 1024);
    let entries: Vec<_> = (0..400).map(|i| Entry::stored(&format!("{i:04}.bin"), &page)).collect();
    let reads = reads_of(Archive::new(entries).bytes()).await;
    let windows = &reads[2..];
    assert_eq!(windows.len(), 4, "{windows:?}");
    assert!(windows.iter().all(|w| w.end - w.start <= 1024 * 1024), "{windows:?}");
    assert!(windows.windows(2).all(|pair| pair[0].end <= pair[1].start));
}

#[tokio::test]
async fn records_straddling_chunks_are_parsed_whole() {
    let entries: Vec<_> = (0..50)
        .map(|i| {
            Entry::deflated(&format!("dossier {i}/fichier {i}.txt"), format!("{i}").as_bytes())
        })
        .collect();
    let bytes = Archive::new(entries).bytes();
    let whole = scan_bytes(bytes.clone()).await.unwrap();
    let directory = eocd::find(&bytes).await.unwrap();
    for chunk in [1, 7, 46, 47, 100] {
        let limits = ScanLimits::default();
        let central = central::read(&bytes, &directory, &limits, chunk).await.unwrap();
        let paths: Vec<_> = central.entries.iter().map(|e| &e.path).collect();
        let expected: Vec<_> = whole.entries.iter().map(|e| &e.path).collect();
        assert_eq!(paths, expected, "chunks of {chunk}");
    }
}

#[tokio::test]
async fn a_header_running_over_the_next_one_is_refused_without_reading_it_again() {
    let mut first = Entry::stored("a.txt", b"premier");
    first.local.extra =
        [&0xcafe_u16.to_le_bytes()[..], &3000_u16.to_le_bytes(), &[7; 3000]].concat();
    let mut second = Entry::stored("b.txt", b"second");
    second.offset = Some(100);
    let source =
        Recording { bytes: Archive::new(vec![first, second]).bytes(), reads: Mutex::default() };
    let error = scan(&source, &ScanLimits::default()).await.unwrap_err();
    assert_eq!(error.code(), "overlapping_entries");
    assert_eq!(source.reads.into_inner().unwrap().len(), 3);
}
