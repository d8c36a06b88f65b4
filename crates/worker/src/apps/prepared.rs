//! An entry's bytes ready for the archive — hashed, deflated when worth it — as apps hand
//! them to the export and as the export prepares stored files.

use mesdonnees_zip::deflate::WholeLevel;
use mesdonnees_zip::write::WholeEntry;
use sha2::{Digest, Sha256};

/// An entry's bytes as they go into the archive, with what its headers and the manifest need.
#[derive(Debug)]
pub struct PreparedData {
    /// Raw deflate stream when `deflate`, else the content itself…
    pub data: Vec<u8>,
    /// …followed by these, for content built piece by piece.
    pub rest: Vec<Vec<u8>>,
    pub deflate: bool,
    pub crc32: u32,
    pub size: u64,
    pub sha256: String,
}

impl PreparedData {
    /// The content in clear, read back (inflated when deflated) for a reader of the entry
    /// such as the archive's viewer; never more than `size` bytes.
    pub fn content(&self) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let parts = std::iter::once(&self.data).chain(&self.rest);
        let mut raw: Box<dyn Read + '_> = Box::new(std::io::empty());
        for part in parts {
            raw = Box::new(raw.chain(part.as_slice()));
        }
        let mut reader: Box<dyn Read + '_> =
            if self.deflate { Box::new(flate2::read::DeflateDecoder::new(raw)) } else { raw };
        let mut content = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0));
        (&mut reader).take(self.size).read_to_end(&mut content)?;
        Ok(content)
    }

    /// The entry as the zip writer takes it.
    pub fn whole(&self) -> WholeEntry<'_> {
        WholeEntry {
            data: &self.data,
            rest: &self.rest,
            deflated: self.deflate,
            crc32: self.crc32,
            size: self.size,
        }
    }
}

/// libdeflate's level for entries compressed whole (files up to 1 MiB, most of an export's
/// compressible bytes). 6: on the JSON corpus it is faster than zlib's 4 and 1 % tighter;
/// levels 7–9 gain 0.1–0.3 % for 16–30 % more time per byte, and 10–12 gain 2 % at a seventh
/// of the speed or less (docs/BENCHMARKS.md).
pub const WHOLE_LEVEL: WholeLevel = WholeLevel::new(6);

/// zlib's level for what is deflated as it streams: files over 1 MiB and the metadata written
/// as the archive grows. 4 rather than zip's 6: about a fifth faster for under 1 % more bytes
/// on text and JSON.
pub const STREAM_LEVEL: u32 = 4;

/// Hashes and, when asked and worth it, deflates. A deflate that does not shrink the content
/// is dropped for the content itself.
pub fn pack(content: Vec<u8>, deflate: bool) -> PreparedData {
    let crc32 = crc32fast::hash(&content);
    let sha256 = hex::encode(Sha256::digest(&content));
    let size = content.len() as u64;
    if deflate
        && !content.is_empty()
        && let Some(compressed) = mesdonnees_zip::deflate::deflate(&content, WHOLE_LEVEL)
        && compressed.len() < content.len()
    {
        return PreparedData {
            data: compressed,
            rest: Vec::new(),
            deflate: true,
            crc32,
            size,
            sha256,
        };
    }
    PreparedData { data: content, rest: Vec::new(), deflate: false, crc32, size, sha256 }
}
