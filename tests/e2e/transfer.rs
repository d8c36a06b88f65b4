//! `mesdonnees transfer` between two instances running side by side, each with its own
//! database, store and queue: three users moved from the source through its admin API, the
//! transfer killed (SIGKILL) half-way and run again, every archive verified against the
//! source's trusted key, every user's documents here once, and the summary exact.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use mesdonnees_infra::config::TrustedKey;
use mesdonnees_shared::imports::SignaturePolicy;
use mesdonnees_tests::TestApp;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::exports::file;
use crate::imports::{root_folder, tree};
use crate::process::{Process, explain, operator, run};
use crate::{content, json_ok};

const USERS: [&str; 3] = ["alice", "bob", "carol"];

/// Each user's documents on the source, by path in an import's folder, with their SHA-256.
async fn seed(source: &TestApp) -> BTreeMap<&'static str, BTreeMap<String, String>> {
    let mut expected = BTreeMap::new();
    for (n, user) in USERS.into_iter().enumerate() {
        let mut files = BTreeMap::new();
        for i in 0..30_u8 {
            let seed = u8::try_from(n).expect("small") * 40 + i;
            let bytes = content(20_000 + usize::from(i) * 100, seed);
            let name = format!("fichier {i:02}.bin");
            file(source, user, &name, &bytes, None).await;
            files.insert(format!("Mes documents/{name}"), hex::encode(Sha256::digest(&bytes)));
        }
        expected.insert(user, files);
    }
    expected
}

fn transfer(
    target: &TestApp,
    config: &Path,
    source: &TestApp,
    token: &str,
    users: &Path,
    state: &Path,
) -> std::process::Command {
    let _ = target;
    let mut cmd = operator(config);
    cmd.arg("transfer")
        .args(["--from", &source.base, "--token", token, "--concurrency", "1"])
        .arg("--users")
        .arg(users)
        .arg("--state")
        .arg(state);
    cmd
}

/// The users done, and those whose export on the source is in flight, as the state says.
fn state_of(state: &Path) -> (Vec<String>, Vec<String>) {
    let Ok(raw) = std::fs::read(state) else { return (Vec::new(), Vec::new()) };
    let state: Value = serde_json::from_slice(&raw).expect("the state file is always whole");
    let users = state["users"].as_object().expect("users");
    let (done, in_flight): (Vec<_>, Vec<_>) = users
        .iter()
        .filter(|(_, s)| s["done"] == true || s["export_id"].is_string())
        .partition(|(_, s)| s["done"] == true);
    let names = |v: Vec<(&String, &Value)>| v.into_iter().map(|(u, _)| u.clone()).collect();
    (names(done), names(in_flight))
}

fn summary_of(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout.lines().find(|l| l.starts_with("summary: ")).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_transfer_killed_half_way_resumes_and_moves_each_user_once() {
    let source = TestApp::spawn_with(|c| c.exports.instance_name = "ent-source".to_owned()).await;
    let source_key = source.ctx.signer().await.expect("source key").public_key_base64();
    let target = TestApp::spawn_with(|c| {
        c.exports.instance_name = "ent-cible".to_owned();
        // Only an archive signed by a trusted key is accepted: the source's is.
        c.imports.signature_policy = SignaturePolicy::Require;
        c.imports.trusted_keys = vec![TrustedKey::pasted("ent-source", &source_key)];
    })
    .await;
    let expected = seed(&source).await;
    let token = source.token_with_rights("migration", &["mesdonnees.admin"]);
    let config = target.config_file(|_| {});
    let work = tempfile::tempdir().expect("temp dir");
    let users = work.path().join("users.txt");
    std::fs::write(&users, "# the school's users\nalice\n\nbob\ncarol\nalice\n").expect("users");
    let state = work.path().join("state.json");

    // Killed once a user is done and the next one's export is in flight.
    let mut child = Process::spawn(
        transfer(&target, &config, &source, &token, &users, &state)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let started = Instant::now();
    loop {
        let (done, in_flight) = state_of(&state);
        if !done.is_empty() && !in_flight.is_empty() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no user done in time");
        assert!(child.running(), "the transfer ended before its kill");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill();
    let (done_before, in_flight) = state_of(&state);
    assert!(done_before.len() < USERS.len(), "killed half-way, not at the end: {done_before:?}");
    assert!(!in_flight.is_empty(), "an export in flight at the kill");

    let out = run(transfer(&target, &config, &source, &token, &users, &state)).await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let moved = USERS.len() - done_before.len();
    assert_eq!(
        summary_of(&out),
        format!("summary: {moved} done, {} skipped (already done), 0 failed", done_before.len()),
        "{}",
        explain(&out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    for user in USERS {
        if done_before.iter().any(|u| u == user) {
            assert!(stdout.contains(&format!("skipped {user} already done")), "{stdout}");
        } else {
            assert!(stdout.contains(&format!("done {user} import ")), "{stdout}");
            assert!(stdout.contains("signature valid"), "{stdout}");
        }
    }

    for user in USERS {
        // One export asked of the source per user, the one in flight reused by the rerun.
        let exports = json_ok(
            source
                .client
                .get(source.url(&format!("/api/v1/admin/users/{user}/exports")))
                .bearer_auth(&token)
                .send()
                .await
                .expect("exports"),
            200,
        )
        .await;
        assert_eq!(exports["total"], 1, "{user}: {exports}");
        // One import here, done, its archive verified, its documents those of the source.
        let imports =
            json_ok(target.get("/api/v1/imports", user).send().await.expect("imports"), 200).await;
        assert_eq!(imports["total"], 1, "{user} imported once: {imports}");
        let import = &imports["items"][0];
        assert_eq!(import["status"], "done", "{import}");
        assert_eq!(import["analysis"]["signature"]["status"], "valid");
        assert_eq!(import["analysis"]["source"]["instance"], "ent-source");
        let folder = import["report"]["apps"]["workspace"]["folder"].as_str().expect("folder");
        let documents =
            json_ok(target.get("/api/v1/documents", user).send().await.expect("documents"), 200)
                .await;
        assert_eq!(documents["total"], 1, "{user}: one folder, the import's: {documents}");
        let got = tree(&target, user, &root_folder(&target, user, folder).await).await;
        assert_eq!(&got, &expected[user], "{user}'s documents, byte for byte");
    }

    // Once more: nothing left to do.
    let out = run(transfer(&target, &config, &source, &token, &users, &state)).await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    assert_eq!(summary_of(&out), "summary: 0 done, 3 skipped (already done), 0 failed");

    // A source that refuses the token: every user fails, and the exit status says so.
    let fresh = work.path().join("other-state.json");
    let wrong = source.token("migration");
    let out = run(transfer(&target, &config, &source, &wrong, &users, &fresh)).await;
    assert_eq!(out.status.code(), Some(1), "{}", explain(&out));
    assert_eq!(summary_of(&out), "summary: 0 done, 0 skipped (already done), 3 failed");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("failed alice forbidden"),
        "{}",
        explain(&out)
    );
    source.stop().await;
    target.stop().await;
}
