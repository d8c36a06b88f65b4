//! The vocabulary's promises: every code listed, named the same everywhere, with distinct words
//! in both languages that a pupil can read.

use std::collections::HashSet;

use super::*;

fn words(sentence: &str) -> impl Iterator<Item = String> + '_ {
    sentence.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

fn sentences(lang: Lang) -> impl Iterator<Item = (ErrorCode, &'static str)> {
    ErrorCode::ALL.iter().map(move |&c| (c, c.message(lang)))
}

/// Every sentence of a language, the one of unknown codes included.
fn all_sentences(lang: Lang) -> Vec<&'static str> {
    let unknown = FailureCode::Unknown("x".into()).message(lang);
    sentences(lang).map(|(_, s)| s).chain([unknown]).collect()
}

#[test]
fn all_lists_every_variant() {
    // serde's derive knows every variant: its error for an unknown name lists them all.
    use serde::de::value::{Error, StrDeserializer};
    let unknown = StrDeserializer::<Error>::new("?");
    let error = ErrorCode::deserialize(unknown).expect_err("not a code").to_string();
    let (_, expected) = error.split_once("expected one of ").expect("serde lists the variants");
    let declared: Vec<&str> = expected.split(", ").map(|v| v.trim_matches('`')).collect();
    let listed: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, declared);
}

#[test]
fn serde_name_matches_as_str() {
    for &code in ErrorCode::ALL {
        let json = serde_json::to_value(code).expect("serialisable");
        assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        assert_eq!(serde_json::from_value::<ErrorCode>(json).expect("parsable"), code);
        assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code));
        assert_eq!(ErrorCode::try_from(code.as_str()), Ok(code));
        assert_eq!(code.to_string(), code.as_str());
        assert_eq!(FailureCode::parse(code.as_str()), FailureCode::Known(code));
    }
}

#[test]
fn codes_are_snake_case_and_distinct() {
    let mut seen = HashSet::new();
    for &code in ErrorCode::ALL {
        let name = code.as_str();
        assert!(seen.insert(name), "{name} twice");
        assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        assert!(!name.starts_with('_') && !name.ends_with('_') && !name.contains("__"), "{name}");
    }
}

#[test]
fn an_unknown_code_is_an_error_for_the_enum_and_kept_by_failure_code() {
    assert_eq!("no_such_code".parse::<ErrorCode>(), Err(UnknownCode("no_such_code".into())));
    assert!(ErrorCode::try_from("Not_Found").is_err());
    let stored = FailureCode::parse("an_app_s_own_code");
    assert_eq!(stored, FailureCode::Unknown("an_app_s_own_code".into()));
    assert_eq!((stored.as_str(), stored.known()), ("an_app_s_own_code", None));
    let json = serde_json::to_string(&stored).expect("serialisable");
    assert_eq!(json, "\"an_app_s_own_code\"");
    assert_eq!(serde_json::from_str::<FailureCode>(&json).expect("parsable"), stored);
    let known: FailureCode = serde_json::from_str("\"import_failed\"").expect("parsable");
    assert_eq!(known.known(), Some(ErrorCode::ImportFailed));
    for lang in Lang::ALL {
        assert!(!stored.message(lang).is_empty());
        assert_eq!(known.message(lang), ErrorCode::ImportFailed.message(lang));
    }
}

#[test]
fn every_code_has_distinct_words_in_both_languages() {
    for lang in Lang::ALL {
        let all = all_sentences(lang);
        let distinct: HashSet<&str> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len(), "two codes share a sentence in {lang:?}");
        for (code, sentence) in sentences(lang) {
            assert!(sentence.len() > 20, "{code} has no real sentence in {lang:?}");
            assert!(sentence.ends_with('.'), "{code} in {lang:?} does not end a sentence");
            assert!(sentence.starts_with(char::is_uppercase), "{code} in {lang:?}");
            assert!(!sentence.contains("  "), "{code} in {lang:?} has a double space");
        }
    }
    for &code in ErrorCode::ALL {
        assert_ne!(code.message(Lang::Fr), code.message(Lang::En), "{code} is not translated");
    }
}

#[test]
fn french_typography() {
    for sentence in all_sentences(Lang::Fr) {
        let chars: Vec<char> = sentence.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if matches!(c, ':' | ';' | '!' | '?' | '»') {
                assert_eq!(chars.get(i.wrapping_sub(1)), Some(&'\u{a0}'), "before {c}: {sentence}");
            }
            if c == '«' {
                assert_eq!(chars.get(i + 1), Some(&'\u{a0}'), "after «: {sentence}");
            }
            if c == '\'' {
                // An apostrophe joins two letters (« l'archive »); a quote would not.
                let joins = |j: Option<&char>| j.is_some_and(|c| c.is_alphabetic());
                assert!(
                    joins(chars.get(i.wrapping_sub(1))) && joins(chars.get(i + 1)),
                    "{sentence}"
                );
            }
            assert_ne!(c, '"', "straight quotes: {sentence}");
        }
    }
}

/// Fails when a sentence of `lang` holds one of `banned` (words separated by spaces).
fn assert_absent(lang: Lang, banned: &str) {
    let banned: HashSet<&str> = banned.split_whitespace().collect();
    for sentence in all_sentences(lang) {
        for word in words(sentence) {
            assert!(!banned.contains(word.as_str()), "{word:?} in {sentence:?}");
        }
    }
}

#[test]
fn english_sentences_hold_no_french() {
    for sentence in all_sentences(Lang::En) {
        assert!(sentence.is_ascii(), "French letters or spaces in {sentence:?}");
    }
    assert_absent(
        Lang::En,
        "le la les des du une et est vous votre vos pas ne pour avec dans sur fichier données \
         réessayez ent établissement",
    );
}

#[test]
fn french_sentences_hold_no_english_and_say_vous() {
    assert_absent(
        Lang::Fr,
        "the and your you please file files try again with not is of to app apps download school \
         workspace upload",
    );
    assert_absent(Lang::Fr, "tu te ton ta tes toi");
}

#[test]
fn sentences_hold_no_jargon() {
    let jargon = "manifest manifeste crc zip64 token jeton http https json ndjson sha checksum api \
                  uuid metadata métadonnées stream url";
    for lang in Lang::ALL {
        assert_absent(lang, jargon);
    }
}

#[test]
fn problems_are_the_codes_with_a_status() {
    for &code in ErrorCode::ALL {
        let families = code.families();
        assert!(!families.is_empty(), "{code} belongs nowhere");
        let distinct: HashSet<&Family> = families.iter().collect();
        assert_eq!(distinct.len(), families.len(), "{code} lists a family twice");
        assert_eq!(families.contains(&Family::Problem), code.status().is_some(), "{code}");
        if let Some(status) = code.status() {
            assert!((400..600).contains(&status), "{code}: {status}");
        }
    }
    assert_eq!(ErrorCode::NotAZip.status(), Some(415));
    assert_eq!(ErrorCode::TruncatedArchive.status(), None);
}

#[test]
fn the_reference_has_a_row_per_code_and_family() {
    let reference = reference();
    for family in Family::ALL {
        assert!(reference.contains(&format!("\n## {}\n", family.title())), "{family:?}");
    }
    let rows: Vec<&str> = reference.lines().filter(|l| l.starts_with("| `")).collect();
    let memberships: usize = ErrorCode::ALL.iter().map(|c| c.families().len()).sum();
    assert_eq!(rows.len(), memberships);
    for &code in ErrorCode::ALL {
        let row = format!("| `{code}` |");
        assert!(rows.iter().any(|r| r.starts_with(&row)), "{code} missing");
    }
    for row in rows {
        assert_eq!(row.matches(" | ").count(), 3, "{row}");
    }
    assert!(reference.ends_with(" |\n"));
}
