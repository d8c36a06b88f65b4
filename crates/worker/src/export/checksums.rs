//! SHA256SUMS: one line per file of the archive, in the format `sha256sum -c` reads, so that
//! anyone can check an unzipped archive with coreutils alone.
//!
//! Pitfalls:
//! - The lines are deflated into an unnamed temporary file of the scratch folder as entries
//!   pass, then copied into the archive: held in memory they would grow with the file count,
//!   and deflated only at the end they made the export's last step longer (20,000 lines).
//! - A name holding a backslash or a line break would break the line format. coreutils writes
//!   such a line with a leading `\`, the backslash as `\\` and the line break as `\n`; so do
//!   we, and `sha256sum -c` reads it back (tested below with coreutils itself).
//! - The file lists what was written before it: the manifest lists SHA256SUMS with its
//!   checksum, so the manifest and its signature cannot be in it (the signature covers them).

use std::path::Path;

use crate::apps::{DeflatedFile, PreparedData};

/// Lines gathered as the archive is written.
pub struct Checksums {
    file: DeflatedFile,
}

impl Checksums {
    /// An empty list spilled to an unnamed file of `scratch` (removed when dropped).
    pub fn create(scratch: &Path) -> std::io::Result<Self> {
        Ok(Self { file: DeflatedFile::create(scratch)? })
    }

    /// Records one file entry, its SHA-256 in hex.
    pub fn add(&mut self, path: &str, sha256: &str) -> std::io::Result<()> {
        self.file.append(line(path, sha256).as_bytes())
    }

    /// The finished list, deflated, as the archive takes it.
    pub fn finish(self) -> std::io::Result<PreparedData> {
        self.file.finish()
    }
}

/// One line as coreutils writes it: `<hex>  <path>\n`, escaped when the path needs it.
fn line(path: &str, sha256: &str) -> String {
    if path.contains(['\\', '\n', '\r']) {
        let escaped = path.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r");
        format!("\\{sha256}  {escaped}\n")
    } else {
        format!("{sha256}  {path}\n")
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    #[test]
    fn plain_and_escaped_lines() {
        assert_eq!(line("Documents/a b.txt", "ab"), "ab  Documents/a b.txt\n");
        assert_eq!(line("a\\b\nc", "ab"), "\\ab  a\\\\b\\nc\n");
    }

    /// What we write is what coreutils reads: files with awkward names, checked by
    /// `sha256sum -c`, which also fails when one of them changes.
    #[test]
    fn coreutils_checks_what_is_written() {
        let scratch = tempfile::tempdir().expect("scratch");
        let root = tempfile::tempdir().expect("root");
        let names =
            ["plain.txt", "back\\slash.txt", "line\nbreak.txt", "cr\rname", "é à.txt", "-dash"];
        let mut sums = Checksums::create(scratch.path()).expect("create");
        for (i, name) in names.iter().enumerate() {
            let content = format!("content {i}");
            std::fs::write(root.path().join(name), &content).expect("write");
            let sha = hex::encode(Sha256::digest(content.as_bytes()));
            sums.add(name, &sha).expect("add");
        }
        let prepared = sums.finish().expect("finish");
        let text = prepared.content().expect("inflated");
        assert_eq!(text.len() as u64, prepared.size);
        assert_eq!(prepared.sha256, hex::encode(Sha256::digest(&text)));
        std::fs::write(root.path().join("SHA256SUMS"), &text).expect("write sums");
        let check = || {
            std::process::Command::new("sha256sum")
                .args(["-c", "--strict", "SHA256SUMS"])
                .current_dir(root.path())
                .output()
                .expect("sha256sum runs")
        };
        let out = check();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        std::fs::write(root.path().join("line\nbreak.txt"), "changed").expect("change");
        let out = check();
        assert!(!out.status.success(), "a changed file is seen");
        assert!(String::from_utf8_lossy(&out.stdout).contains("FAILED"));
    }
}
