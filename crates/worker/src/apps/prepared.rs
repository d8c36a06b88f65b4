//! An entry's bytes ready for the archive — hashed, deflated when worth it — as apps hand
//! them to the export and as the export prepares stored files.

use mesdonnees_zip::deflate::WholeLevel;
use mesdonnees_zip::write::WholeEntry;
use sha2::{Digest, Sha256};

/// An entry's bytes as they go into the archive, with what its headers and the manifest need.
#[derive(Debug)]
pub struct PreparedData {
    /// Raw deflate stream when `deflate`, else the content itself; empty when `spilled`…
    pub data: Vec<u8>,
    /// …or these bytes of a scratch file, for metadata that grows with the file count.
    pub spilled: Option<Spilled>,
    pub deflate: bool,
    pub crc32: u32,
    pub size: u64,
    pub sha256: String,
}

/// Bytes `start..start + len` of a scratch file, read by position so that any number of
/// readers, and the file's own writer, do not move each other.
#[derive(Debug, Clone)]
pub struct Spilled {
    pub file: std::sync::Arc<std::fs::File>,
    pub start: u64,
    pub len: u64,
}

impl Spilled {
    /// The bytes from their start, a read at a time (blocking: the file is in the page cache).
    pub fn reader(&self) -> impl std::io::Read + '_ {
        PositionalReader { file: &self.file, at: self.start, end: self.start + self.len }
    }
}

struct PositionalReader<'a> {
    file: &'a std::fs::File,
    at: u64,
    end: u64,
}

impl std::io::Read for PositionalReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let left = usize::try_from(self.end - self.at).unwrap_or(usize::MAX);
        let want = buf.len().min(left);
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

impl PreparedData {
    /// Bytes the entry takes in the archive after its header.
    pub fn stored_len(&self) -> u64 {
        self.data.len() as u64 + self.spilled.as_ref().map_or(0, |s| s.len)
    }

    /// The stored bytes, read from memory or from their file.
    pub fn stored(&self) -> impl std::io::Read + '_ {
        use std::io::Read;
        let spilled: Box<dyn Read + '_> = match &self.spilled {
            Some(spilled) => Box::new(spilled.reader()),
            None => Box::new(std::io::empty()),
        };
        self.data.as_slice().chain(spilled)
    }

    /// The content in clear, read back (inflated when deflated) for a reader of the entry
    /// such as the archive's viewer; never more than `size` bytes.
    pub fn content(&self) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut reader: Box<dyn Read + '_> = if self.deflate {
            Box::new(flate2::read::DeflateDecoder::new(self.stored()))
        } else {
            Box::new(self.stored())
        };
        let mut content = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0));
        (&mut reader).take(self.size).read_to_end(&mut content)?;
        Ok(content)
    }

    /// The entry as the zip writer takes it: the bytes in memory only, the spilled ones being
    /// read by the archive from [`Self::spilled`].
    pub fn whole(&self) -> WholeEntry<'_> {
        WholeEntry { data: &self.data, deflated: self.deflate, crc32: self.crc32, size: self.size }
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
            spilled: None,
            deflate: true,
            crc32,
            size,
            sha256,
        };
    }
    PreparedData { data: content, spilled: None, deflate: false, crc32, size, sha256 }
}
