//! `mesdonnees verify ARCHIVE.zip`: checks an archive offline, with no database and no
//! configuration, by the rules of `mesdonnees_core::verify`; prints what it found per app, in
//! French unless the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`) is English, or as JSON.
//!
//! Exit status: 0 valid and signed by a trusted key, 1 altered (the file named), 2 a usage
//! error or keys that could not be read (never taken as "no key"), 3 intact but signed by no
//! trusted key.

mod render;

use std::path::{Path, PathBuf};

use mesdonnees_core::verify::{Trust, Verdict, verify};
use mesdonnees_infra::published_keys::{self, FetchedKeys};
use mesdonnees_shared::Lang;
use mesdonnees_shared::keys::{MAX_PUBLISHED_KEYS, PublishedKeys};
use mesdonnees_zip::LocalSource;

/// Largest trust store read.
const MAX_TRUST_STORE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The archive to check.
    archive: PathBuf,
    /// A trusted public key (raw Ed25519, base64), for whatever instance the archive names.
    #[arg(long = "key", value_name = "BASE64")]
    keys: Vec<String>,
    /// The address of an instance's published keys
    /// (`https://…/.well-known/mesdonnees/keys`): its keys are trusted for it.
    #[arg(long = "keys-url", value_name = "URL")]
    keys_urls: Vec<String>,
    /// A JSON file of trusted keys: one keys document as an instance publishes it, or an array
    /// of them.
    #[arg(long = "trust-store", value_name = "FILE")]
    trust_stores: Vec<PathBuf>,
    /// Print the verification as JSON, for scripts.
    #[arg(long)]
    json: bool,
}

/// Exit statuses of `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyExit {
    Valid = 0,
    Altered = 1,
    Usage = 2,
    UntrustedSigner = 3,
}

/// Runs `verify`; the exit status to leave with.
pub fn main(args: &VerifyArgs) -> u8 {
    let lang = locale_lang();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{e}");
            return VerifyExit::Usage as u8;
        }
    };
    match runtime.block_on(run(args, lang)) {
        Ok(exit) => exit as u8,
        Err(message) => {
            eprintln!("{}", render::usage_error(lang, &message));
            VerifyExit::Usage as u8
        }
    }
}

async fn run(args: &VerifyArgs, lang: Lang) -> Result<VerifyExit, String> {
    let trust = trust(args).await?;
    let source =
        LocalSource::open(&args.archive).map_err(|e| format!("{}: {e}", args.archive.display()))?;
    let found = verify(&source, &trust).await;
    if args.json {
        println!("{}", render::json(&found));
    } else {
        print!("{}", render::text(&found, lang));
    }
    Ok(match found.verdict() {
        Verdict::Valid => VerifyExit::Valid,
        Verdict::Altered => VerifyExit::Altered,
        Verdict::UntrustedSigner => VerifyExit::UntrustedSigner,
    })
}

/// The keys the arguments trust; an unreadable one is an error, never left out.
async fn trust(args: &VerifyArgs) -> Result<Trust, String> {
    let mut trust = Trust::default();
    for key in &args.keys {
        let pasted = mesdonnees_infra::config::TrustedKey::pasted("", key);
        if pasted.key_bytes().is_none() {
            return Err(format!("--key {key}: not a base64 Ed25519 public key (32 bytes)"));
        }
        trust.any_instance.push(key.trim().to_owned());
    }
    let fetcher = FetchedKeys::default();
    for url in &args.keys_urls {
        let keys = fetcher.document(url).await.map_err(|e| format!("--keys-url: {e}"))?;
        trust.keys.extend(own_keys(&keys, url)?);
    }
    for path in &args.trust_stores {
        for keys in read_trust_store(path)? {
            trust.keys.extend(own_keys(&keys, &path.display().to_string())?);
        }
    }
    Ok(trust)
}

/// A document's keys, trusted for the instance it names.
fn own_keys(
    keys: &PublishedKeys,
    from: &str,
) -> Result<Vec<mesdonnees_infra::config::TrustedKey>, String> {
    published_keys::trusted_for(keys, &keys.instance, from).map_err(|e| e.to_string())
}

fn read_trust_store(path: &Path) -> Result<Vec<PublishedKeys>, String> {
    let failed = |e: &dyn std::fmt::Display| format!("--trust-store {}: {e}", path.display());
    let size = std::fs::metadata(path).map_err(|e| failed(&e))?.len();
    if size > MAX_TRUST_STORE_BYTES {
        return Err(failed(&format!("larger than {MAX_TRUST_STORE_BYTES} bytes")));
    }
    let bytes = std::fs::read(path).map_err(|e| failed(&e))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| failed(&e))?;
    let documents = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    if documents.len() > MAX_PUBLISHED_KEYS {
        return Err(failed(&format!("more than {MAX_PUBLISHED_KEYS} documents")));
    }
    documents
        .iter()
        .map(|doc| {
            let bytes = serde_json::to_vec(doc).unwrap_or_default();
            PublishedKeys::parse(&bytes).map_err(|e| failed(&e))
        })
        .collect()
}

/// English when the locale says so, French otherwise.
fn locale_lang() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .unwrap_or_default();
    if locale.to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Fr }
}
