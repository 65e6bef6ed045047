//! What a file is, decided by its first bytes — never by its name or the type the browser declared.

/// The kinds of file Loket accepts (and HEIF, recognised so the refusal can say what to do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Heif,
    Pdf,
}

/// The kind of `bytes`, or `None` when it is none of the accepted kinds (an HTML page named `.jpg`, say).
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Kind::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Kind::Png);
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(Kind::Pdf);
    }
    // ISO base media: size, "ftyp", major brand.
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        if [
            b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1",
        ]
        .iter()
        .any(|b| brand == *b)
        {
            return Some(Kind::Heif);
        }
    }
    None
}

/// Whether an image also carries a PDF: readers look for `%PDF-` anywhere in the first kilobyte and often
/// further, so a file that is both is refused outright rather than trusted as either.
pub fn hides_pdf(bytes: &[u8]) -> bool {
    bytes.windows(5).any(|w| w == b"%PDF-")
}

/// Whether a JPEG ends properly: walks the marker segments, then the entropy-coded scans (where a 0xFF byte
/// is always stuffed or a restart marker), until the End Of Image marker. A truncated upload never gets
/// there. Decoders fill a cut-off photo with grey instead of failing, so this check is ours. Bytes after the
/// end marker (some phones append their own data) are allowed: re-encoding drops them.
pub fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // past SOI
    loop {
        // A marker: one or more 0xFF fill bytes, then the code.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if bytes.get(i) != Some(&0xFF) {
            return false;
        }
        let Some(&code) = bytes.get(i + 1) else {
            return false;
        };
        i += 2;
        match code {
            0xD9 => return true,
            // Standalone markers without a length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let (Some(&hi), Some(&lo)) = (bytes.get(i), bytes.get(i + 1)) else {
            return false;
        };
        let length = usize::from(hi) << 8 | usize::from(lo);
        if length < 2 {
            return false;
        }
        i += length;
        if i > bytes.len() {
            return false;
        }
        if code == 0xDA {
            // Start of scan: skip entropy-coded data up to the next real marker.
            loop {
                match (bytes.get(i), bytes.get(i + 1)) {
                    (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                    (Some(0xFF), Some(_)) => break,
                    (Some(_), _) => i += 1,
                    (None, _) => return false,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_apart_by_their_first_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(Kind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(Kind::Png));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Kind::Pdf));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(Kind::Heif));
        assert_eq!(sniff(b"<!doctype html><html>"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn a_jpeg_cut_off_anywhere_is_incomplete() {
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode(
                &[200u8; 3 * 64 * 48],
                64,
                48,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        assert!(jpeg_is_complete(&jpeg));
        let mut trailing = jpeg.clone();
        trailing.extend_from_slice(b"vendor trailer");
        assert!(jpeg_is_complete(&trailing));
        for cut in [3, 10, jpeg.len() / 2, jpeg.len() - 1] {
            assert!(!jpeg_is_complete(&jpeg[..cut]), "cut at {cut}");
        }
    }
}
