//! The operators' subcommands, run as processes of the binary against the test's service:
//! `export` then `import` bring a user's documents into another account byte for byte,
//! `--dry-run` leaves nothing behind, and the exit codes are the documented ones.

use std::path::{Path, PathBuf};
use std::process::Output;

use mesdonnees_tests::TestApp;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::exports::{download, file};
use crate::imports::{root_folder, tree};
use crate::process::{explain, operator, run};
use crate::{content, folder, json_ok};

pub(crate) async fn cli(app: &TestApp, config: &Path, args: &[&str]) -> Output {
    let _ = app;
    let mut cmd = operator(config);
    cmd.args(args);
    run(cmd).await
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn admin(app: &TestApp, method: Method, path: &str) -> reqwest::RequestBuilder {
    app.client
        .request(method, app.url(path))
        .bearer_auth(app.token_with_rights("root", &["mesdonnees.admin"]))
}

async fn imports_of(app: &TestApp, user: &str) -> Value {
    json_ok(app.get("/api/v1/imports", user).send().await.expect("imports"), 200).await
}

async fn audit_actions(app: &TestApp, user: &str) -> Vec<(String, String)> {
    let audit = json_ok(
        admin(app, Method::GET, &format!("/api/v1/admin/audit?user_id={user}"))
            .send()
            .await
            .expect("audit"),
        200,
    )
    .await;
    audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["actor_id"].as_str().unwrap_or_default().to_owned(),
                e["action"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A service where Alice owns one file and an operator exported her data with the CLI.
struct Exported {
    app: TestApp,
    config: PathBuf,
    work: tempfile::TempDir,
    archive: PathBuf,
}

impl Exported {
    async fn new(seed: u8) -> Self {
        let app = TestApp::spawn().await;
        file(&app, "alice", "a.txt", &content(5_000, seed), None).await;
        let config = app.config_file(|_| {});
        let work = tempfile::tempdir().expect("temp dir");
        let archive = work.path().join("alice.zip");
        let output = archive.to_str().expect("utf-8 path");
        let out = cli(&app, &config, &["export", "--user", "alice", "--output", output]).await;
        assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
        Self { app, config, work, archive }
    }

    fn archive(&self) -> &str {
        self.archive.to_str().expect("utf-8 path")
    }
}

#[tokio::test]
async fn a_cli_export_then_a_cli_import_bring_the_documents_back_byte_for_byte() {
    let app = TestApp::spawn().await;
    let cours = folder(&app, "alice", "Cours", None).await;
    file(&app, "alice", "maths.pdf", &content(40_000, 1), Some(&cours)).await;
    file(&app, "alice", "élève.txt", &content(700, 2), None).await;
    file(&app, "alice", "vide.txt", &[], None).await;
    let config = app.config_file(|_| {});
    let work = tempfile::tempdir().expect("temp dir");
    let archive = work.path().join("alice.zip");
    let archive_arg = archive.to_str().expect("utf-8 path");

    let out = cli(&app, &config, &["export", "--user", "alice", "--output", archive_arg]).await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let written = std::fs::read(&archive).expect("the archive is written");
    let line = stdout(&out);
    let id = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("an export id in {line}"))
        .to_owned();
    // The file is the export Alice sees in her list, byte for byte.
    assert_eq!(written, download(&app, "alice", &id).await);
    assert!(line.contains(&hex::encode(Sha256::digest(&written))), "{line}");
    let leftovers: Vec<_> =
        std::fs::read_dir(work.path()).expect("folder").flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");

    let out = cli(&app, &config, &["import", "--user", "bob", archive_arg]).await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    assert!(
        stdout(&out).contains("workspace: 5 imported, 0 renamed, 0 skipped, 0 failed"),
        "{}",
        explain(&out)
    );
    let imports = imports_of(&app, "bob").await;
    assert_eq!(imports["total"], 1);
    let import = &imports["items"][0];
    assert_eq!(import["status"], "done");
    assert_eq!(import["selected_apps"], json!(["workspace"]));
    assert_eq!(import["analysis"]["signature"]["status"], "valid");

    let folder_name = import["report"]["apps"]["workspace"]["folder"].as_str().expect("folder");
    let theirs = tree(&app, "bob", &root_folder(&app, "bob", folder_name).await).await;
    let mut hers = tree(&app, "alice", &cours).await;
    hers =
        hers.into_iter().map(|(path, sum)| (format!("Mes documents/Cours/{path}"), sum)).collect();
    for name in ["élève.txt", "vide.txt"] {
        let sum = hex::encode(Sha256::digest(if name == "vide.txt" {
            Vec::new()
        } else {
            content(700, 2)
        }));
        hers.insert(format!("Mes documents/{name}"), sum);
    }
    assert_eq!(theirs, hers, "the same files at the same paths, byte for byte");

    assert_eq!(
        audit_actions(&app, "alice").await,
        [("cli:operator".to_owned(), "export.create".to_owned())]
    );
    assert_eq!(
        audit_actions(&app, "bob").await,
        [("cli:operator".to_owned(), "import.create".to_owned())]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_dry_run_prints_the_analysis_and_leaves_nothing() {
    let setup = Exported::new(3).await;
    let (app, config, archive_arg) = (&setup.app, &setup.config, setup.archive());
    let out = cli(app, config, &["import", "--user", "bob", "--dry-run", archive_arg]).await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let printed = stdout(&out);
    assert!(printed.contains("signature valid"), "{printed}");
    assert!(printed.contains("workspace: archive 1.0 here 1.0 importable"), "{printed}");
    assert!(printed.contains("dry run: would import workspace"), "{printed}");

    assert_eq!(imports_of(app, "bob").await["total"], 0, "no import row left");
    let documents =
        json_ok(app.get("/api/v1/documents", "bob").send().await.expect("documents"), 200).await;
    assert_eq!(documents["total"], 0, "no document made");
    if let Some(root) = &app.ctx.storage.local_root {
        let uploads = root.join("imports");
        let left = std::fs::read_dir(&uploads).map_or(0, Iterator::count);
        assert_eq!(left, 0, "no upload left in {}", uploads.display());
    }
    assert_eq!(
        audit_actions(app, "bob").await,
        [("cli:operator".to_owned(), "import.dry_run".to_owned())]
    );

    // A dry run of apps the archive does not hold: nothing importable.
    let out = cli(
        app,
        config,
        &["import", "--user", "bob", "--dry-run", "--apps", "cahier", archive_arg],
    )
    .await;
    assert_eq!(out.status.code(), Some(4), "{}", explain(&out));
    assert!(stdout(&out).contains("dry run: would import nothing"), "{}", explain(&out));
    assert_eq!(imports_of(app, "bob").await["total"], 0);
    setup.app.stop().await;
}

#[tokio::test]
async fn the_exit_codes_are_the_documented_ones() {
    let setup = Exported::new(4).await;
    let (app, config, archive_arg, work) =
        (&setup.app, &setup.config, setup.archive(), &setup.work);
    let not_zip = work.path().join("notes.zip");
    std::fs::write(&not_zip, b"not a zip at all").expect("write");
    let not_zip_arg = not_zip.to_str().expect("utf-8 path");

    let usage: [&[&str]; 6] = [
        &["export", "--user", "not a user"],
        &["export", "--user", "alice", "--apps", "nope"],
        &["export", "--user", "alice", "--output", "/no/such/folder/a.zip"],
        &["import", "--user", "bob", "/no/such/archive.zip"],
        &["import", "--user", "bob", "--apps", "Not An App", archive_arg],
        &["import", "--user", "bob"],
    ];
    for args in usage {
        let out = cli(app, config, args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", explain(&out));
    }
    let broken = app.config_file(|c| c.queue.max_concurrent_jobs = 0);
    let out = cli(app, &broken, &["export", "--user", "alice"]).await;
    assert_eq!(out.status.code(), Some(2), "bad configuration: {}", explain(&out));

    let out = cli(app, config, &["import", "--user", "bob", not_zip_arg]).await;
    assert_eq!(out.status.code(), Some(1), "not a zip: {}", explain(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not_a_zip"), "{}", explain(&out));
    // Named apps of which one is not in the archive: the rest is imported, in part.
    let out =
        cli(app, config, &["import", "--user", "bob", "--apps", "workspace,cahier", archive_arg])
            .await;
    assert_eq!(out.status.code(), Some(3), "{}", explain(&out));
    let out =
        cli(app, config, &["import", "--user", "carol", "--apps", "cahier", archive_arg]).await;
    assert_eq!(out.status.code(), Some(4), "{}", explain(&out));
    let carol = imports_of(app, "carol").await;
    assert_eq!(carol["items"][0]["status"], "failed");
    assert_eq!(carol["items"][0]["error"]["code"], "nothing_importable");
    for sub in ["export", "import"] {
        let out = cli(app, config, &[sub, "--help"]).await;
        assert_eq!(out.status.code(), Some(0));
        assert!(stdout(&out).contains("Exit codes:"), "{sub} --help: {}", explain(&out));
    }
    setup.app.stop().await;
}
