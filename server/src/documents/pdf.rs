//! PDFs: checked before anything is stored (it parses, it has pages and not too many, nothing runs or hides
//! inside it), and written: several photos of one document become one PDF for the case worker.

use super::photo::Photo;
use super::{DocumentError, Limits, Unsafe};
use lopdf::Object;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};

/// Checks an uploaded PDF; its page count when it may be stored as it is.
///
/// Decision: a PDF with JavaScript, actions that start programs, embedded files or forms with scripts is
/// refused, not silently stripped: stripping changes what the resident sent without her knowing, and the
/// message tells her how to make a clean copy.
pub fn validate(bytes: &[u8], limits: &Limits) -> Result<u32, DocumentError> {
    unpacks_within(bytes, limits.max_decode_bytes)?;
    let options = lopdf::LoadOptions {
        filter: Some(mark_unreadable),
        max_decompressed_size: usize::try_from(limits.max_decode_bytes).ok(),
        ..lopdf::LoadOptions::default()
    };
    let document = lopdf::Document::load_mem_with_options(bytes, options)
        .map_err(|_| DocumentError::Unreadable)?;
    if let Some(name) = document.objects.values().find_map(marked_unreadable) {
        return Err(DocumentError::UnreadableStream(name));
    }
    if document.is_encrypted() || document.trailer.get(b"Encrypt").is_ok() {
        return Err(DocumentError::Encrypted);
    }
    let pages = u32::try_from(document.get_pages().len()).unwrap_or(u32::MAX);
    if pages == 0 {
        return Err(DocumentError::Unreadable);
    }
    if pages > limits.max_pdf_pages {
        return Err(DocumentError::TooManyPages(limits.max_pdf_pages));
    }
    let mut found = None;
    for object in document.objects.values() {
        walk(object, 0, &mut found);
        if let Some(kind) = found {
            return Err(DocumentError::Unsafe(kind));
        }
    }
    walk(&Object::Dictionary(document.trailer.clone()), 0, &mut found);
    match found {
        Some(kind) => Err(DocumentError::Unsafe(kind)),
        None => Ok(pages),
    }
}

/// Counts what every compressed stream of the file unpacks to, before the parser unpacks any: lopdf inflates
/// object streams whole while loading, so a small PDF that unpacks to gigabytes (a "zip bomb" in a PDF) must
/// be refused first. Streams are found by their `stream` keyword (no trust in `/Length` or `/Filter`), and a
/// stream that is compressed twice or more is followed down (up to four layers). Decoding counts and throws
/// the bytes away: checking takes no more memory than a buffer.
///
/// One stream may unpack to `cap`, all together to four times that: a scan of many mostly white pages stored
/// with Flate legitimately unpacks to hundreds of megabytes (lopdf leaves such image streams packed), while a
/// bomb needs one stream far past any real page.
fn unpacks_within(bytes: &[u8], cap: u64) -> Result<(), DocumentError> {
    let total_cap = cap.saturating_mul(4);
    const KEYWORD: &[u8] = b"stream";
    let mut total: u64 = 0;
    let mut at = 0;
    while let Some(found) = bytes
        .get(at..)
        .and_then(|rest| rest.windows(KEYWORD.len()).position(|w| w == KEYWORD))
    {
        let start = at + found;
        at = start + KEYWORD.len();
        if bytes[..start].ends_with(b"end") {
            continue;
        }
        let body = match bytes.get(at..) {
            Some(rest) if rest.starts_with(b"\r\n") => &rest[2..],
            Some(rest) if rest.starts_with(b"\n") || rest.starts_with(b"\r") => &rest[1..],
            _ => continue,
        };
        let mut unpacked = 0;
        let allowed = cap.min(total_cap.saturating_sub(total));
        for layers in 1..=4 {
            let (size, head, broken) = unpacked_size(body, layers, allowed);
            if size == 0 {
                break;
            }
            // A Flate stream that breaks off after giving something: what a viewer makes of the rest cannot
            // be counted or checked, so the file is refused rather than passed on what was read.
            if broken && size <= allowed {
                return Err(DocumentError::Unreadable);
            }
            unpacked = size;
            if !is_zlib(head) {
                break;
            }
        }
        total = total.saturating_add(unpacked);
        if unpacked > allowed || total > total_cap {
            return Err(DocumentError::PdfBomb);
        }
    }
    Ok(())
}

/// What `body` unpacks to through `layers` zlib decoders (stopping just past `cap`), its first two bytes, and
/// whether decoding broke off with an error after giving some output.
fn unpacked_size(body: &[u8], layers: usize, cap: u64) -> (u64, [u8; 2], bool) {
    use std::io::Read;
    let mut reader: Box<dyn Read + '_> = Box::new(body);
    for _ in 0..layers {
        reader = Box::new(flate2::read::ZlibDecoder::new(reader));
    }
    let mut limited = reader.take(cap.saturating_add(1));
    let mut buffer = vec![0u8; 64 * 1024];
    let mut head = [0u8; 2];
    let mut count: u64 = 0;
    let mut broken = false;
    loop {
        let n = match limited.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(_) => {
                broken = count > 0;
                break;
            }
        };
        let filled = usize::try_from(count).unwrap_or(2).min(2);
        for (slot, byte) in head[filled..].iter_mut().zip(&buffer[..n]) {
            *slot = *byte;
        }
        count += n as u64;
    }
    (count, head, broken)
}

/// A zlib header (deflate, a valid check value).
fn is_zlib(head: [u8; 2]) -> bool {
    head[0] & 0x0F == 8 && (u16::from(head[0]) * 256 + u16::from(head[1])) % 31 == 0
}

/// The filters Loket lets through: Flate, which it unpacks (and counts, above) so nothing in it goes unseen,
/// and the image codecs, whose data is pixels the parser never reads as objects. Anything else (the
/// abbreviations `/Fl`, `/AHx`, `/A85`, `/LZW`, `/RL`, the ASCII and LZW filters, a chain of filters) is
/// refused: lopdf skips streams it cannot decode, so a script in such an object stream would pass unseen,
/// while PDF viewers decode it. Object streams (which hold objects) take Flate only.
fn readable_filters(dict: &lopdf::Dictionary) -> Result<(), DocumentError> {
    const IMAGES: [&[u8]; 4] = [
        b"DCTDecode",
        b"JPXDecode",
        b"CCITTFaxDecode",
        b"JBIG2Decode",
    ];
    let refuse =
        |name: &[u8]| DocumentError::UnreadableStream(String::from_utf8_lossy(name).into_owned());
    let filters: Vec<&[u8]> = match dict.get(b"Filter") {
        Err(_) => return Ok(()),
        Ok(Object::Name(name)) => vec![name.as_slice()],
        Ok(Object::Array(items)) => items
            .iter()
            .map(|item| match item {
                Object::Name(name) => Ok(name.as_slice()),
                _ => Err(refuse(b"?")),
            })
            .collect::<Result<_, _>>()?,
        Ok(_) => return Err(refuse(b"?")),
    };
    let holds_objects =
        matches!(dict.get(b"Type"), Ok(Object::Name(t)) if t.as_slice() == b"ObjStm");
    match filters.as_slice() {
        [] => Ok(()),
        [b"FlateDecode"] => Ok(()),
        [image] if !holds_objects && IMAGES.contains(image) => Ok(()),
        [one] => Err(refuse(one)),
        [first, ..] => Err(refuse(first)),
    }
}

const MARK: &[u8] = b"LoketUnreadableFilter";

/// Called by lopdf for every object as it loads, before it unpacks an object stream: a stream whose filters
/// Loket cannot read becomes a marked dictionary, so it is seen after loading (lopdf itself would drop an
/// object stream it cannot decode, and the objects in it, without a word).
fn mark_unreadable(id: (u32, u16), object: &mut Object) -> Option<((u32, u16), Object)> {
    if let Object::Stream(stream) = object {
        if let Err(DocumentError::UnreadableStream(name)) = readable_filters(&stream.dict) {
            let mut marker = lopdf::Dictionary::new();
            marker.set(MARK, Object::Name(name.into_bytes()));
            *object = Object::Dictionary(marker);
        } else {
            // For a stream lopdf keeps `object` and ignores what is returned (streams never sit inside an
            // object stream, where the returned copy is used): no copy of its bytes.
            return Some((id, Object::Null));
        }
    }
    Some((id, object.clone()))
}

fn marked_unreadable(object: &Object) -> Option<String> {
    match object {
        Object::Dictionary(d) => match d.get(MARK) {
            Ok(Object::Name(name)) => Some(String::from_utf8_lossy(name).into_owned()),
            _ => None,
        },
        _ => None,
    }
}

/// Looks through dictionaries and arrays (names are already decoded from `#xx` escapes by the parser).
fn walk(object: &Object, depth: u32, found: &mut Option<Unsafe>) {
    if found.is_some() || depth > 64 {
        return;
    }
    let dictionary = match object {
        Object::Dictionary(d) => d,
        Object::Stream(s) => &s.dict,
        Object::Array(items) => {
            for item in items {
                walk(item, depth + 1, found);
            }
            return;
        }
        Object::Name(name) => {
            *found = unsafe_name(name);
            return;
        }
        _ => return,
    };
    for (key, value) in dictionary.iter() {
        if let Some(kind) = unsafe_name(key) {
            *found = Some(kind);
            return;
        }
        walk(value, depth + 1, found);
    }
}

/// Names that mean something runs or hides: as a key (`/JS …`, `/EmbeddedFiles …`) or as a value
/// (`/S /JavaScript`, `/S /Launch`, `/Type /EmbeddedFile`).
fn unsafe_name(name: &[u8]) -> Option<Unsafe> {
    match name {
        b"JS" | b"JavaScript" => Some(Unsafe::JavaScript),
        b"Launch" => Some(Unsafe::Launch),
        b"EmbeddedFile" | b"EmbeddedFiles" | b"RichMedia" => Some(Unsafe::EmbeddedFile),
        b"XFA" => Some(Unsafe::Form),
        _ => None,
    }
}

/// One PDF with a page per photo, each page A4 wide and as tall as the photo's proportions ask. The JPEGs go
/// in as they are (DCTDecode): no second compression.
pub fn combine(photos: &[Photo]) -> Vec<u8> {
    const WIDTH: f32 = 595.0; // A4 width in points
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let ids: Vec<(Ref, Ref, Ref)> = (0..photos.len())
        .map(|i| {
            let base = i32::try_from(i).unwrap_or(0) * 3 + 3;
            (Ref::new(base), Ref::new(base + 1), Ref::new(base + 2))
        })
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(page, _, _)| *page))
        .count(i32::try_from(photos.len()).unwrap_or(i32::MAX));
    for (photo, (page_id, image_id, content_id)) in photos.iter().zip(&ids) {
        #[allow(clippy::cast_precision_loss)]
        let height = WIDTH * photo.height as f32 / photo.width.max(1) as f32;
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, height));
        page.parent(tree);
        page.contents(*content_id);
        page.resources().x_objects().pair(Name(b"Foto"), *image_id);
        page.finish();
        let mut image = pdf.image_xobject(*image_id, &photo.jpeg);
        image.filter(Filter::DctDecode);
        image.width(i32::try_from(photo.width).unwrap_or(i32::MAX));
        image.height(i32::try_from(photo.height).unwrap_or(i32::MAX));
        image.color_space().device_rgb();
        image.bits_per_component(8);
        image.finish();
        let mut content = Content::new();
        content.save_state();
        content.transform([WIDTH, 0.0, 0.0, height, 0.0, 0.0]);
        content.x_object(Name(b"Foto"));
        content.restore_state();
        pdf.stream(*content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::fixtures::{pdf_with, pdf_with_packed_content};

    fn photo(width: u32, height: u32) -> Photo {
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode(
                &vec![90u8; (3 * width * height) as usize],
                width,
                height,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        Photo {
            jpeg,
            width,
            height,
        }
    }

    #[test]
    fn combined_photos_make_a_valid_pdf_with_a_page_each() {
        let pdf = combine(&[photo(40, 30), photo(30, 40), photo(20, 20)]);
        assert_eq!(validate(&pdf, &Limits::default()).unwrap(), 3);
    }

    #[test]
    fn a_plain_pdf_passes_and_scripts_launches_and_attachments_do_not() {
        let limits = Limits::default();
        assert_eq!(validate(&pdf_with(""), &limits).unwrap(), 1);
        let cases = [
            (
                "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
                Unsafe::JavaScript,
            ),
            // The same, with the name escaped the way malware hides it.
            (
                "/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",
                Unsafe::JavaScript,
            ),
            ("/OpenAction << /S /Launch /F (cmd.exe) >>", Unsafe::Launch),
            (
                "/Names << /EmbeddedFiles << /Names [] >> >>",
                Unsafe::EmbeddedFile,
            ),
        ];
        for (extra, kind) in cases {
            match validate(&pdf_with(extra), &limits) {
                Err(DocumentError::Unsafe(found)) => assert_eq!(found, kind, "{extra}"),
                other => panic!("{extra}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_pdf_whose_streams_unpack_past_the_limit_is_refused_before_it_is_parsed() {
        let limits = Limits {
            max_decode_bytes: 1024 * 1024,
            ..Limits::default()
        };
        let text = b"BT /F1 12 Tf 72 712 Td (Loonstrook maart) Tj ET\n".repeat(100);
        assert_eq!(
            validate(&pdf_with_packed_content(&text, 1), &limits).unwrap(),
            1
        );
        // 4 MB of zeros packs into a few kilobytes: once, or hidden under a second layer.
        let zeros = vec![0u8; 4 * 1024 * 1024];
        for layers in [1, 2] {
            let bomb = pdf_with_packed_content(&zeros, layers);
            assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
            assert!(
                matches!(validate(&bomb, &limits), Err(DocumentError::PdfBomb)),
                "{layers} layers"
            );
        }
    }

    /// A PDF whose catalog's OpenAction (a JavaScript action) sits in an object stream packed with `filters`.
    fn pdf_with_script_in_object_stream(filters: &str, packed: &[u8]) -> Vec<u8> {
        crate::documents::fixtures::pdf_of(
            "1.5",
            &[
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>".to_vec(),
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>".to_vec(),
                [
                    format!(
                        "<< /Type /ObjStm /N 1 /First 4 /Length {} /Filter {filters} >>\nstream\n",
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

    #[test]
    fn a_script_hidden_behind_a_filter_loket_cannot_read_is_refused() {
        let limits = Limits::default();
        let inner = b"5 0 << /S /JavaScript /JS (app.alert(1)) >>";
        let hex: String = inner.iter().map(|b| format!("{b:02X}")).collect::<String>() + ">";
        for filters in [
            "/AHx",
            "/ASCIIHexDecode",
            "/A85",
            "/LZW",
            "/RL",
            "/Fl",
            "[/ASCIIHexDecode /FlateDecode]",
            "[/FlateDecode /FlateDecode]",
            "/DCTDecode",
        ] {
            let pdf = pdf_with_script_in_object_stream(filters, hex.as_bytes());
            assert!(
                matches!(
                    validate(&pdf, &limits),
                    Err(DocumentError::UnreadableStream(_)
                        | DocumentError::Unsafe(_)
                        | DocumentError::Unreadable)
                ),
                "{filters}: {:?}",
                validate(&pdf, &limits)
            );
        }
        // Uncompressed, the parser reads the object stream and finds the script itself.
        let plain = pdf_with_script_in_object_stream("[]", inner);
        assert!(matches!(
            validate(&plain, &limits),
            Err(DocumentError::Unsafe(Unsafe::JavaScript) | DocumentError::Unreadable)
        ));
        // An OpenAction reached through a names tree is found wherever it hides.
        let named =
            pdf_with("/Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (x) >>] >> >>");
        assert!(matches!(
            validate(&named, &limits),
            Err(DocumentError::Unsafe(Unsafe::JavaScript))
        ));
        // A picture inside a plain PDF is fine.
        assert_eq!(validate(&pdf_with(""), &limits).unwrap(), 1);
    }

    #[test]
    fn a_flate_stream_that_breaks_off_is_refused() {
        let text: Vec<u8> = (0..2000u32)
            .flat_map(|i| {
                format!(
                    "BT /F1 12 Tf 72 {} Td (regel {}) Tj ET\n",
                    i % 700,
                    i * 7919 % 10007
                )
                .into_bytes()
            })
            .collect();
        let whole = pdf_with_packed_content(&text, 1);
        assert_eq!(validate(&whole, &Limits::default()).unwrap(), 1);
        // The same file with bytes in the middle of its compressed stream damaged.
        let at = whole.windows(7).position(|w| w == b"stream\n").unwrap() + 7 + 400;
        let mut damaged = whole.clone();
        for byte in &mut damaged[at..at + 8] {
            *byte ^= 0xA5;
        }
        assert!(matches!(
            validate(&damaged, &Limits::default()),
            Err(DocumentError::Unreadable)
        ));
    }

    #[test]
    fn a_pdf_that_does_not_parse_or_has_too_many_pages_is_refused() {
        let limits = Limits {
            max_pdf_pages: 0,
            ..Limits::default()
        };
        assert!(matches!(
            validate(&pdf_with(""), &limits),
            Err(DocumentError::TooManyPages(0))
        ));
        assert!(matches!(
            validate(b"%PDF-1.4\nthis is not a pdf", &Limits::default()),
            Err(DocumentError::Unreadable)
        ));
    }
}
