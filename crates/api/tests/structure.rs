//! The route files stay thin: a route parses, authorises, calls one use case of
//! `mesdonnees_core` and maps its error. This test reads the source tree and fails when a route
//! file reaches the database itself or grows past what parsing and mapping need.

use std::fs;
use std::path::{Path, PathBuf};

/// Longest route file, in lines: parsing, one call and the mapping fit well under it.
const MAX_ROUTE_LINES: usize = 120;

/// Route files that may read the database directly: probes of the infrastructure itself, with
/// no rule of the service in them.
const PROBES: &[&str] = &["health/get_readyz.rs", "metrics/get_metrics.rs"];

/// What a route file may not hold, with why.
fn faults(relative: &str, source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lines = source.lines().count();
    if lines >= MAX_ROUTE_LINES {
        found.push(format!(
            "{relative}: {lines} lines (a route file stays under {MAX_ROUTE_LINES})"
        ));
    }
    for (number, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        if code.contains("diesel") {
            found.push(format!("{relative}:{}: uses diesel", number + 1));
        }
        let queries = code.contains(".db.") || queries_module(code);
        if queries && !PROBES.contains(&relative) {
            found.push(format!(
                "{relative}:{}: queries the database (a use case of mesdonnees_core does)",
                number + 1
            ));
        }
    }
    found
}

/// A path into one of the db crate's query modules (`mesdonnees_db::exports::…`), as opposed to
/// its model types (`mesdonnees_db::Export`), which views may name.
fn queries_module(code: &str) -> bool {
    code.match_indices("mesdonnees_db::").any(|(at, prefix)| {
        let rest = &code[at + prefix.len()..];
        let rest = rest.strip_prefix('{').unwrap_or(rest);
        rest.split([',', '}', ';', ' ']).any(|item| {
            let item = item.trim();
            item.starts_with(|c: char| c.is_ascii_lowercase()) && item != "self"
        })
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn route_files_parse_call_and_map() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 40, "the routes were not found under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let relative =
            file.strip_prefix(&root).expect("under routes").to_string_lossy().into_owned();
        let source = fs::read_to_string(&file).expect("readable source");
        found.extend(faults(&relative, &source));
    }
    assert!(found.is_empty(), "route files holding more than a route:\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_what_it_forbids() {
    let long = "let x = 1;\n".repeat(MAX_ROUTE_LINES);
    assert_eq!(faults("exports/a.rs", &long).len(), 1);
    assert_eq!(faults("exports/a.rs", "use diesel::prelude::*;").len(), 1);
    assert_eq!(faults("exports/a.rs", "let n = ctx.db.run(f).await?;").len(), 1);
    assert_eq!(faults("exports/a.rs", "use mesdonnees_db::{Export, exports};").len(), 1);
    assert_eq!(faults("exports/a.rs", "mesdonnees_db::jobs::count(conn)").len(), 1);
    assert!(faults("exports/a.rs", "use mesdonnees_db::{Export, Page};").is_empty());
    assert!(faults("exports/a.rs", "// diesel is not used here").is_empty());
    assert!(faults("health/get_readyz.rs", "ctx.db.ping().await").is_empty());
}
