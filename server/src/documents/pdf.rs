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
    let document = lopdf::Document::load_mem(bytes).map_err(|_| DocumentError::Unreadable)?;
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
    use crate::documents::fixtures::pdf_with;

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
