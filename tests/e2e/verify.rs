//! Verification anyone can do: an archive exported through the API is checked by `mesdonnees
//! verify` (offline, no configuration) with the key given by hand, by the instance's published
//! keys and by a trust store, and by coreutils' `sha256sum -c` on the unzipped folder; each
//! alteration gives its exit status and names what changed. The keys endpoint serves the key
//! that verifies it, cacheably, and another instance can trust it by that address.

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::Output;

use mesdonnees_shared::keys::KEYS_PATH;
use mesdonnees_tests::TestApp;
use serde_json::{Value, json};

use crate::exports::file;
use crate::imports::{analysed, export_zip};
use crate::process::{command, explain, run};
use crate::{content, folder};

/// Runs `verify` on `archive` with `args`, in the locale `lang`.
async fn verify(archive: &Path, args: &[&str], lang: &str) -> Output {
    let mut cmd = command();
    cmd.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", lang);
    cmd.arg("verify").arg(archive).args(args);
    run(cmd).await
}

/// The archive with the content of `name` replaced by what `change` makes of it; the zip is
/// written anew, so its CRCs and sizes agree with the new content and only the manifest can
/// tell.
fn rewritten(zip: &[u8], name: &str, change: impl Fn(Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("a zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut found = false;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let entry_name = entry.name().expect("utf-8").into_owned();
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        if entry.is_dir() {
            out.add_directory(entry_name, options).expect("directory");
            continue;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("content");
        if entry_name == name {
            found = true;
            data = change(data);
        }
        out.start_file(entry_name, options).expect("entry");
        out.write_all(&data).expect("write");
    }
    assert!(found, "{name} is in the archive");
    out.finish().expect("zip").into_inner()
}

struct Exported {
    app: TestApp,
    dir: tempfile::TempDir,
    zip: Vec<u8>,
    key: String,
}

impl Exported {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let cours = folder(&app, "alice", "Cours d'été", None).await;
        file(&app, "alice", "exposé « final ».txt", &content(5000, 3), Some(&cours)).await;
        file(&app, "alice", "l'été & co (1).txt", b"des vacances", None).await;
        let zip = export_zip(&app, "alice").await;
        let key = app.ctx.signer().await.expect("signer").public_key_base64();
        Self { app, dir: tempfile::tempdir().expect("tempdir"), zip, key }
    }

    /// Writes `bytes` as `name` in the test's folder.
    fn write(&self, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("archive written");
        path
    }
}

#[tokio::test]
async fn verify_tells_valid_altered_and_unknown_signers_apart() {
    let exported = Exported::new().await;
    let key = exported.key.as_str();
    let archive = exported.write("archive.zip", &exported.zip);

    let out = verify(&archive, &["--key", key], "fr_FR.UTF-8").await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Documents/ (workspace, 1.0)"), "per app: {text}");
    assert!(text.contains("Archive intacte, signée par une clé reconnue."), "{text}");

    let out = verify(&archive, &["--key", key, "--json"], "en_GB.UTF-8").await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["verdict"], "valid", "{report}");
    assert_eq!(report["signature"]["status"], "valid");
    assert_eq!(report["apps"][0]["id"], "workspace");
    assert_eq!(report["apps"][0]["altered"], 0);
    assert_eq!(report["problems"], json!([]));

    // One byte of one file changed, its CRC made to agree: only the SHA-256 tells.
    let name = "Documents/Mes documents/Cours d'été/exposé « final ».txt";
    let altered = rewritten(&exported.zip, name, |mut data| {
        data[100] ^= 1;
        data
    });
    let altered = exported.write("altered.zip", &altered);
    let out = verify(&altered, &["--key", key], "fr_FR.UTF-8").await;
    assert_eq!(out.status.code(), Some(1), "{}", explain(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("{name}\u{a0}: Un fichier de l'archive est abîmé")), "{text}");
    assert!(text.contains("[entry_corrupt]") && text.contains("Archive modifiée"), "{text}");
    let out = verify(&altered, &["--key", key, "--json"], "C").await;
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["verdict"], "altered");
    assert_eq!(report["problems"][0]["path"], name, "{report}");
    assert_eq!(report["apps"][0]["altered"], 1, "{report}");

    // The manifest changed: its signature no longer holds.
    let forged = rewritten(&exported.zip, "manifest.json", |data| {
        String::from_utf8(data)
            .expect("utf-8")
            .replacen(r#""id":"alice""#, r#""id":"mallory""#, 1)
            .into_bytes()
    });
    let forged = exported.write("forged.zip", &forged);
    let out = verify(&forged, &["--key", key], "en_US.UTF-8").await;
    assert_eq!(out.status.code(), Some(1), "{}", explain(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("manifest.sig: The archive was altered or damaged"), "{text}");
    assert!(text.contains("[invalid_signature]"), "{text}");

    // An intact archive whose signer is not trusted here.
    let stranger = mesdonnees_infra::signing::generate_key().expect("key");
    let stranger =
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &stranger.public_key);
    for args in [&["--key", stranger.as_str()][..], &[]] {
        let out = verify(&archive, args, "fr_FR.UTF-8").await;
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", explain(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("signataire inconnu"), "{text}");
    }

    // Truncated on its way: the scanner's code.
    let cut = exported.write("cut.zip", &exported.zip[..exported.zip.len() - 100]);
    let out = verify(&cut, &["--key", key, "--json"], "C").await;
    assert_eq!(out.status.code(), Some(1), "{}", explain(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["problems"][0]["code"], "truncated_archive", "{report}");

    // Usage errors: a key that is none, an archive that is not there.
    let out = verify(&archive, &["--key", "bm90IGEga2V5"], "C").await;
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
    let out = verify(&exported.dir.path().join("absent.zip"), &["--key", key], "C").await;
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
    exported.app.stop().await;
}

#[tokio::test]
async fn sha256sum_checks_the_unzipped_archive() {
    let exported = Exported::new().await;
    let archive = exported.write("archive.zip", &exported.zip);
    let unzipped = exported.dir.path().join("unzipped");
    let unzip = std::process::Command::new("unzip")
        .arg("-q")
        .arg(&archive)
        .arg("-d")
        .arg(&unzipped)
        .output()
        .expect("unzip runs");
    assert!(unzip.status.success(), "{}", String::from_utf8_lossy(&unzip.stderr));
    let check = || {
        std::process::Command::new("sha256sum")
            .args(["-c", "--strict", "SHA256SUMS"])
            .current_dir(&unzipped)
            .output()
            .expect("sha256sum runs")
    };
    let out = check();
    assert!(out.status.success(), "{}", explain(&out));
    let listed = String::from_utf8_lossy(&out.stdout);
    for name in ["Documents/workspace.json", "LISEZMOI.txt", "l'été & co (1).txt: OK"] {
        assert!(listed.contains(name), "{name} checked: {listed}");
    }
    let readme = std::fs::read_to_string(unzipped.join("LISEZMOI.txt")).expect("read-me");
    assert!(readme.contains("sha256sum -c SHA256SUMS"), "{readme}");

    let changed = unzipped.join("Documents/Mes documents/l'été & co (1).txt");
    std::fs::write(&changed, b"des vacancez").expect("change a file");
    let out = check();
    assert!(!out.status.success(), "a changed file fails the check");
    assert!(String::from_utf8_lossy(&out.stdout).contains("l'été & co (1).txt: FAILED"));
    exported.app.stop().await;
}

#[tokio::test]
async fn the_published_keys_verify_the_archive_and_are_trusted_by_address() {
    let exported = Exported::new().await;
    let app = &exported.app;
    let archive = exported.write("archive.zip", &exported.zip);

    // No token; cacheable; the key the manifest names.
    let response = app.client.get(app.url(KEYS_PATH)).send().await.expect("keys");
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().expect("ascii").to_owned();
    let cache = response.headers()["cache-control"].to_str().expect("ascii").to_owned();
    assert!(cache.starts_with("public, max-age="), "{cache}");
    let keys: Value = response.json().await.expect("JSON");
    let signer = app.ctx.signer().await.expect("signer");
    assert_eq!(keys["instance"], signer.instance());
    assert_eq!(keys["keys"][0]["key_id"], signer.key_id());
    assert_eq!(keys["keys"][0]["public_key"], exported.key);
    assert_eq!(keys["keys"][0]["status"], "current");
    assert!(keys["keys"][0]["valid_from"].is_string(), "{keys}");
    let again = app
        .client
        .get(app.url(KEYS_PATH))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("keys again");
    assert_eq!(again.status(), 304);

    let url = app.url(KEYS_PATH);
    let out = verify(&archive, &["--keys-url", &url], "fr_FR.UTF-8").await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let store = exported.write("keys.json", &serde_json::to_vec(&json!([keys])).expect("json"));
    let out = verify(&archive, &["--trust-store", store.to_str().expect("utf-8")], "C").await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    // Keys that cannot be fetched are an error, not an unknown signer.
    let nowhere = format!("http://{}{KEYS_PATH}", mesdonnees_tests::free_addr());
    let out = verify(&archive, &["--keys-url", &nowhere], "C").await;
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));

    // Another instance trusts this one by the address of its keys.
    let instance = signer.instance().to_owned();
    let trusting = TestApp::spawn_with(|c| {
        c.exports.instance_name = "ent-cible".to_owned();
        c.imports.signature_policy = mesdonnees_shared::imports::SignaturePolicy::Require;
        c.imports.trusted_keys = vec![mesdonnees_infra::config::TrustedKey {
            instance: instance.clone(),
            public_key: String::new(),
            keys_url: Some(url.clone()),
        }];
    })
    .await;
    let got = analysed(&trusting, "bob", exported.zip.clone()).await;
    assert_eq!(got["status"], "analysed", "{got}");
    assert_eq!(got["analysis"]["signature"]["status"], "valid", "{got}");
    trusting.stop().await;
    let unreachable = TestApp::spawn_with(|c| {
        c.exports.instance_name = "ent-cible".to_owned();
        c.imports.trusted_keys = vec![mesdonnees_infra::config::TrustedKey {
            instance: instance.clone(),
            public_key: String::new(),
            keys_url: Some(nowhere.clone()),
        }];
    })
    .await;
    let got = analysed(&unreachable, "bob", exported.zip.clone()).await;
    assert_eq!(got["status"], "failed", "{got}");
    assert_eq!(got["error"]["code"], "trusted_keys_unavailable", "{got}");
    unreachable.stop().await;
    exported.app.stop().await;
}
