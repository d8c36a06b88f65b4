//! A file written piece by piece and held deflated until it can go into the archive: the
//! manifest and an app's metadata grow with every entry but are written at the end, and
//! deflated they take a fraction of the memory.

use std::io::Write;

use flate2::Compression;
use flate2::write::DeflateEncoder;
use mesdonnees_zip::write::Chunks;
use sha2::{Digest, Sha256};

use super::prepared::{PreparedData, STREAM_LEVEL};

pub struct DeflatedFile {
    encoder: DeflateEncoder<Chunks>,
    crc: crc32fast::Hasher,
    sha256: Sha256,
    size: u64,
}

impl Default for DeflatedFile {
    fn default() -> Self {
        Self {
            encoder: DeflateEncoder::new(Chunks::default(), Compression::new(STREAM_LEVEL)),
            crc: crc32fast::Hasher::new(),
            sha256: Sha256::new(),
            size: 0,
        }
    }
}

impl DeflatedFile {
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

    pub fn finish(self) -> std::io::Result<PreparedData> {
        let mut chunks = self.encoder.finish()?.into_vecs().into_iter();
        Ok(PreparedData {
            data: chunks.next().unwrap_or_default(),
            rest: chunks.collect(),
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

    #[test]
    fn reads_back_as_written_with_matching_checksums() {
        let mut file = DeflatedFile::default();
        let mut scratch = Vec::new();
        file.append(b"[").unwrap();
        // Enough to span several chunks.
        for i in 0..20_000 {
            if i > 0 {
                file.append(b",").unwrap();
            }
            file.append_json(&mut scratch, &serde_json::json!({"i": i, "nom": "Élève", "sha256": hex::encode(Sha256::digest(i.to_string()))})).unwrap();
        }
        file.append(b"]").unwrap();
        let prepared = file.finish().unwrap();
        let mut plain = Vec::new();
        let deflated: Vec<u8> =
            std::iter::once(&prepared.data).chain(&prepared.rest).flatten().copied().collect();
        flate2::read::DeflateDecoder::new(deflated.as_slice()).read_to_end(&mut plain).unwrap();
        let values: Vec<serde_json::Value> = serde_json::from_slice(&plain).unwrap();
        assert_eq!(values.len(), 20_000);
        assert_eq!(values[19_999]["nom"], "Élève");
        assert!(!prepared.rest.is_empty(), "more than one chunk");
        assert_eq!(prepared.size, plain.len() as u64);
        assert_eq!(prepared.crc32, crc32fast::hash(&plain));
        assert_eq!(prepared.sha256, hex::encode(Sha256::digest(&plain)));
        assert!(deflated.len() * 2 < plain.len());
    }
}
