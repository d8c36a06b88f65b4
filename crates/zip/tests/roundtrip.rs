//! Properties of the writer and the scanner together: any archive the writer makes scans back
//! to exactly what went in, and no damage to such an archive makes the scanner panic.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use futures_util::StreamExt;
use mesdonnees_zip::deflate::{WholeLevel, deflate, deflate_chunk};
use mesdonnees_zip::scan::{Method, ScanLimits, ScannedArchive, open_entry, scan};
use mesdonnees_zip::write::{WholeEntry, ZipWriter};
use proptest::prelude::*;

/// Runs a future that never waits: the writer writes into a `Vec` and the scanner reads
/// `Bytes`, so every poll completes.
fn now<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("an in-memory future waited"),
    }
}

/// How one file goes into the archive.
#[derive(Debug, Clone, Copy)]
enum Way {
    Stored,
    Deflated,
    /// Through `begin_stream`, deflated or not, with a data descriptor.
    Streamed {
        deflated: bool,
    },
}

#[derive(Debug, Clone)]
enum Item {
    Folder(String),
    File { path: String, content: Vec<u8>, way: Way },
}

/// Segments of the allowed set: letters with and without accents, digits, spaces, dots inside.
fn segment() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9éèàçÉœ _.]{0,12}"
        .prop_map(|s| format!("s{s}"))
        .prop_filter("no . or .. segment", |s| s != "." && s != "..")
}

/// Content from empty to a few tens of KiB: noise, or text that deflates well.
fn content() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..2000),
        ("[a-z ]{1,20}", 0..3000_usize).prop_map(|(word, times)| word.repeat(times).into_bytes()),
    ]
}

fn way() -> impl Strategy<Value = Way> {
    prop_oneof![
        Just(Way::Stored),
        Just(Way::Deflated),
        any::<bool>().prop_map(|deflated| Way::Streamed { deflated }),
    ]
}

/// Files under folders; a file's last segment ends in `~<index>`, which no folder has, so no
/// path is written twice and no file is another entry's folder.
fn items(max: usize) -> impl Strategy<Value = Vec<Item>> {
    let folder = || prop::collection::vec(segment(), 0..3);
    let file = (folder(), segment(), content(), way());
    (prop::collection::vec(file, 0..max), prop::collection::vec(folder(), 0..4)).prop_map(
        |(files, folders)| {
            let mut items = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for folder in folders.into_iter().filter(|f| !f.is_empty()) {
                let path = folder.join("/");
                if seen.insert(path.clone()) {
                    items.push(Item::Folder(path));
                }
            }
            for (i, (folder, name, content, way)) in files.into_iter().enumerate() {
                let mut segments = folder;
                segments.push(format!("{name}~{i}"));
                items.push(Item::File { path: segments.join("/"), content, way });
            }
            items
        },
    )
}

fn modified() -> DateTime<Utc> {
    // Even seconds: MS-DOS times hold two-second steps.
    Utc.with_ymd_and_hms(2026, 9, 3, 16, 20, 40).unwrap()
}

async fn write(items: &[Item]) -> Vec<u8> {
    let level = flate2::Compression::new(4);
    let mut zip = ZipWriter::new(Vec::new());
    for item in items {
        match item {
            Item::Folder(path) => zip.add_directory(path, modified()).await.unwrap(),
            Item::File { path, content, way: Way::Stored } => {
                let entry = whole(content, content, false);
                zip.add_whole(path, entry, modified()).await.unwrap();
            }
            Item::File { path, content, way: Way::Deflated } => {
                let data = deflate(content, WholeLevel::new(6)).unwrap();
                zip.add_whole(path, whole(&data, content, true), modified()).await.unwrap();
            }
            Item::File { path, content, way: Way::Streamed { deflated } } => {
                let size = content.len() as u64;
                let mut entry = zip.begin_stream(path, *deflated, size, modified()).await.unwrap();
                let mut state = flate2::Compress::new(level, false);
                let mut out = Vec::new();
                let chunks: Vec<&[u8]> = content.chunks(700).collect();
                for (i, chunk) in chunks.iter().enumerate() {
                    if *deflated {
                        deflate_chunk(&mut state, chunk, i + 1 == chunks.len(), &mut out).unwrap();
                        zip.write_stream(&mut entry, &out).await.unwrap();
                    } else {
                        zip.write_stream(&mut entry, chunk).await.unwrap();
                    }
                }
                if *deflated && chunks.is_empty() {
                    deflate_chunk(&mut state, &[], true, &mut out).unwrap();
                    zip.write_stream(&mut entry, &out).await.unwrap();
                }
                zip.end_stream(entry, crc32fast::hash(content), size).await.unwrap();
            }
        }
    }
    let (bytes, size) = zip.finish().await.unwrap();
    assert_eq!(size, bytes.len() as u64);
    bytes
}

fn whole<'a>(data: &'a [u8], content: &[u8], deflated: bool) -> WholeEntry<'a> {
    WholeEntry { data, deflated, crc32: crc32fast::hash(content), size: content.len() as u64 }
}

/// Every entry's content, or the first error reading it; never more than its declared size
/// plus one chunk.
async fn contents(source: &Bytes, archive: &ScannedArchive) -> Vec<Result<Vec<u8>, String>> {
    let mut all = Vec::new();
    for entry in &archive.entries {
        let mut stream = open_entry(source, entry);
        let mut content = Vec::new();
        let mut result = Ok(());
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => content.extend_from_slice(&chunk),
                Err(e) => {
                    result = Err(e.code().to_owned());
                    break;
                }
            }
        }
        all.push(result.map(|()| content));
    }
    all
}

/// A change to an archive's bytes.
#[derive(Debug, Clone)]
enum Damage {
    /// XOR masks at positions taken modulo the length.
    Flip(Vec<(usize, u8)>),
    /// Keeps this fraction (in thousandths) of the bytes.
    Truncate(u16),
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Remove {
        at: usize,
        len: usize,
    },
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        prop::collection::vec((any::<usize>(), 1..=255_u8), 1..8).prop_map(Damage::Flip),
        (0..1000_u16).prop_map(Damage::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, bytes)| Damage::Insert { at, bytes }),
        (any::<usize>(), 1..64_usize).prop_map(|(at, len)| Damage::Remove { at, len }),
    ]
}

fn apply(mut bytes: Vec<u8>, damage: &Damage) -> Vec<u8> {
    let len = bytes.len();
    match damage {
        Damage::Flip(flips) => {
            for &(at, mask) in flips {
                bytes[at % len] ^= mask;
            }
        }
        Damage::Truncate(thousandths) => bytes.truncate(len * usize::from(*thousandths) / 1000),
        Damage::Insert { at, bytes: inserted } => {
            let at = at % (len + 1);
            bytes.splice(at..at, inserted.iter().copied());
        }
        Damage::Remove { at, len: removed } => {
            let at = at % len;
            bytes.drain(at..(at + removed).min(len));
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn what_the_writer_writes_scans_back_identically(items in items(40)) {
        let bytes = Bytes::from(now(write(&items)));
        let archive = now(scan(&bytes, &ScanLimits::default())).unwrap();
        prop_assert_eq!(archive.entries.len(), items.len());
        // Kept and read back, the scan is the same scan.
        let kept = mesdonnees_zip::scan::kept::encode(&archive, &ScanLimits::default());
        let back = mesdonnees_zip::scan::kept::decode(&kept, &ScanLimits::default()).unwrap();
        prop_assert_eq!(&back.entries, &archive.entries);
        prop_assert_eq!(back.total_uncompressed, archive.total_uncompressed);
        let read = now(contents(&bytes, &archive));
        for ((item, entry), content) in items.iter().zip(&archive.entries).zip(read) {
            prop_assert_eq!(entry.modified, Some(modified()));
            match item {
                Item::Folder(path) => {
                    prop_assert_eq!(&entry.path, path);
                    prop_assert!(entry.is_dir);
                    prop_assert_eq!(entry.uncompressed_size, 0);
                }
                Item::File { path, content: expected, way } => {
                    prop_assert_eq!(&entry.path, path);
                    prop_assert!(!entry.is_dir);
                    let deflated =
                        matches!(way, Way::Deflated | Way::Streamed { deflated: true });
                    let method = if deflated { Method::Deflate } else { Method::Stored };
                    prop_assert_eq!(entry.method, method);
                    prop_assert_eq!(entry.uncompressed_size, expected.len() as u64);
                    prop_assert_eq!(entry.crc32, crc32fast::hash(expected));
                    prop_assert_eq!(&content.unwrap(), expected);
                }
            }
        }
    }

    #[test]
    fn damaged_archives_are_refused_or_read_never_panic(
        items in items(8),
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let mut bytes = now(write(&items));
        for damage in &damages {
            if bytes.is_empty() {
                break;
            }
            bytes = apply(bytes, damage);
        }
        let bytes = Bytes::from(bytes);
        // A typed error is a fine answer; a panic fails the test.
        if let Ok(archive) = now(scan(&bytes, &ScanLimits::default())) {
            let read = now(contents(&bytes, &archive));
            for (entry, content) in archive.entries.iter().zip(read) {
                if let Ok(content) = content {
                    prop_assert_eq!(content.len() as u64, entry.uncompressed_size);
                    prop_assert_eq!(crc32fast::hash(&content), entry.crc32);
                }
            }
        }
    }
}
