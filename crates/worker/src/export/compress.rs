//! Whether an entry is worth compressing: never for formats that are compressed already,
//! always for text, and for the rest when a sample shrinks.

use std::io::Write;

use mesdonnees_shared::filters::family_of;

/// Bytes of a file tried with a fast deflate when its type does not decide: enough to see
/// structure, small enough that incompressible files cost little.
pub const SAMPLE_BYTES: usize = 16 * 1024;
/// Deflate is kept when the sample shrinks below nine tenths of its size.
const WORTH_IT_TENTHS: usize = 9;

pub fn should_deflate(name: &str, content_type: &str, sample: &[u8]) -> bool {
    let extension = name.rfind('.').filter(|&i| i > 0).map(|i| name[i..].to_lowercase());
    let essence = content_type.split(';').next().unwrap_or("").trim().to_lowercase();
    if essence == "audio/wav"
        || essence == "audio/x-wav"
        || essence == "image/bmp"
        || essence == "image/svg+xml"
    {
        return true;
    }
    match family_of(content_type, extension.as_deref()) {
        // Already compressed: jpeg, png, mp4, mp3, zip-based office files, archives.
        "image" | "video" | "audio" | "office" | "archive" => false,
        "text" => true,
        _ => sample_shrinks(sample),
    }
}

fn sample_shrinks(sample: &[u8]) -> bool {
    if sample.len() < 64 {
        return false;
    }
    let sample = &sample[..sample.len().min(SAMPLE_BYTES)];
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    if encoder.write_all(sample).is_err() {
        return false;
    }
    encoder.finish().is_ok_and(|out| out.len() * 10 < sample.len() * WORTH_IT_TENTHS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decides_from_type_then_sample() {
        let text = b"bonjour ".repeat(1000);
        // xorshift64: bytes with no structure deflate can use.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let noise: Vec<u8> = (0..70_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 56) as u8
            })
            .collect();
        assert!(should_deflate("notes.txt", "text/plain", &noise), "text always");
        assert!(!should_deflate("photo.jpg", "image/jpeg", &text), "jpeg never");
        assert!(!should_deflate("cours.odt", "application/vnd.oasis.opendocument.text", &text));
        assert!(
            should_deflate("data.bin", "application/octet-stream", &text),
            "compressible sample"
        );
        assert!(!should_deflate("data.bin", "application/octet-stream", &noise), "random sample");
        assert!(should_deflate("dessin.svg", "image/svg+xml", &noise), "svg is text");
    }
}
