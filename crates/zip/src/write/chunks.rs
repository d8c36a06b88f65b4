//! A growing buffer in fixed-size chunks, for what must be held until the end of an archive.

use std::io::{Read, Write};

/// Bytes held in fixed-size chunks: a growing buffer never copies what it holds into a larger
/// allocation, so holding N bytes takes N bytes, not up to 3N while it grows.
#[derive(Debug, Default)]
pub struct Chunks {
    chunks: Vec<Vec<u8>>,
}

impl Chunks {
    const CHUNK: usize = 64 * 1024;

    /// The chunks, in order.
    pub fn into_vecs(self) -> Vec<Vec<u8>> {
        self.chunks
    }

    /// Reads the bytes back from the start.
    pub fn reader(&self) -> impl Read + '_ {
        ChunksReader { chunks: &self.chunks, index: 0, offset: 0 }
    }
}

impl Write for Chunks {
    fn write(&mut self, mut buf: &[u8]) -> std::io::Result<usize> {
        let written = buf.len();
        while !buf.is_empty() {
            if self.chunks.last().is_none_or(|c| c.len() == Self::CHUNK) {
                self.chunks.push(Vec::with_capacity(Self::CHUNK));
            }
            if let Some(last) = self.chunks.last_mut() {
                let take = (Self::CHUNK - last.len()).min(buf.len());
                last.extend_from_slice(&buf[..take]);
                buf = &buf[take..];
            }
        }
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct ChunksReader<'a> {
    chunks: &'a [Vec<u8>],
    index: usize,
    offset: usize,
}

impl Read for ChunksReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while let Some(chunk) = self.chunks.get(self.index) {
            if self.offset < chunk.len() {
                let n = (chunk.len() - self.offset).min(buf.len());
                buf[..n].copy_from_slice(&chunk[self.offset..self.offset + n]);
                self.offset += n;
                return Ok(n);
            }
            self.index += 1;
            self.offset = 0;
        }
        Ok(0)
    }
}
