//! Archives that must be refused, each with the code of its fault.

use std::sync::Mutex;

use super::builder::{Archive, Entry, zip64_extra};
use super::{Failing, code, default_code, read_entry, text, zip_crate};
use crate::scan::{ScanLimits, scan};
use bytes::Bytes;

fn two() -> Vec<Entry> {
    vec![Entry::stored("a.txt", b"alpha"), Entry::deflated("b.txt", &text(2000))]
}

fn limits(change: impl FnOnce(&mut ScanLimits)) -> ScanLimits {
    let mut limits = ScanLimits::default();
    change(&mut limits);
    limits
}

#[tokio::test]
async fn garbage_empty_and_short_files_are_not_zips() {
    let garbage = Bytes::from(text(100_000));
    assert_eq!(default_code(garbage).await, "not_a_zip");
    assert_eq!(default_code(Bytes::new()).await, "not_a_zip");
    assert_eq!(default_code(Bytes::from_static(b"PK")).await, "not_a_zip");
}

#[tokio::test]
async fn a_cut_archive_is_truncated() {
    let whole = zip_crate(&[("a.txt", Some(&text(200_000)), false)], false);
    for keep in [whole.len() / 2, whole.len() - 10, 30] {
        assert_eq!(default_code(whole.slice(..keep)).await, "truncated_archive", "{keep}");
    }
}

#[tokio::test]
async fn a_directory_past_its_end_record_is_truncated() {
    let bytes = Archive::new(two()).bytes();
    let mut lying = bytes.to_vec();
    let at = lying.len() - 6;
    // The directory's offset, moved forward into the end record.
    let offset = u32::from_le_bytes(lying[at..at + 4].try_into().unwrap()) + 10;
    lying[at..at + 4].copy_from_slice(&offset.to_le_bytes());
    assert_eq!(default_code(Bytes::from(lying)).await, "truncated_archive");
}

#[tokio::test]
async fn several_disks_are_refused() {
    let mut archive = Archive::new(two());
    archive.disk = 1;
    assert_eq!(default_code(archive.bytes()).await, "multi_disk_archive");
    let mut archive = Archive::new(two());
    archive.directory_disk = 2;
    assert_eq!(default_code(archive.bytes()).await, "multi_disk_archive");
    let mut entries = two();
    entries[1].disk = 1;
    assert_eq!(default_code(Archive::new(entries).bytes()).await, "multi_disk_archive");
    let mut archive = Archive::new(two());
    archive.zip64 = true;
    archive.disk = 3;
    assert_eq!(default_code(archive.bytes()).await, "multi_disk_archive");
}

#[tokio::test]
async fn too_many_entries_are_refused_even_when_the_count_lies() {
    let three = || (0..3).map(|i| Entry::stored(&format!("{i}"), b"x")).collect::<Vec<_>>();
    let two_at_most = limits(|l| l.max_entries = 2);
    assert_eq!(code(Archive::new(three()).bytes(), &two_at_most).await, "too_many_entries");
    let mut lying = Archive::new(three());
    lying.count = Some(1);
    assert_eq!(code(lying.bytes(), &two_at_most).await, "too_many_entries");
    assert_eq!(code(Archive::new(three()).bytes(), &limits(|l| l.max_entries = 3)).await, "ok");
}

#[tokio::test]
async fn a_wrong_entry_count_is_damage() {
    let mut archive = Archive::new(two());
    archive.count = Some(5);
    assert_eq!(default_code(archive.bytes()).await, "damaged_archive");
}

#[tokio::test]
async fn a_large_central_directory_is_refused_before_it_is_read() {
    let small = limits(|l| l.max_central_directory = 100);
    assert_eq!(code(Archive::new(two()).bytes(), &small).await, "central_directory_too_large");
}

#[tokio::test]
async fn unsafe_paths_are_refused() {
    let names: [&[u8]; 17] = [
        b"",
        b"/",
        b"/etc/passwd",
        b"C:/Windows/system.ini",
        b"c:x",
        b"a\\b.txt",
        b"../x",
        b"a/../../b",
        b"a/..",
        b"./a",
        b"a/./b",
        b"a//b",
        b"a//",
        b"a\0b",
        b"a\nb",
        b"a\x7fb",
        b"ok/\xff\xfe",
    ];
    for name in names {
        let entry = Entry::stored("x", b"1").both(|h| h.name = name.to_vec());
        let shown = String::from_utf8_lossy(name);
        assert_eq!(
            default_code(Archive::new(vec![entry]).bytes()).await,
            "unsafe_path",
            "{shown:?}"
        );
    }
    let long = "a".repeat(1025);
    let entry = Entry::stored(&long, b"1");
    assert_eq!(default_code(Archive::new(vec![entry]).bytes()).await, "unsafe_path");
    let entry = Entry::stored(&long[..1024], b"1");
    assert_eq!(default_code(Archive::new(vec![entry]).bytes()).await, "ok");
}

#[tokio::test]
async fn an_unsafe_path_is_quoted_escaped() {
    let entry = Entry::stored("x", b"1").both(|h| h.name = b"../\nfaux".to_vec());
    let error = scan(&Archive::new(vec![entry]).bytes(), &ScanLimits::default()).await.unwrap_err();
    assert_eq!(error.to_string(), "unsafe path in the archive: ../\\u{a}faux");
}

#[tokio::test]
async fn symbolic_links_are_refused() {
    let mut entries = two();
    entries[0].external = 0o120_777 << 16;
    assert_eq!(default_code(Archive::new(entries).bytes()).await, "symlink_entry");
    // The same mode bits from a host other than Unix mean nothing.
    let mut entries = two();
    entries[0].external = 0o120_777 << 16;
    entries[0].made_by = 20;
    assert_eq!(default_code(Archive::new(entries).bytes()).await, "ok");
}

#[tokio::test]
async fn encrypted_entries_are_refused() {
    let mut entries = two();
    entries[1] = entries[1].clone().both(|h| h.flags |= 1);
    assert_eq!(default_code(Archive::new(entries).bytes()).await, "encrypted_entry");
    let mut entries = two();
    entries[1] = entries[1].clone().both(|h| h.method = 99);
    assert_eq!(default_code(Archive::new(entries).bytes()).await, "encrypted_entry");
}

#[tokio::test]
async fn other_compression_methods_are_refused() {
    for method in [1, 12, 14, 93, 95] {
        let mut entries = two();
        entries[1] = entries[1].clone().both(|h| h.method = method);
        assert_eq!(default_code(Archive::new(entries).bytes()).await, "unsupported_compression");
    }
}

#[tokio::test]
async fn the_declared_total_size_is_bounded() {
    let at_most = |total| limits(|l| l.max_total_uncompressed = total);
    assert_eq!(code(Archive::new(two()).bytes(), &at_most(2004)).await, "total_size_exceeded");
    assert_eq!(code(Archive::new(two()).bytes(), &at_most(2005)).await, "ok");
    // A sum past 64 bits is past any limit.
    let mut huge = Entry::deflated("x", b"").both(|h| h.uncompressed = u32::MAX);
    huge.central.extra = zip64_extra(&[u64::MAX]);
    let bytes = Archive::new(vec![Entry::stored("a", b"a"), huge]).bytes();
    let any = limits(|l| l.max_total_uncompressed = u64::MAX);
    assert_eq!(code(bytes, &any).await, "total_size_exceeded");
}

#[tokio::test]
async fn bombs_are_bounded_by_what_they_produce_not_by_their_ratio() {
    // Honest content that deflates about 1000:1 (a blank scan, a zero-filled image).
    let zeros = vec![0; 2 * 1024 * 1024];
    let bytes = zip_crate(&[("zeros.bin", Some(&zeros), true)], false);
    assert!(bytes.len() * 900 < zeros.len(), "{} bytes", bytes.len());
    let archive = scan(&bytes, &ScanLimits::default()).await.expect("accepted");
    let (read, error) = read_entry(&bytes, &archive.entries[0]).await;
    assert!(error.is_none() && read == zeros, "read back whole");
    // Declared sizes are what the total bounds: a bomb that says its size is refused by it…
    let one_mib = limits(|l| l.max_total_uncompressed = 1024 * 1024);
    assert_eq!(code(bytes, &one_mib).await, "total_size_exceeded");
    // …one that lies is stopped as it inflates (see `content_past_the_declared_size_stops_at_once`),
    // and one that claims more than it holds ends short.
    let liar = Archive::new(vec![Entry::deflated("x", b"x").both(|h| h.uncompressed = 300 << 20)]);
    let bytes = liar.bytes();
    let archive = scan(&bytes, &ScanLimits::default()).await.expect("scanned");
    let (read, error) = read_entry(&bytes, &archive.entries[0]).await;
    assert_eq!(error.map(|e| e.code()), Some("entry_corrupt"));
    assert_eq!(read, b"x");
}

#[tokio::test]
async fn a_path_twice_or_a_file_used_as_a_folder_is_a_duplicate() {
    let cases: [&[Entry]; 4] = [
        &[Entry::stored("a/b.txt", b"1"), Entry::stored("a/b.txt", b"2")],
        &[Entry::stored("a", b"1"), Entry::stored("a b", b"2"), Entry::stored("a/b", b"3")],
        &[Entry::dir("a/"), Entry::stored("a", b"1")],
        &[Entry::dir("d/"), Entry::dir("d/")],
    ];
    for entries in cases {
        assert_eq!(default_code(Archive::new(entries.to_vec()).bytes()).await, "duplicate_entry");
    }
    let folders = [Entry::dir("a/"), Entry::stored("a/b", b"1"), Entry::stored("a b", b"2")];
    assert_eq!(default_code(Archive::new(folders.to_vec()).bytes()).await, "ok");
}

#[tokio::test]
async fn overlapping_entries_are_refused() {
    // Two records pointing at one local header.
    let mut entries = two();
    entries.push(Entry::stored("a.txt", b"alpha").both(|h| h.name = b"c.txt".to_vec()));
    entries[2].offset = Some(0);
    entries[2].local.name = b"a.txt".to_vec();
    assert_eq!(default_code(Archive::new(entries).bytes()).await, "overlapping_entries");
    // A compressed size that runs into the next entry.
    let mut entries = two();
    entries[0] = entries[0].clone().both(|h| {
        h.compressed = 40;
        h.uncompressed = 40;
    });
    assert_eq!(default_code(Archive::new(entries).bytes()).await, "overlapping_entries");
    // The last entry's data running into the central directory.
    let mut entries = two();
    entries[1] = entries[1].clone().both(|h| h.compressed += 1);
    assert_eq!(default_code(Archive::new(entries).bytes()).await, "overlapping_entries");
}

#[tokio::test]
async fn a_header_offset_inside_the_central_directory_is_an_overlap() {
    let mut entries = two();
    let data_len = 30 + 5 + 5 + 30 + 5 + entries[1].data.len();
    entries[1].offset = Some(u32::try_from(data_len).unwrap());
    assert_eq!(default_code(Archive::new(entries).bytes()).await, "overlapping_entries");
}

#[tokio::test]
async fn local_headers_must_agree_with_the_directory() {
    let changes: [fn(&mut Entry); 8] = [
        |e| e.local.name = b"autre.txt".to_vec(),
        |e| e.local.name = b"B.txt".to_vec(),
        |e| e.local.method = 0,
        |e| e.local.crc32 ^= 1,
        |e| e.local.uncompressed += 1,
        |e| e.local.compressed = u32::MAX,
        |e| e.local.flags |= 1 << 3,
        |e| e.local.flags |= 1,
    ];
    for (i, change) in changes.iter().enumerate() {
        let mut entries = two();
        change(&mut entries[1]);
        assert_eq!(default_code(Archive::new(entries).bytes()).await, "header_mismatch", "{i}");
    }
    // A local header without its signature.
    let bytes = Archive::new(two()).bytes();
    let mut broken = bytes.to_vec();
    broken[35 + 5] = b'Q';
    assert_eq!(default_code(Bytes::from(broken)).await, "header_mismatch");
}

#[tokio::test]
async fn a_corrupt_central_directory_is_damage() {
    let bytes = Archive::new(two()).bytes();
    let directory = 30 + 5 + 5 + 30 + 5 + two()[1].data.len();
    let mut broken = bytes.to_vec();
    broken[directory + 46 + 5] = b'Q';
    assert_eq!(default_code(Bytes::from(broken)).await, "damaged_archive");
    let stored_twice = Entry::stored("a", b"abc").both(|h| h.uncompressed = 2);
    assert_eq!(default_code(Archive::new(vec![stored_twice]).bytes()).await, "damaged_archive");
    let mut missing_zip64 = two();
    missing_zip64[0].central.compressed = u32::MAX;
    assert_eq!(default_code(Archive::new(missing_zip64).bytes()).await, "damaged_archive");
}

#[tokio::test]
async fn a_prefix_before_the_archive_is_refused() {
    for absolute_offsets in [false, true] {
        let mut archive = Archive::new(two());
        archive.prefix = b"MZ self-extracting stub".repeat(10);
        archive.absolute_offsets = absolute_offsets;
        assert_eq!(default_code(archive.bytes()).await, "prefixed_archive", "{absolute_offsets}");
    }
    let zip = zip_crate(&[("a.txt", Some(b"a"), true)], false);
    let stub = [&b"#!/bin/sh\nexit 0\n"[..], &zip].concat();
    assert_eq!(default_code(Bytes::from(stub)).await, "prefixed_archive");
}

#[tokio::test]
async fn a_failing_source_makes_the_archive_unreadable() {
    let bytes = Archive::new(two()).bytes();
    for good in 0..3 {
        let source = Failing { bytes: bytes.clone(), good: Mutex::new(good) };
        let error = scan(&source, &ScanLimits::default()).await.unwrap_err();
        assert_eq!(error.code(), "archive_unreadable", "after {good} reads");
    }
}

#[tokio::test]
async fn a_zip64_locator_pointing_elsewhere_is_damage() {
    let mut archive = Archive::new(two());
    archive.zip64 = true;
    assert_eq!(default_code(archive.bytes()).await, "ok");
    let mut broken = archive.bytes().to_vec();
    let offset_field = broken.len() - 22 - 20 + 8;
    for wrong in [0_u64, u64::MAX - 8] {
        broken[offset_field..offset_field + 8].copy_from_slice(&wrong.to_le_bytes());
        assert_eq!(default_code(Bytes::from(broken.clone())).await, "damaged_archive", "{wrong}");
    }
}

#[tokio::test]
async fn a_huge_zip64_count_is_refused_before_anything_is_read() {
    let mut archive = Archive::new(two());
    archive.zip64 = true;
    archive.count = Some(u64::MAX);
    assert_eq!(default_code(archive.bytes()).await, "too_many_entries");
}
