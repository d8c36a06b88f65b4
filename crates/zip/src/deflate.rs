//! Raw deflate as zip entries hold it: whole buffers with a compressor reused per thread,
//! streamed entries chunk by chunk, and whether a sample of a file is worth compressing at all.

use std::cell::RefCell;

use flate2::{Compress, Compression, FlushCompress, Status};

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
    deflate(sample, Compression::fast())
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

thread_local! {
    /// One raw-deflate state per thread and level, reset between entries: a fresh one costs a
    /// few hundred KiB zeroed and freed per file, which dominated small files.
    static COMPRESSORS: RefCell<Vec<(u32, Compress)>> = const { RefCell::new(Vec::new()) };
}

/// Raw deflate (what zip entries hold) of `data`; `None` if the compressor fails.
pub fn deflate(data: &[u8], level: Compression) -> Option<Vec<u8>> {
    COMPRESSORS.with_borrow_mut(|compressors| {
        let index = if let Some(i) = compressors.iter().position(|(l, _)| *l == level.level()) {
            i
        } else {
            compressors.push((level.level(), Compress::new(level, false)));
            compressors.len() - 1
        };
        let compressor = &mut compressors[index].1;
        compressor.reset();
        // Deflate's worst case is a few bytes per 16 KiB block over the input.
        let mut out = Vec::with_capacity(data.len() + data.len() / 1000 + 64);
        loop {
            let consumed = usize::try_from(compressor.total_in()).ok()?;
            match compressor.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return Some(out),
                Ok(Status::Ok | Status::BufError) => out.reserve(out.capacity().max(1024)),
                Err(_) => return None,
            }
        }
    })
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

    #[test]
    fn deflate_round_trips_and_reuses_its_state() {
        use std::io::Read;
        for text in
            [b"".to_vec(), b"bonjour ".repeat(5000), (0..=255_u8).cycle().take(70_000).collect()]
        {
            for _ in 0..2 {
                let packed = deflate(&text, Compression::default()).expect("deflate");
                let mut back = Vec::new();
                flate2::read::DeflateDecoder::new(packed.as_slice())
                    .read_to_end(&mut back)
                    .expect("inflate");
                assert_eq!(back, text);
            }
        }
    }

    #[test]
    fn a_stream_deflated_in_chunks_inflates_to_its_content() {
        use std::io::Read;
        let content = "chunked text with repeats, ".repeat(100_000);
        let mut state = Compress::new(Compression::new(5), false);
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
}
