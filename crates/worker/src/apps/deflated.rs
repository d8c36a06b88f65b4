//! A file written piece by piece and held deflated until it can go into the archive: the
//! manifest and an app's metadata grow with every entry but are written at the end, so their
//! deflated bytes go to an unnamed file of the scratch folder rather than to memory (the
//! system removes it when it is closed, or when the process dies).
//!
//! Pitfall: the writes block; they are buffered (64 KiB) and land in the page cache, a few
//! microseconds a record, next to the deflate of the same record.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use flate2::Compression;
use flate2::write::DeflateEncoder;
use sha2::{Digest, Sha256};

use super::prepared::{PreparedData, STREAM_LEVEL, Spilled};

const BUFFER: usize = 64 * 1024;

pub struct DeflatedFile {
    encoder: DeflateEncoder<BufWriter<std::fs::File>>,
    crc: crc32fast::Hasher,
    sha256: Sha256,
    size: u64,
}

impl DeflatedFile {
    /// An empty file in `scratch`.
    pub fn create(scratch: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(scratch)?;
        let file = BufWriter::with_capacity(BUFFER, tempfile::tempfile_in(scratch)?);
        Ok(Self {
            encoder: DeflateEncoder::new(file, Compression::new(STREAM_LEVEL)),
            crc: crc32fast::Hasher::new(),
            sha256: Sha256::new(),
            size: 0,
        })
    }

    /// Appends bytes; callers hand whole records rather than single tokens, since each call
    /// costs a compressor round.
    pub fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.crc.update(bytes);
        self.sha256.update(bytes);
        self.size += bytes.len() as u64;
        self.encoder.write_all(bytes)
    }

    /// Appends a value as compact JSON through `scratch`.
    pub fn append_json<T: serde::Serialize>(
        &mut self,
        scratch: &mut Vec<u8>,
        value: &T,
    ) -> std::io::Result<()> {
        scratch.clear();
        serde_json::to_writer(&mut *scratch, value)?;
        self.append(scratch)
    }

    /// The deflated bytes, left in their file for the archive to read.
    pub fn finish(self) -> std::io::Result<PreparedData> {
        let file =
            self.encoder.finish()?.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        let len = file.metadata()?.len();
        Ok(PreparedData {
            data: Vec::new(),
            spilled: Some(Spilled { file: Arc::new(file), start: 0, len }),
            deflate: true,
            crc32: self.crc.finalize(),
            size: self.size,
            sha256: hex::encode(self.sha256.finalize()),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// Many times the write buffer, so that most of it is only in the file; nothing of it is
    /// kept in memory.
    #[test]
    fn reads_back_as_written_with_matching_checksums() {
        let scratch = tempfile::tempdir().unwrap();
        let mut file = DeflatedFile::create(scratch.path()).unwrap();
        let mut scratch_buffer = Vec::new();
        file.append(b"[").unwrap();
        for i in 0..20_000 {
            if i > 0 {
                file.append(b",").unwrap();
            }
            file.append_json(&mut scratch_buffer, &serde_json::json!({"i": i, "nom": "Élève", "sha256": hex::encode(Sha256::digest(i.to_string()))})).unwrap();
        }
        file.append(b"]").unwrap();
        let prepared = file.finish().unwrap();
        assert!(prepared.data.is_empty());
        let spilled = prepared.spilled.as_ref().unwrap();
        assert!(spilled.len > 4 * BUFFER as u64, "{}", spilled.len);
        assert_eq!(prepared.stored_len(), spilled.len);
        let mut deflated = Vec::new();
        prepared.stored().read_to_end(&mut deflated).unwrap();
        assert_eq!(deflated.len() as u64, spilled.len);
        let plain = prepared.content().unwrap();
        let values: Vec<serde_json::Value> = serde_json::from_slice(&plain).unwrap();
        assert_eq!(values.len(), 20_000);
        assert_eq!(values[19_999]["nom"], "Élève");
        assert_eq!(prepared.size, plain.len() as u64);
        assert_eq!(prepared.crc32, crc32fast::hash(&plain));
        assert_eq!(prepared.sha256, hex::encode(Sha256::digest(&plain)));
        assert!(deflated.len() * 2 < plain.len());
        assert_eq!(
            std::fs::read_dir(scratch.path()).unwrap().count(),
            0,
            "the file has no name to leave behind"
        );
    }
}
