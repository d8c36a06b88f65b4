//! Raw deflate as zip entries hold it: whole buffers, streamed entries chunk by chunk, and
//! whether a sample of a file is worth compressing at all.
//!
//! Two compressors, chosen by the shape of the input rather than by the caller: a buffer held
//! whole goes through libdeflate, which compresses about twice as fast as zlib at the same
//! ratio (and, at its higher levels, tighter than zlib's best) but only in one call over the
//! whole input; a stream goes through flate2's zlib-rs, which keeps its state between chunks.
//! The choice lives here, with the format, because it depends only on whether the bytes are at
//! hand; which level suits which content is the caller's. Pitfall: the two number their levels
//! differently (libdeflate 1–12, zlib 1–9): a level is a [`WholeLevel`] or a
//! [`flate2::Compression`], never a bare number shared by both.

use std::sync::Mutex;

use flate2::{Compress, FlushCompress, Status};
use libdeflater::{CompressionLvl, Compressor};

/// Bytes of a file tried with a fast deflate: enough to see structure, small enough that
/// incompressible files cost little.
pub const SAMPLE_BYTES: usize = 16 * 1024;
/// Deflate is kept when the sample shrinks below nine tenths of its size.
const WORTH_IT_TENTHS: usize = 9;

/// Whether a sample of a file (its first [`SAMPLE_BYTES`] or fewer) shrinks enough under a fast
/// deflate to be worth compressing the whole file; samples under 64 bytes never are.
pub fn sample_shrinks(sample: &[u8]) -> bool {
    if sample.len() < 64 {
        return false;
    }
    let sample = &sample[..sample.len().min(SAMPLE_BYTES)];
    // Bytes spread evenly over all 256 values (encrypted, compressed, media) cannot shrink; a
    // histogram tells in microseconds, before any compressor is tried.
    if byte_entropy(sample) > HIGH_ENTROPY_BITS {
        return false;
    }
    deflate(sample, WholeLevel::FAST)
        .is_some_and(|out| out.len() * 10 < sample.len() * WORTH_IT_TENTHS)
}

/// Shannon entropy above which a sample is taken as incompressible, in bits per byte (8 is
/// uniform noise; text and JSON sit around 4 to 5.5).
const HIGH_ENTROPY_BITS: f64 = 7.5;

fn byte_entropy(sample: &[u8]) -> f64 {
    let mut counts = [0_u32; 256];
    for &byte in sample {
        counts[usize::from(byte)] += 1;
    }
    let total = f64::from(u32::try_from(sample.len()).unwrap_or(u32::MAX));
    counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = f64::from(n) / total;
            -p * p.log2()
        })
        .sum()
}

/// A libdeflate level, 0 (stored blocks) to 12: levels 1–9 find matches greedily or lazily
/// like zlib's, 10–12 search for the cheapest parse, slower and tighter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeLevel(CompressionLvl);

impl WholeLevel {
    /// Level 1, for samples tried only to see whether a file shrinks.
    pub const FAST: Self = Self::new(1);

    /// Meant for constants, where a wrong level fails the build.
    ///
    /// # Panics
    /// Outside 0–12.
    pub const fn new(level: i32) -> Self {
        match CompressionLvl::new(level) {
            Ok(level) => Self(level),
            Err(_) => panic!("libdeflate levels run from 0 to 12"),
        }
    }
}

/// Idle libdeflate compressors, shared by every thread: allocating one costs up to a few
/// hundred KiB per file, which dominated small files. Pitfall: one per thread instead (a
/// thread-local) made the process grow with the length of an export, each blocking thread that
/// ever compressed keeping its own until it exited; shared, there are never more than the
/// calls that ran at once.
struct IdleCompressors(Mutex<Vec<(WholeLevel, Compressor)>>);

impl IdleCompressors {
    const fn new() -> Self {
        Self(Mutex::new(Vec::new()))
    }

    fn deflate(&self, data: &[u8], level: WholeLevel) -> Option<Vec<u8>> {
        let taken = self.0.lock().ok().and_then(|mut idle| {
            let i = idle.iter().position(|(l, _)| *l == level)?;
            Some(idle.swap_remove(i).1)
        });
        let mut compressor = taken.unwrap_or_else(|| Compressor::new(level.0));
        // libdeflate writes into a buffer sized beforehand; its bound covers the worst case.
        let mut out = vec![0; compressor.deflate_compress_bound(data.len())];
        let written = compressor.deflate_compress(data, &mut out).ok();
        if let Ok(mut idle) = self.0.lock() {
            idle.push((level, compressor));
        }
        out.truncate(written?);
        Some(out)
    }
}

static IDLE_COMPRESSORS: IdleCompressors = IdleCompressors::new();

/// Raw deflate (what zip entries hold) of a buffer held whole, through libdeflate; `None` if
/// the compressor fails.
pub fn deflate(data: &[u8], level: WholeLevel) -> Option<Vec<u8>> {
    IDLE_COMPRESSORS.deflate(data, level)
}

/// Deflates one chunk of a streamed entry into `out` (cleared first), finishing the stream on
/// the `last` chunk; a non-final chunk is flushed only as far as the compressor wants.
pub fn deflate_chunk(
    state: &mut Compress,
    chunk: &[u8],
    last: bool,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    out.clear();
    out.reserve(chunk.len() + chunk.len() / 1000 + 64);
    let flush = if last { FlushCompress::Finish } else { FlushCompress::None };
    let start = state.total_in();
    loop {
        let consumed = usize::try_from(state.total_in() - start).unwrap_or(usize::MAX);
        let status = state
            .compress_vec(&chunk[consumed.min(chunk.len())..], out, flush)
            .map_err(std::io::Error::other)?;
        let done = usize::try_from(state.total_in() - start).unwrap_or(usize::MAX) >= chunk.len();
        match status {
            Status::StreamEnd => return Ok(()),
            // Output full: grow it and go on.
            _ if out.len() == out.capacity() => out.reserve(out.capacity().max(64 * 1024)),
            _ if done && !last => return Ok(()),
            Status::Ok | Status::BufError => out.reserve(64 * 1024),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64: bytes with no structure a compressor can use.
    fn noise(len: usize, mut state: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn entropy_separates_noise_from_text() {
        let noise = noise(16_384, 0x2545_F491_4F6C_DD1D);
        assert!(byte_entropy(&noise) > HIGH_ENTROPY_BITS);
        let json =
            br#"{"titre": "Le corbeau", "notes": [12, 15, 9], "classe": "5e B"}"#.repeat(200);
        assert!(byte_entropy(&json) < 6.0);
    }

    /// French JSON records cut at `len` bytes: what most whole entries hold.
    fn json(len: usize) -> Vec<u8> {
        let names = ["Zoé Lefèvre", "Noé Martin", "Inès Béranger", "Léo Dupré", "Anaïs Roy"];
        let remarks = ["Très bon travail.", "Des progrès à l'écrit.", "Bavardages en classe."];
        (0_usize..)
            .flat_map(|i| {
                format!(
                    r#"{{"élève":"{}","date":"2026-09-{:02}","note":{}.{},"appréciation":"{}"}},"#,
                    names[i % names.len()],
                    i % 28 + 1,
                    i * 7 % 21,
                    i % 2 * 5,
                    remarks[i * 3 % remarks.len()],
                )
                .into_bytes()
            })
            .take(len)
            .collect()
    }

    /// Every level round trips on what whole entries can be: empty, one byte, text and noise up
    /// to one byte either side of the 1 MiB beyond which entries are streamed instead; inflated
    /// by zlib-rs, a second implementation, and with the CRC-32 of both libraries agreeing.
    #[test]
    fn whole_buffers_round_trip_at_every_level() {
        use std::io::Read;
        const MIB: usize = 1024 * 1024;
        let contents = [
            Vec::new(),
            b"a".to_vec(),
            json(4_000),
            (0..=255_u8).cycle().take(70_000).collect(),
            json(MIB - 1),
            json(MIB),
            noise(MIB, 0x2545_F491_4F6C_DD1D),
            json(MIB + 1),
        ];
        for level in 0..=12 {
            for content in &contents {
                // Twice: the second call reuses an idle compressor.
                for _ in 0..2 {
                    let packed = deflate(content, WholeLevel::new(level)).expect("deflate");
                    let mut back = Vec::with_capacity(content.len());
                    flate2::read::DeflateDecoder::new(packed.as_slice())
                        .read_to_end(&mut back)
                        .expect("inflate");
                    assert!(back == *content, "level {level}, {} bytes", content.len());
                    assert_eq!(crc32fast::hash(&back), libdeflater::crc32(content));
                }
            }
        }
    }

    #[test]
    fn higher_levels_pack_json_tighter() {
        let content = json(200_000);
        let size = |level| deflate(&content, WholeLevel::new(level)).expect("deflate").len();
        assert!(size(0) > content.len(), "level 0 stores");
        assert!(size(12) < size(6) && size(6) < size(1));
    }

    #[test]
    fn a_stream_deflated_in_chunks_inflates_to_its_content() {
        use std::io::Read;
        let content = "chunked text with repeats, ".repeat(100_000);
        let mut state = Compress::new(flate2::Compression::new(5), false);
        let mut deflated = Vec::new();
        let mut out = Vec::new();
        let chunks: Vec<&[u8]> = content.as_bytes().chunks(300_000).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            deflate_chunk(&mut state, chunk, i + 1 == chunks.len(), &mut out).unwrap();
            deflated.extend_from_slice(&out);
        }
        let mut back = String::new();
        flate2::read::DeflateDecoder::new(deflated.as_slice()).read_to_string(&mut back).unwrap();
        assert_eq!(back, content);
        assert!(deflated.len() * 20 < content.len());
    }

    /// Threads that compress one after the other leave one idle compressor per level, however
    /// many threads there were.
    #[test]
    fn compressors_are_shared_by_threads_not_kept_per_thread() {
        let pool = IdleCompressors::new();
        let content = json(10_000);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| pool.deflate(&content, WholeLevel::new(6))).join().expect("joined");
            }
        });
        pool.deflate(&content, WholeLevel::FAST).expect("deflate");
        let levels = |pool: &IdleCompressors| {
            let idle = pool.0.lock().expect("lock");
            idle.iter().map(|(level, _)| *level).collect::<Vec<_>>()
        };
        assert_eq!(levels(&pool), [WholeLevel::new(6), WholeLevel::FAST]);
    }
}
