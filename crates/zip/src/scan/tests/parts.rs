//! The pieces that need no archive: names, dates, codes.

use chrono::{TimeZone, Utc};

use crate::scan::entry::dos_time;
use crate::scan::error::shown;
use crate::scan::names::{check_path, decode, same_name};
use crate::scan::{ScanError, ScannedEntry};

#[test]
fn dos_times_are_utc_and_impossible_ones_are_none() {
    let date = (46 << 9) | (9 << 5) | 3;
    let time = (16 << 11) | (20 << 5) | (40 >> 1);
    assert_eq!(dos_time(date, time), Some(Utc.with_ymd_and_hms(2026, 9, 3, 16, 20, 40).unwrap()));
    assert_eq!(dos_time(0, 0), None);
    assert_eq!(dos_time((46 << 9) | 3, time), None);
    assert_eq!(dos_time(date, 24 << 11), None);
    assert_eq!(dos_time(date, 30), None);
}

#[test]
fn code_page_437_covers_every_high_byte_once() {
    let high: Vec<u8> = (0x80..=0xff).collect();
    let name = decode(&high, false).unwrap();
    assert!(name.cp437);
    let chars: std::collections::BTreeSet<char> = name.text.chars().collect();
    assert_eq!(chars.len(), 128);
    assert!(name.text.starts_with("Çüé") && name.text.ends_with("²■\u{a0}"));
    assert!(same_name(&high, &name.text, false, true));
    // The same text in UTF-8 is other bytes than the directory's.
    assert!(!same_name(name.text.as_bytes(), &name.text, false, true));
}

#[test]
fn names_flagged_utf8_must_be_utf8() {
    assert_eq!(decode(b"caf\x82", true).err().map(|e| e.code()), Some("unsafe_path"));
    assert_eq!(decode("café".as_bytes(), true).unwrap().text, "café");
}

#[test]
fn folders_lose_their_slash() {
    assert_eq!(check_path("a/b/").unwrap(), ("a/b", true));
    assert_eq!(check_path("a/b").unwrap(), ("a/b", false));
    assert!(check_path("Documents/Partagés avec moi/x (2).pdf").is_ok());
    assert!(check_path("ab/c:d").is_ok(), "a colon past the drive's place is no drive");
    assert!(check_path("z:").is_err());
    assert!(check_path("...").is_ok());
    assert!(same_name(b"a/b/", "a/b", true, false));
    assert!(!same_name(b"a/b", "a/b", true, false));
}

#[test]
fn shown_paths_are_escaped_and_cut() {
    assert_eq!(shown("a\u{1b}[2Jb\r"), "a\\u{1b}[2Jb\\u{d}");
    let long = shown(&"é".repeat(500));
    assert_eq!(long.chars().count(), 121);
    assert!(long.ends_with('…'));
}

#[test]
fn codes_are_distinct() {
    let errors = ScanError::one_of_each();
    let kinds: std::collections::HashSet<_> = errors.iter().map(std::mem::discriminant).collect();
    assert_eq!(kinds.len(), errors.len(), "one of each kind");
    let codes: std::collections::BTreeSet<_> = errors.iter().map(ScanError::code).collect();
    assert_eq!(codes.len(), errors.len());
    assert!(codes.iter().all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
}

#[test]
fn an_entry_stays_small() {
    assert!(size_of::<ScannedEntry>() <= 72, "{} bytes", size_of::<ScannedEntry>());
}
