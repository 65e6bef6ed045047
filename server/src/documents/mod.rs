//! Documents the resident sends: photos of papers (several pages per document) and PDFs, attached to an
//! appointment or to a case that asks for them. One pipeline, in this order, and nothing is stored unless
//! every step passes: size (while the body streams in, see the web edge) → type by content → malware scan →
//! decode with limits, orient, strip, resize, re-encode (photos) or validate (PDF) → store the object → one
//! database row. A crash between the last two leaves an object no row points to, which [`drafts::sweep`]
//! removes; nobody ever sees half a document.

pub mod drafts;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod pdf;
pub mod photo;
pub mod scan;
pub mod sniff;
pub mod store;

use sniff::Kind;

/// What the upload routes need: where bytes go, the scanner, the limits.
#[derive(Clone, Debug)]
pub struct Documents {
    pub store: store::Store,
    pub scanner: scan::Scanner,
    pub limits: Limits,
}

impl Documents {
    pub fn pipeline<'a>(&'a self, db: &'a crate::storage::Db) -> drafts::Pipeline<'a> {
        drafts::Pipeline {
            db,
            store: &self.store,
            scanner: &self.scanner,
            limits: &self.limits,
        }
    }
}

/// Limits of the pipeline (`LOKET_UPLOAD_MAX_MB` sets `max_file_bytes`).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest file, checked before and while its body is read.
    pub max_file_bytes: usize,
    /// What one person may keep stored in all (documents and unfinished pages).
    pub quota_bytes: u64,
    /// Largest side and pixel count a photo may declare before it is decoded at all.
    pub max_side: u32,
    pub max_pixels: u64,
    /// Memory the decoder may allocate for one photo.
    pub max_decode_bytes: u64,
    /// The long edge photos are stored at.
    pub long_edge: u32,
    pub max_pdf_pages: u32,
    /// Pages (photos) one document may have.
    pub max_photos: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 20 * 1024 * 1024,
            quota_bytes: 200 * 1024 * 1024,
            max_side: 12_000,
            // 50 megapixels: the largest common phone sensor mode (48 MP), not more.
            max_pixels: 50_000_000,
            max_decode_bytes: 256 * 1024 * 1024,
            long_edge: 2000,
            max_pdf_pages: 200,
            max_photos: 20,
        }
    }
}

/// What in a PDF made it unsafe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsafe {
    JavaScript,
    Launch,
    EmbeddedFile,
    Form,
}

/// Every way an upload can be refused. The web edge turns each into one Dutch sentence that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("empty file")]
    Empty,
    #[error("file larger than the limit")]
    TooLarge { limit_bytes: usize },
    #[error("quota exceeded")]
    OverQuota,
    #[error("not an accepted type")]
    NotAllowed,
    #[error("HEIC/HEIF")]
    Heif,
    #[error("image that is also a PDF")]
    Polyglot,
    #[error("unreadable or damaged")]
    Unreadable,
    #[error("more pixels than allowed")]
    TooManyPixels,
    #[error("PDF whose compressed streams unpack past the limit")]
    PdfBomb,
    #[error("encrypted PDF")]
    Encrypted,
    #[error("PDF with more than {0} pages")]
    TooManyPages(u32),
    #[error("unsafe PDF content: {0:?}")]
    Unsafe(Unsafe),
    #[error("malware found")]
    Infected,
    #[error("too many files are being checked at once")]
    Busy,
    #[error("a stream the checks cannot read (filter {0})")]
    UnreadableStream(String),
    #[error("the malware scanner did not answer: {0}")]
    ScannerDown(String),
    #[error("too many pages in one document")]
    TooManyPhotos(u32),
    #[error("a PDF is sent as a document of its own")]
    PdfAlone,
    #[error("nothing to send")]
    NoPages,
    #[error("the title is missing or too long")]
    Title,
    #[error("this cannot be attached here")]
    NotAttachable,
    #[error("not found")]
    NotFound,
    #[error("already taken into processing")]
    Taken,
    /// An appointment link's session (a birth date or a code) sends documents but opens or removes none:
    /// what she sent earlier, her ID papers among them, needs her own sign-in.
    #[error("a signed-in session is needed")]
    NeedsSignIn,
    /// More drafts or pages in the last hour than a person sends ([`drafts::DRAFTS_PER_PERSON`]).
    #[error("too many drafts or pages in a short time")]
    TooFast,
    #[error("storage: {0}")]
    Store(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// One checked page, ready to store.
#[derive(Debug)]
pub enum Prepared {
    Photo(photo::Photo),
    Pdf { bytes: Vec<u8>, pages: u32 },
}

impl Prepared {
    pub fn content_type(&self) -> &'static str {
        match self {
            Prepared::Photo(_) => "image/jpeg",
            Prepared::Pdf { .. } => "application/pdf",
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Prepared::Photo(photo) => &photo.jpeg,
            Prepared::Pdf { bytes, .. } => bytes,
        }
    }
}

/// The CPU part of the pipeline for one uploaded file (run it off the async threads): its kind by content,
/// then the photo or PDF steps.
///
/// Decision: HEIC/HEIF is refused with a message saying how to send JPG instead. No maintained pure-Rust
/// decoder exists, and the browser already turns a HEIC photo into JPEG when it downsizes it (Safari decodes
/// HEIC), so only the no-JavaScript path ever meets one.
pub fn prepare(bytes: &[u8], limits: &Limits) -> Result<Prepared, DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty);
    }
    if bytes.len() > limits.max_file_bytes {
        return Err(DocumentError::TooLarge {
            limit_bytes: limits.max_file_bytes,
        });
    }
    let format = match sniff::sniff(bytes) {
        None => return Err(DocumentError::NotAllowed),
        Some(Kind::Heif) => return Err(DocumentError::Heif),
        Some(Kind::Pdf) => {
            let pages = pdf::validate(bytes, limits)?;
            return Ok(Prepared::Pdf {
                bytes: bytes.to_vec(),
                pages,
            });
        }
        Some(Kind::Jpeg) => {
            if !sniff::jpeg_is_complete(bytes) {
                return Err(DocumentError::Unreadable);
            }
            image::ImageFormat::Jpeg
        }
        Some(Kind::Png) => image::ImageFormat::Png,
    };
    if sniff::hides_pdf(bytes) {
        return Err(DocumentError::Polyglot);
    }
    photo::process(bytes, format, limits).map(Prepared::Photo)
}

#[cfg(test)]
mod tests;
