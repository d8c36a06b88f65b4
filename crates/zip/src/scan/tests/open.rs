//! Reading entries back, and catching content that disagrees with its directory record.

use bytes::Bytes;

use super::builder::{Archive, Entry, deflate};
use super::{Chunked, read_entry, scan_bytes, text};
use crate::scan::ScanError;

/// Scans a one-entry archive and reads the entry through a source of `chunk`-byte pieces.
async fn read_only_entry(entry: Entry, chunk: usize) -> (Vec<u8>, Option<ScanError>) {
    let bytes = Archive::new(vec![entry]).bytes();
    let archive = scan_bytes(bytes.clone()).await.unwrap();
    read_entry(&Chunked { bytes, chunk }, &archive.entries[0]).await
}

fn corrupt(result: &(Vec<u8>, Option<ScanError>)) -> Option<&'static str> {
    result.1.as_ref().map(ScanError::code)
}

#[tokio::test]
async fn stored_and_deflated_entries_come_back_exact() {
    // Byte by byte on a small entry; a large one crosses output chunks.
    for (len, chunk) in [(20_000, 1), (700_000, 1000), (700_000, 1 << 20)] {
        let content = text(len);
        let (read, error) = read_only_entry(Entry::deflated("a.txt", &content), chunk).await;
        assert!(error.is_none() && read == content, "deflate in chunks of {chunk}");
        let (read, error) = read_only_entry(Entry::stored("a.txt", &content), chunk).await;
        assert!(error.is_none() && read == content, "stored in chunks of {chunk}");
    }
}

#[tokio::test]
async fn empty_entries_come_back_empty() {
    for entry in [Entry::stored("a", b""), Entry::deflated("a", b""), Entry::dir("d/")] {
        assert_eq!(read_only_entry(entry, 3).await.0, b"");
    }
}

#[tokio::test]
async fn content_past_the_declared_size_stops_at_once() {
    let bomb = vec![0; 8 * 1024 * 1024];
    let entry = Entry::deflated("bomb.bin", &bomb).both(|h| {
        h.uncompressed = 1000;
        h.crc32 = crc32fast::hash(&bomb[..1000]);
    });
    let (read, error) = read_only_entry(entry, 1 << 20).await;
    assert_eq!(error.map(|e| e.code()), Some("entry_corrupt"));
    assert!(read.len() <= 1000, "{} bytes handed out", read.len());
}

#[tokio::test]
async fn a_shorter_content_than_declared_is_corrupt() {
    let content = text(5000);
    let entry = Entry::deflated("a.txt", &content).both(|h| h.uncompressed = 5001);
    let result = read_only_entry(entry, 100).await;
    assert_eq!(corrupt(&result), Some("entry_corrupt"));
    assert_eq!(result.0, content);
}

#[tokio::test]
async fn a_wrong_checksum_is_corrupt() {
    let entry = Entry::deflated("a.txt", &text(5000)).both(|h| h.crc32 ^= 0x100);
    let result = read_only_entry(entry, 4096).await;
    assert_eq!(corrupt(&result), Some("entry_corrupt"));
    assert_eq!(result.0, text(5000));
    let entry = Entry::stored("a.txt", &text(5000)).both(|h| h.crc32 ^= 1);
    assert_eq!(corrupt(&read_only_entry(entry, 100).await), Some("entry_corrupt"));
}

#[tokio::test]
async fn data_after_the_deflate_stream_is_corrupt() {
    let content = text(5000);
    let mut data = deflate(&content);
    data.extend_from_slice(b"trailing");
    let entry = Entry::with(b"a.txt", 8, &content, data);
    assert_eq!(corrupt(&read_only_entry(entry, 5).await), Some("entry_corrupt"));
}

#[tokio::test]
async fn a_cut_deflate_stream_is_corrupt() {
    let content = text(5000);
    let mut data = deflate(&content);
    data.truncate(data.len() - 3);
    let entry = Entry::with(b"a.txt", 8, &content, data);
    for chunk in [1, 64, 1 << 20] {
        assert_eq!(corrupt(&read_only_entry(entry.clone(), chunk).await), Some("entry_corrupt"));
    }
}

#[tokio::test]
async fn garbage_instead_of_deflate_is_corrupt() {
    let entry = Entry::with(b"a.txt", 8, b"hello", vec![0xff; 40]);
    assert_eq!(corrupt(&read_only_entry(entry, 1 << 20).await), Some("entry_corrupt"));
}

#[tokio::test]
async fn a_failing_stream_makes_the_archive_unreadable() {
    let bytes = Archive::new(vec![Entry::stored("a", b"abc")]).bytes();
    let archive = scan_bytes(bytes.clone()).await.unwrap();
    let source = super::Failing { bytes: Bytes::new(), good: std::sync::Mutex::new(0) };
    let (_, error) = read_entry(&source, &archive.entries[0]).await;
    assert_eq!(error.map(|e| e.code()), Some("archive_unreadable"));
}
