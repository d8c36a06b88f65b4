//! SHA256SUMS: one line per file of the archive, in the format `sha256sum -c` reads, so that
//! anyone can check an unzipped archive with coreutils alone.
//!
//! Pitfalls:
//! - The lines are spilled to an unnamed temporary file in the scratch folder as entries pass,
//!   then streamed into the archive: held in memory they would grow with the file count.
//! - A name holding a backslash or a line break would break the line format. coreutils writes
//!   such a line with a leading `\`, the backslash as `\\` and the line break as `\n`; so do
//!   we, and `sha256sum -c` reads it back (tested below with coreutils itself).
//! - The file lists what was written before it: the manifest lists SHA256SUMS with its
//!   checksum, so the manifest and its signature cannot be in it (the signature covers them).

use std::path::Path;

use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

/// Lines gathered as the archive is written.
pub struct Checksums {
    file: BufWriter<tokio::fs::File>,
    size: u64,
}

impl Checksums {
    /// An empty list spilled to an unnamed file of `scratch` (removed when dropped).
    pub fn create(scratch: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(scratch)?;
        let file = tokio::fs::File::from_std(tempfile::tempfile_in(scratch)?);
        Ok(Self { file: BufWriter::with_capacity(64 * 1024, file), size: 0 })
    }

    /// Records one file entry, its SHA-256 in hex.
    pub async fn add(&mut self, path: &str, sha256: &str) -> std::io::Result<()> {
        let line = line(path, sha256);
        self.file.write_all(line.as_bytes()).await?;
        self.size += line.len() as u64;
        Ok(())
    }

    /// The finished list, read from its start, and its size.
    pub async fn finish(mut self) -> std::io::Result<(tokio::fs::File, u64)> {
        self.file.flush().await?;
        let mut file = self.file.into_inner();
        file.rewind().await?;
        Ok((file, self.size))
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
    use tokio::io::AsyncReadExt;

    use super::*;

    #[test]
    fn plain_and_escaped_lines() {
        assert_eq!(line("Documents/a b.txt", "ab"), "ab  Documents/a b.txt\n");
        assert_eq!(line("a\\b\nc", "ab"), "\\ab  a\\\\b\\nc\n");
    }

    /// What we write is what coreutils reads: files with awkward names, checked by
    /// `sha256sum -c`, which also fails when one of them changes.
    #[tokio::test]
    async fn coreutils_checks_what_is_written() {
        let scratch = tempfile::tempdir().expect("scratch");
        let root = tempfile::tempdir().expect("root");
        let names =
            ["plain.txt", "back\\slash.txt", "line\nbreak.txt", "cr\rname", "é à.txt", "-dash"];
        let mut sums = Checksums::create(scratch.path()).expect("create");
        for (i, name) in names.iter().enumerate() {
            let content = format!("content {i}");
            std::fs::write(root.path().join(name), &content).expect("write");
            let sha = hex::encode(Sha256::digest(content.as_bytes()));
            sums.add(name, &sha).await.expect("add");
        }
        let (mut file, size) = sums.finish().await.expect("finish");
        let mut text = Vec::new();
        file.read_to_end(&mut text).await.expect("read");
        assert_eq!(text.len() as u64, size);
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
