//! Archives that must be accepted, read back byte for byte.

use bytes::Bytes;
use chrono::{TimeZone, Utc};

use super::builder::{Archive, DESCRIPTOR, Entry, zip64_extra};
use super::{Chunked, read_entry, scan_bytes, text, zip_crate};
use crate::scan::Method;

fn photo() -> Vec<u8> {
    (0..300_000_u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect()
}

/// Scans, then reads every file back through a source that streams a few bytes at a time.
async fn assert_round_trip(bytes: Bytes, files: &[(&str, &[u8])]) {
    let archive = scan_bytes(bytes.clone()).await.unwrap();
    let source = Chunked { bytes, chunk: 7 };
    for &(path, content) in files {
        let entry = archive.entries.iter().find(|e| e.path == path).unwrap();
        let (read, error) = read_entry(&source, entry).await;
        assert!(error.is_none(), "{path}: {error:?}");
        assert!(read == content, "{path}: content differs");
    }
}

#[tokio::test]
async fn zip_crate_archive_is_listed_in_directory_order() {
    let chapter = text(100_000);
    let photo = photo();
    let bytes = zip_crate(
        &[
            ("Documents/Cours/", None, false),
            ("Documents/Cours/Chapitre 1.txt", Some(&chapter), true),
            ("Documents/photo.jpg", Some(&photo), false),
            ("Documents/Partagés avec moi/partage.txt", Some(b"de la part de bob\n"), true),
            ("vide.txt", Some(b""), false),
        ],
        false,
    );
    let archive = scan_bytes(bytes.clone()).await.unwrap();
    let listed: Vec<_> = archive
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.is_dir, e.method, e.uncompressed_size))
        .collect();
    assert_eq!(
        listed,
        [
            ("Documents/Cours", true, Method::Stored, 0),
            ("Documents/Cours/Chapitre 1.txt", false, Method::Deflate, 100_000),
            ("Documents/photo.jpg", false, Method::Stored, 300_000),
            ("Documents/Partagés avec moi/partage.txt", false, Method::Deflate, 18),
            ("vide.txt", false, Method::Stored, 0),
        ]
    );
    assert_eq!(archive.total_uncompressed, 300_018 + 100_000);
    let when = Utc.with_ymd_and_hms(2026, 9, 3, 16, 20, 40).unwrap();
    assert!(archive.entries.iter().all(|e| e.modified == Some(when)));
    let photo_entry = &archive.entries[2];
    assert_eq!(photo_entry.crc32, crc32fast::hash(&photo));
    let at = usize::try_from(photo_entry.data_offset).unwrap();
    assert_eq!(&bytes[at..at + 16], &photo[..16]);
    assert_round_trip(
        bytes,
        &[
            ("Documents/Cours/Chapitre 1.txt", &chapter),
            ("Documents/photo.jpg", &photo),
            ("Documents/Partagés avec moi/partage.txt", b"de la part de bob\n"),
            ("vide.txt", b""),
        ],
    )
    .await;
}

#[tokio::test]
async fn zip64_archive_of_the_zip_crate_is_read() {
    let chapter = text(50_000);
    let bytes =
        zip_crate(&[("a.txt", Some(&chapter), true), ("b.bin", Some(b"0123"), false)], true);
    let archive = scan_bytes(bytes.clone()).await.unwrap();
    assert_eq!(archive.entries[0].uncompressed_size, 50_000);
    assert_eq!(archive.entries[1].compressed_size, 4);
    assert_round_trip(bytes, &[("a.txt", &chapter), ("b.bin", b"0123")]).await;
}

#[tokio::test]
async fn saturated_fields_are_taken_from_zip64_extra_fields() {
    let mut entry = Entry::deflated("gros.txt", &text(5000));
    let (compressed, size) = (u64::from(entry.central.compressed), 5000);
    entry.central.extra = zip64_extra(&[size, compressed, 0]);
    entry.local.extra = zip64_extra(&[size, compressed]);
    entry = entry.both(|h| {
        h.compressed = u32::MAX;
        h.uncompressed = u32::MAX;
    });
    entry.offset = Some(u32::MAX);
    let mut archive = Archive::new(vec![entry, Entry::stored("petit.txt", b"ok")]);
    archive.zip64 = true;
    let scanned = scan_bytes(archive.bytes()).await.unwrap();
    assert_eq!(scanned.entries[0].uncompressed_size, 5000);
    assert_eq!(scanned.entries[0].compressed_size, compressed);
    assert_eq!(scanned.entries[0].data_offset, 30 + 8 + 20);
    assert_round_trip(archive.bytes(), &[("gros.txt", &text(5000)), ("petit.txt", b"ok")]).await;
}

#[tokio::test]
async fn more_than_65535_entries_are_read_under_the_limit() {
    let names: Vec<String> = (0..70_000).map(|i| format!("d{}/f{i}.json", i % 100)).collect();
    let entries: Vec<_> = names.iter().map(|n| (n.as_str(), Some(&b"{}"[..]), false)).collect();
    let bytes = zip_crate(&entries, false);
    let started = std::time::Instant::now();
    let archive = scan_bytes(bytes).await.unwrap();
    assert_eq!(archive.entries.len(), 70_000);
    assert_eq!(archive.entries[69_999].path, "d99/f69999.json");
    assert_eq!(archive.total_uncompressed, 140_000);
    assert!(started.elapsed().as_secs() < 5, "scan took {:?}", started.elapsed());
}

#[tokio::test]
async fn empty_archive_is_valid() {
    let archive = scan_bytes(zip_crate(&[], false)).await.unwrap();
    assert!(archive.entries.is_empty());
    assert_eq!((archive.total_uncompressed, archive.central_directory_offset), (0, 0));
}

#[tokio::test]
async fn names_without_the_utf8_flag_are_utf8_or_code_page_437() {
    let legacy = Entry::stored("x", b"1").both(|h| {
        h.flags = 0;
        h.name = b"caf\x82 \xe1.txt".to_vec();
    });
    let unflagged = Entry::stored("Été.txt", b"2").both(|h| h.flags = 0);
    let archive = scan_bytes(Archive::new(vec![legacy, unflagged]).bytes()).await.unwrap();
    let paths: Vec<_> = archive.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["café ß.txt", "Été.txt"]);
}

#[tokio::test]
async fn entries_with_a_data_descriptor_are_checked_against_the_directory_only() {
    let content = text(3000);
    let mut entry = Entry::deflated("flux.txt", &content).both(|h| h.flags |= DESCRIPTOR);
    entry.local.crc32 = 0;
    entry.local.compressed = 0;
    entry.local.uncompressed = 0;
    let descriptor = [
        &0x0807_4b50_u32.to_le_bytes()[..],
        &entry.central.crc32.to_le_bytes(),
        &entry.central.compressed.to_le_bytes(),
        &entry.central.uncompressed.to_le_bytes(),
    ]
    .concat();
    entry.data.extend_from_slice(&descriptor);
    let bytes = Archive::new(vec![entry, Entry::stored("b", b"b")]).bytes();
    assert_round_trip(bytes, &[("flux.txt", &content), ("b", b"b")]).await;
}

#[tokio::test]
async fn long_local_extra_fields_are_read_again() {
    let mut first = Entry::stored("a.txt", b"premier");
    first.local.extra =
        [&0xcafe_u16.to_le_bytes()[..], &3000_u16.to_le_bytes(), &[7; 3000]].concat();
    let bytes = Archive::new(vec![first, Entry::stored("b.txt", b"second")]).bytes();
    let archive = scan_bytes(bytes.clone()).await.unwrap();
    assert_eq!(archive.entries[0].data_offset, 30 + 5 + 3004);
    assert_round_trip(bytes, &[("a.txt", b"premier"), ("b.txt", b"second")]).await;
}

#[tokio::test]
async fn an_archive_comment_with_a_fake_end_record_is_passed_over() {
    let mut archive = Archive::new(vec![Entry::stored("a.txt", b"a")]);
    archive.comment = [&b"PK\x05\x06"[..], &[0; 30]].concat();
    let scanned = scan_bytes(archive.bytes()).await.unwrap();
    assert_eq!(scanned.entries.len(), 1);
}
