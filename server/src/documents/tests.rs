//! The pipeline against the files that try it: each refused with its own reason, the phone photo upright
//! and bare.

use super::fixtures::*;
use super::*;

fn refused(bytes: &[u8]) -> DocumentError {
    match prepare(bytes, &Limits::default()) {
        Err(error) => error,
        Ok(prepared) => panic!("accepted: {}", prepared.content_type()),
    }
}

#[test]
fn every_bad_file_is_refused_with_its_own_reason() {
    assert!(matches!(refused(&png_bomb()), DocumentError::TooManyPixels));
    assert!(matches!(
        refused(&jpeg_pdf_polyglot()),
        DocumentError::Polyglot
    ));
    assert!(matches!(
        refused(&truncated_jpeg()),
        DocumentError::Unreadable
    ));
    assert!(matches!(refused(&html_as_jpg()), DocumentError::NotAllowed));
    assert!(matches!(refused(&eicar()), DocumentError::NotAllowed));
    assert!(matches!(refused(b""), DocumentError::Empty));
    assert!(matches!(
        refused(&pdf_with(
            "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
        )),
        DocumentError::Unsafe(Unsafe::JavaScript)
    ));
    assert!(matches!(
        refused(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
        DocumentError::Heif
    ));
}

#[test]
fn a_file_one_byte_over_the_limit_is_refused_and_one_at_the_limit_is_not() {
    let photo = halves_jpeg(40, 30);
    let at_limit = Limits {
        max_file_bytes: photo.len(),
        ..Limits::default()
    };
    assert!(prepare(&photo, &at_limit).is_ok());
    let below = Limits {
        max_file_bytes: photo.len() - 1,
        ..Limits::default()
    };
    assert!(matches!(
        prepare(&photo, &below),
        Err(DocumentError::TooLarge { .. })
    ));
}

#[test]
fn a_phone_photo_is_stored_upright_without_exif_gps_or_comments() {
    let original = phone_photo();
    assert!(original.windows(4).any(|w| w == b"Exif"));
    let Ok(Prepared::Photo(photo)) = prepare(&original, &Limits::default()) else {
        panic!("the phone photo was refused");
    };
    // Orientation 6: the 64×32 sensor image turns 90° clockwise into a 32×64 portrait.
    assert_eq!((photo.width, photo.height), (32, 64));
    let stored = image::load_from_memory(&photo.jpeg).unwrap().into_rgb8();
    assert_eq!(stored.dimensions(), (32, 64));
    // The sensor's left (red) half is now on top, its right (blue) half below.
    let top = stored.get_pixel(16, 8).0;
    let bottom = stored.get_pixel(16, 56).0;
    assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");
    // No metadata segment at all: no APP1 (EXIF/XMP), no APP2 (ICC), no comment; no GPS or maker bytes.
    let markers = segment_markers(&photo.jpeg);
    assert!(
        !markers.iter().any(|m| matches!(m, 0xE1..=0xEF | 0xFE)),
        "{markers:x?}"
    );
    for needle in [&b"Exif"[..], b"LoketPhone", b"Stationsstraat", b"GPS"] {
        assert!(!photo.jpeg.windows(needle.len()).any(|w| w == needle));
    }
}

#[test]
fn a_large_photo_is_resized_to_the_long_edge() {
    let Ok(Prepared::Photo(photo)) = prepare(&halves_jpeg(3000, 1500), &Limits::default()) else {
        panic!("refused");
    };
    assert_eq!((photo.width, photo.height), (2000, 1000));
}

/// The marker codes of a JPEG's header segments, up to the first scan.
fn segment_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let code = jpeg[i + 1];
        markers.push(code);
        if code == 0xDA {
            break;
        }
        i += 2 + (usize::from(jpeg[i + 2]) << 8 | usize::from(jpeg[i + 3]));
    }
    markers
}
