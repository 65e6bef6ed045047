//! Files that try the pipeline, built in code so the repository holds no binary test data (and no EICAR
//! string a virus scanner on a developer's machine would quarantine). Compiled for tests only.

/// A JPEG of `width`×`height`: left half red, right half blue.
pub fn halves_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for _ in 0..height {
        for x in 0..width {
            pixels.extend_from_slice(if x < width / 2 {
                &[220, 20, 20]
            } else {
                &[20, 20, 220]
            });
        }
    }
    let mut jpeg = Vec::new();
    let encoded = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode(
        &pixels,
        width,
        height,
        image::ExtendedColorType::Rgb8,
    );
    debug_assert!(encoded.is_ok());
    jpeg
}

/// What a phone writes: the sensor's landscape pixels (`halves_jpeg(64, 32)`) with EXIF saying "rotate 90°
/// clockwise to show" (orientation 6), a GPS position, a camera make and a comment.
pub fn phone_photo() -> Vec<u8> {
    as_from_a_phone(&halves_jpeg(64, 32))
}

/// `jpeg` with the EXIF segment, GPS position and comment a phone adds (orientation 6).
pub fn as_from_a_phone(jpeg: &[u8]) -> Vec<u8> {
    // TIFF, little endian. IFD0 at 8: Make, Orientation, GPS IFD pointer. GPS IFD: latitude ref + latitude.
    let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = Vec::new();
        e.extend_from_slice(&tag.to_le_bytes());
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&value.to_le_bytes());
        e
    };
    let ifd0_at = 8u32;
    let ifd0_len = 2 + 3 * 12 + 4;
    let make_at = ifd0_at + ifd0_len;
    let make = b"LoketPhone\0";
    let gps_at = make_at + make.len() as u32 + 1; // keep it even
    let gps_len = 2 + 2 * 12 + 4;
    let lat_at = gps_at + gps_len;
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend(entry(0x010F, 2, make.len() as u32, make_at));
    tiff.extend(entry(0x0112, 3, 1, 6));
    tiff.extend(entry(0x8825, 4, 1, gps_at));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(make);
    tiff.push(0);
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    tiff.extend(entry(0x0002, 5, 3, lat_at));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for (num, den) in [(52u32, 1u32), (22, 1), (1234, 100)] {
        tiff.extend_from_slice(&num.to_le_bytes());
        tiff.extend_from_slice(&den.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(
        &u16::try_from(app1.len() + 2)
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    out.extend(app1);
    // A comment segment too: it must not survive either.
    let comment = b"shot at Stationsstraat 12";
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(
        &u16::try_from(comment.len() + 2)
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    out.extend_from_slice(comment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A PNG that declares 30000×30000 pixels in a 15 kB file: a decoder without limits allocates the whole
/// image (900 MB as 8-bit grey) from the header alone, before it has read a row of pixel data.
pub fn png_bomb() -> Vec<u8> {
    const SIDE: u32 = 30_000;
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&SIDE.to_be_bytes());
    ihdr.extend_from_slice(&SIDE.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // 1 bit grey
                                              // The first rows, stored (uncompressed): enough to look like the start of real pixel data.
    let row = 1 + (SIDE as usize).div_ceil(8);
    let raw = vec![0u8; row * 4];
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend_from_slice(&u16::try_from(raw.len()).unwrap_or(u16::MAX).to_le_bytes());
    zlib.extend_from_slice(&(!u16::try_from(raw.len()).unwrap_or(u16::MAX)).to_le_bytes());
    zlib.extend_from_slice(&raw);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc_input);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A JPEG that is also a PDF: a valid photo with a PDF document in a comment segment.
pub fn jpeg_pdf_polyglot() -> Vec<u8> {
    let jpeg = halves_jpeg(16, 16);
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(
        &u16::try_from(pdf.len() + 2)
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    out.extend_from_slice(pdf);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A JPEG cut off halfway, as an interrupted upload leaves it.
pub fn truncated_jpeg() -> Vec<u8> {
    let jpeg = halves_jpeg(64, 64);
    jpeg[..jpeg.len() / 2].to_vec()
}

/// An HTML page saved as `foto.jpg`.
pub fn html_as_jpg() -> Vec<u8> {
    b"<!doctype html><html><body><script>alert(1)</script></body></html>".to_vec()
}

/// The EICAR anti-virus test file, assembled at run time.
pub fn eicar() -> Vec<u8> {
    let mut s = String::from("X5O!P%@AP[4\\PZX54(P^)7CC)7}$");
    s.push_str("EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");
    s.into_bytes()
}

/// A minimal one-page PDF with `extra` in its catalog (`/OpenAction << /S /JavaScript … >>`, say).
pub fn pdf_with(extra: &str) -> Vec<u8> {
    pdf_of(
        "1.4",
        &[
            format!("<< /Type /Catalog /Pages 2 0 R {extra} >>").into_bytes(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>".to_vec(),
        ],
    )
}

/// A PDF of `objects` (numbered from 1, the first the catalog) with its cross-reference table and trailer.
pub fn pdf_of(version: &str, objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("%PDF-{version}\n").into_bytes();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A PDF whose page content is `content`, compressed `layers` times.
pub fn pdf_with_packed_content(content: &[u8], layers: usize) -> Vec<u8> {
    use std::io::Write;
    let mut packed = content.to_vec();
    for _ in 0..layers {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = encoder.write_all(&packed);
        packed = encoder.finish().unwrap_or_default();
    }
    pdf_with_filters(&packed, layers)
}

/// A one-page PDF whose content stream is `packed`, declared as `layers` Flate layers.
fn pdf_with_filters(packed: &[u8], layers: usize) -> Vec<u8> {
    let filters = vec!["/FlateDecode"; layers].join(" ");
    pdf_of(
        "1.4",
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>".to_vec(),
            [
                format!(
                    "<< /Length {} /Filter [{filters}] >>\nstream\n",
                    packed.len()
                )
                .as_bytes(),
                packed,
                &b"\nendstream"[..],
            ]
            .concat(),
        ],
    )
}

/// A one-page PDF whose content stream unpacks to `megabytes` MB of zeros under two Flate layers (a few
/// kilobytes on the wire), packed a megabyte at a time so that making it takes little memory.
pub fn pdf_bomb(megabytes: usize) -> Vec<u8> {
    use std::io::Write;
    let mut inner = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..megabytes {
        let _ = inner.write_all(&zeros);
    }
    let once = inner.finish().unwrap_or_default();
    let mut outer = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = outer.write_all(&once);
    pdf_with_filters(&outer.finish().unwrap_or_default(), 2)
}
