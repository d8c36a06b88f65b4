//! The worker's rooms stay apart: an app's folder (`src/apps/<app>/`) never names another app's
//! module, and nothing under `src/apps/` reaches into the export or import jobs, which use the
//! apps and not the other way round. Read from the source tree, so a new file is checked too.

use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The apps, by their folders under `src/apps/`.
fn apps(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// What a file of `app`'s folder (or of `apps/` itself when `app` is `None`) must not say.
fn breaches(source: &str, app: Option<&str>, others: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        for job in ["crate::export", "crate::import"] {
            if code.contains(job) {
                found.push(format!("line {}: uses {job}", n + 1));
            }
        }
        for other in others.iter().filter(|o| Some(o.as_str()) != app) {
            if app.is_some() && code.contains(&format!("apps::{other}")) {
                found.push(format!("line {}: names apps::{other}", n + 1));
            }
        }
    }
    found
}

fn check(root: &Path) -> Vec<String> {
    let apps_dir = root.join("apps");
    let names = apps(&apps_dir);
    let mut found = Vec::new();
    for file in sources(&apps_dir) {
        let relative = file.strip_prefix(&apps_dir).unwrap();
        let mut parts = relative.components();
        let first = parts.next().unwrap().as_os_str().to_string_lossy().into_owned();
        let app = parts.next().is_some().then_some(first.as_str());
        let source = std::fs::read_to_string(&file).unwrap();
        found.extend(
            breaches(&source, app, &names).into_iter().map(|b| format!("{}: {b}", file.display())),
        );
    }
    found
}

#[test]
fn apps_stay_in_their_folders_and_below_the_jobs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let apps = apps(&root.join("apps"));
    assert!(apps.contains(&"workspace".to_owned()) && apps.contains(&"remote".to_owned()));
    let found = check(&root);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_check_sees_a_breach() {
    let others = ["workspace".to_owned(), "remote".to_owned()];
    assert!(breaches("use crate::apps::PreparedData;", Some("workspace"), &others).is_empty());
    assert!(
        !breaches("use crate::apps::remote::AppClient;", Some("workspace"), &others).is_empty()
    );
    assert!(!breaches("use crate::export::pack;", None, &others).is_empty());
    assert!(!breaches("    crate::import::run::x();", Some("remote"), &others).is_empty());
    assert!(breaches("// crate::export is not named in code", None, &others).is_empty());
}
