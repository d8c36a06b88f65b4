//! Whether an entry is worth compressing: never for formats that are compressed already,
//! always for text, and for the rest when a sample shrinks.

use mesdonnees_shared::filters::family_of;
use mesdonnees_zip::deflate::sample_shrinks;

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes with no structure a compressor can use: SHA-256 digests of a counter.
    fn noise(len: usize, seed: u64) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        (seed..).flat_map(|i| Sha256::digest(i.to_le_bytes())).take(len).collect()
    }

    #[test]
    fn decides_from_type_then_sample() {
        let text = b"bonjour ".repeat(1000);
        let noise = noise(70_000, 0x9E37_79B9_7F4A_7C15);
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
