//! A document on its way in: a draft collects pages (each its own request, so a failed page is sent again
//! alone), finishing turns them into one document row. Domain functions take `now` and their stores.

use super::pdf;
use super::photo::Photo;
use super::scan::Scanner;
use super::store::Store;
use super::{prepare, DocumentError, Limits, Prepared};
use crate::appointments::booking::{Appointment, Status};
use crate::identity::ratelimit::{self, Limit};
use crate::identity::{secrets, IdentityError};
use crate::storage::Db;
use jiff::SignedDuration;

/// Drafts (and their page objects) are kept this long before the sweep removes them.
pub const DRAFT_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;
/// An object no row points to is removed once it is this old (a crash between store and commit).
const ORPHAN_AGE_MS: i64 = 60 * 60 * 1000;
/// Photo decodes and PDF checks running at once in this process (each may use up to the decoder limit).
static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
/// How long an upload waits for its turn before it is told to try again.
const CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
const TITLE_MAX: usize = 120;

/// What a document is attached to, and whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub municipality_id: String,
    pub person_id: String,
    pub appointment_id: Option<String>,
    pub case_id: Option<String>,
    /// The appointment's service or the case's type (for the report).
    pub service: String,
}

/// A booked appointment that has not ended takes documents "to prepare" (the caller has loaded it and
/// decided the visitor may change it).
pub fn appointment_target(
    appointment: &Appointment,
    municipality_id: &str,
    now: jiff::Timestamp,
) -> Result<Target, DocumentError> {
    if appointment.status != Status::Booked || appointment.end <= now {
        return Err(DocumentError::NotAttachable);
    }
    Ok(Target {
        municipality_id: municipality_id.to_owned(),
        person_id: appointment.person_id.clone(),
        appointment_id: Some(appointment.id.clone()),
        case_id: None,
        service: appointment.service_id.clone(),
    })
}

/// An open case of a type that takes uploads, sent by `person_id` (its initiator or a member acting for it;
/// the edge has decided she may).
pub async fn case_target(db: &Db, case_id: &str, person_id: &str) -> Result<Target, DocumentError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT c.municipality_id, ct.code FROM cases c JOIN case_type ct ON ct.id = c.case_type_id
         WHERE c.id = $1 AND ct.uploads_allowed = 1 AND c.closed_at_ms IS NULL",
    )
    .bind(case_id)
    .fetch_optional(&db.pool)
    .await?;
    let (municipality_id, service) = row.ok_or(DocumentError::NotAttachable)?;
    Ok(Target {
        municipality_id,
        person_id: person_id.to_owned(),
        appointment_id: None,
        case_id: Some(case_id.to_owned()),
        service,
    })
}

/// Starts a draft; its id is what the pages are sent to.
pub async fn start(
    db: &Db,
    now_ms: i64,
    target: &Target,
    title: &str,
) -> Result<String, DocumentError> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        return Err(DocumentError::Title);
    }
    within(
        db,
        "document-drafts",
        &target.person_id,
        DRAFTS_PER_PERSON,
        now_ms,
    )
    .await?;
    let id = secrets::id();
    sqlx::query(
        "INSERT INTO document_draft (id, municipality_id, person_id, appointment_id, case_id, title, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&target.municipality_id)
    .bind(&target.person_id)
    .bind(target.appointment_id.as_deref())
    .bind(target.case_id.as_deref())
    .bind(title)
    .bind(now_ms)
    .execute(&db.pool)
    .await?;
    Ok(id)
}

/// Drafts one person may start in an hour, and pages she may send: far above what anyone photographs for
/// her appointments and cases, low enough that a script cannot keep the checks busy or fill the store.
pub const DRAFTS_PER_PERSON: Limit = Limit {
    max: 30,
    window: SignedDuration::from_hours(1),
};
pub const PAGES_PER_PERSON: Limit = Limit {
    max: 200,
    window: SignedDuration::from_hours(1),
};

/// Counts one draft or page of `person_id`; `TooFast` past `limit` (in the database, across instances).
async fn within(
    db: &Db,
    kind: &str,
    person_id: &str,
    limit: Limit,
    now_ms: i64,
) -> Result<(), DocumentError> {
    let now = jiff::Timestamp::from_millisecond(now_ms)
        .map_err(|error| DocumentError::Store(format!("rate limit time: {error}")))?;
    match ratelimit::hit(db, kind, person_id, limit, now).await {
        Ok(()) => Ok(()),
        Err(IdentityError::RateLimited) => Err(DocumentError::TooFast),
        Err(error) => Err(DocumentError::Store(format!("rate limit: {error}"))),
    }
}

/// The draft `id`, when it belongs to `person_id` and has not expired.
#[derive(Clone, Debug)]
pub struct Draft {
    pub id: String,
    pub person_id: String,
    pub appointment_id: Option<String>,
    pub case_id: Option<String>,
    pub title: String,
}

pub async fn find(db: &Db, now_ms: i64, id: &str) -> Result<Draft, DocumentError> {
    let row: Option<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT person_id, appointment_id, case_id, title FROM document_draft
         WHERE id = $1 AND created_at_ms > $2",
    )
    .bind(id)
    .bind(now_ms - DRAFT_LIFETIME_MS)
    .fetch_optional(&db.pool)
    .await?;
    let (person_id, appointment_id, case_id, title) = row.ok_or(DocumentError::NotFound)?;
    Ok(Draft {
        id: id.to_owned(),
        person_id,
        appointment_id,
        case_id,
        title,
    })
}

/// What a page became, for the sender's progress list.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PageReceipt {
    pub n: u32,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
}

/// A stored page: object key, content type, width, height, PDF pages, bytes.
type PageRow = (String, String, i64, i64, i64, i64);

/// Everything one upload needs besides the bytes.
pub struct Pipeline<'a> {
    pub db: &'a Db,
    pub store: &'a Store,
    pub scanner: &'a Scanner,
    pub limits: &'a Limits,
}

/// What the draft's person keeps stored (documents and unfinished pages), page `n` of `draft` not counted.
async fn stored_besides(
    conn: &mut sqlx::AnyConnection,
    draft: &Draft,
    n: u32,
) -> Result<u64, DocumentError> {
    let (stored,): (i64,) = sqlx::query_as(
        // PostgreSQL sums BIGINT as NUMERIC: cast back, so both databases answer an i64.
        "SELECT CAST(COALESCE((SELECT SUM(bytes) FROM document WHERE person_id = $1), 0)
              + COALESCE((SELECT SUM(p.bytes) FROM document_page p JOIN document_draft d ON d.id = p.draft_id
                          WHERE d.person_id = $1 AND NOT (p.draft_id = $2 AND p.n = $3)), 0) AS BIGINT)",
    )
    .bind(&draft.person_id)
    .bind(&draft.id)
    .bind(i64::from(n))
    .fetch_one(&mut *conn)
    .await?;
    Ok(u64::try_from(stored).unwrap_or(0))
}

impl Pipeline<'_> {
    /// Page `n` of `draft` (sending page `n` again replaces it): scanned, checked, processed, stored.
    pub async fn add_page(
        &self,
        draft: &Draft,
        n: u32,
        bytes: Vec<u8>,
        now_ms: i64,
    ) -> Result<PageReceipt, DocumentError> {
        if n >= self.limits.max_photos {
            return Err(DocumentError::TooManyPhotos(self.limits.max_photos));
        }
        if bytes.is_empty() {
            return Err(DocumentError::Empty);
        }
        within(
            self.db,
            "document-pages",
            &draft.person_id,
            PAGES_PER_PERSON,
            now_ms,
        )
        .await?;
        // A first look, before the work: the real check is made again when the page is recorded.
        let stored = {
            let mut conn = self.db.pool.acquire().await?;
            stored_besides(&mut conn, draft, n).await?
        };
        if stored + bytes.len() as u64 > self.limits.quota_bytes {
            return Err(DocumentError::OverQuota);
        }
        self.scanner.check(&bytes).await?;
        let limits = self.limits.clone();
        // Decoding a photo or checking a PDF can take hundreds of megabytes: a few at a time, so a burst of
        // uploads waits its turn instead of taking the memory (and a check never fails open under pressure).
        let _turn = tokio::time::timeout(CHECK_WAIT, CHECKS.acquire())
            .await
            .map_err(|_| DocumentError::Busy)?
            .map_err(|_| DocumentError::Busy)?;
        let prepared = tokio::task::spawn_blocking(move || prepare(&bytes, &limits))
            .await
            .map_err(|_| DocumentError::Unreadable)??;
        let (width, height, pages) = match &prepared {
            Prepared::Photo(photo) => (photo.width, photo.height, 1),
            Prepared::Pdf { pages, .. } => (0, 0, *pages),
        };
        let (others, pdfs): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN content_type = 'application/pdf' THEN 1 ELSE 0 END), 0) AS BIGINT)
             FROM document_page WHERE draft_id = $1 AND n <> $2",
        )
        .bind(&draft.id)
        .bind(i64::from(n))
        .fetch_one(&self.db.pool)
        .await?;
        // A PDF is a document of its own: it is not mixed with photos or other PDFs.
        if pdfs > 0 || (others > 0 && matches!(prepared, Prepared::Pdf { .. })) {
            return Err(DocumentError::PdfAlone);
        }
        let key = format!("pages/{}/{}", draft.id, secrets::id());
        let size = prepared.bytes().len() as u64;
        let content_type = prepared.content_type();
        let body = match prepared {
            Prepared::Photo(photo) => photo.jpeg,
            Prepared::Pdf { bytes, .. } => bytes,
        };
        self.store.put(&key, body).await?;
        let replaced = self
            .record_page(draft, n, &key, content_type, size, (width, height, pages))
            .await;
        match replaced {
            Ok(previous) => {
                if let Some(previous) = previous {
                    let _ = self.store.delete(&previous).await;
                }
                Ok(PageReceipt {
                    n,
                    bytes: size,
                    width,
                    height,
                })
            }
            Err(error) => {
                let _ = self.store.delete(&key).await;
                Err(error)
            }
        }
    }

    /// Writes the page row; the key of the page it replaced, if any.
    async fn record_page(
        &self,
        draft: &Draft,
        n: u32,
        key: &str,
        content_type: &str,
        size: u64,
        (width, height, pages): (u32, u32, u32),
    ) -> Result<Option<String>, DocumentError> {
        let mut tx = self.db.write().await?;
        // Her row locked first: uploads of one person at once are recorded one after the other, so the quota
        // holds for all of them together (each alone passed the first look).
        sqlx::query("UPDATE person SET language = language WHERE id = $1")
            .bind(&draft.person_id)
            .execute(&mut *tx)
            .await?;
        if stored_besides(&mut tx, draft, n).await? + size > self.limits.quota_bytes {
            return Err(DocumentError::OverQuota);
        }
        let previous: Option<(String,)> =
            sqlx::query_as("SELECT object_key FROM document_page WHERE draft_id = $1 AND n = $2")
                .bind(&draft.id)
                .bind(i64::from(n))
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM document_page WHERE draft_id = $1 AND n = $2")
            .bind(&draft.id)
            .bind(i64::from(n))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO document_page (draft_id, n, object_key, content_type, bytes, width, height, pages)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&draft.id)
        .bind(i64::from(n))
        .bind(key)
        .bind(content_type)
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(i64::from(width))
        .bind(i64::from(height))
        .bind(i64::from(pages))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(previous.map(|(key,)| key))
    }

    /// Removes page `n` of `draft` (nothing happens when it was not there).
    pub async fn remove_page(&self, draft: &Draft, n: u32) -> Result<(), DocumentError> {
        let previous: Option<(String,)> = sqlx::query_as(
            "DELETE FROM document_page WHERE draft_id = $1 AND n = $2 RETURNING object_key",
        )
        .bind(&draft.id)
        .bind(i64::from(n))
        .fetch_optional(&self.db.pool)
        .await?;
        if let Some((key,)) = previous {
            self.store.delete(&key).await?;
        }
        Ok(())
    }

    /// Makes the draft's pages one document: photos (in page order) become one PDF, a PDF stays itself. The
    /// document row and the draft's removal commit together; the page objects go afterwards.
    pub async fn finish(&self, draft: &Draft, now_ms: i64) -> Result<String, DocumentError> {
        let pages: Vec<PageRow> = sqlx::query_as(
            "SELECT object_key, content_type, width, height, pages, bytes FROM document_page
             WHERE draft_id = $1 ORDER BY n",
        )
        .bind(&draft.id)
        .fetch_all(&self.db.pool)
        .await?;
        if pages.is_empty() {
            return Err(DocumentError::NoPages);
        }
        if let [(key, content_type, _, _, count, bytes)] = pages.as_slice() {
            if content_type == "application/pdf" {
                // A PDF sent alone was checked and stored as it is: the document points at that object
                // (which the sweep then keeps), nothing is read or written again.
                let id = secrets::id();
                let size = usize::try_from(*bytes).unwrap_or(0);
                self.commit_document(draft, &id, key, size, *count, now_ms)
                    .await?;
                return Ok(id);
            }
        }
        let (body, page_count) = self.combined(&pages).await?;
        let id = secrets::id();
        let key = format!("documents/{id}");
        let size = body.len();
        self.store.put(&key, body).await?;
        match self
            .commit_document(draft, &id, &key, size, page_count, now_ms)
            .await
        {
            Ok(()) => {
                for (page_key, ..) in &pages {
                    let _ = self.store.delete(page_key).await;
                }
                Ok(id)
            }
            Err(error) => {
                let _ = self.store.delete(&key).await;
                Err(error)
            }
        }
    }

    async fn combined(&self, pages: &[PageRow]) -> Result<(Vec<u8>, i64), DocumentError> {
        let mut photos = Vec::with_capacity(pages.len());
        for (key, _, width, height, ..) in pages {
            photos.push(Photo {
                jpeg: self.store.get(key).await?,
                width: u32::try_from(*width).unwrap_or(1),
                height: u32::try_from(*height).unwrap_or(1),
            });
        }
        let count = i64::try_from(photos.len()).unwrap_or(i64::MAX);
        let body = tokio::task::spawn_blocking(move || pdf::combine(&photos))
            .await
            .map_err(|_| DocumentError::Unreadable)?;
        Ok((body, count))
    }

    async fn commit_document(
        &self,
        draft: &Draft,
        id: &str,
        key: &str,
        size: usize,
        pages: i64,
        now_ms: i64,
    ) -> Result<(), DocumentError> {
        let mut tx = self.db.write().await?;
        let inserted = sqlx::query(
            "INSERT INTO document (id, municipality_id, person_id, appointment_id, case_id, service, title,
                                   content_type, bytes, pages, object_key, created_at_ms)
             SELECT $1, d.municipality_id, d.person_id, d.appointment_id, d.case_id,
                    COALESCE((SELECT a.service_id FROM appointment a WHERE a.id = d.appointment_id),
                             (SELECT ct.code FROM cases c JOIN case_type ct ON ct.id = c.case_type_id
                              WHERE c.id = d.case_id), ''),
                    d.title, 'application/pdf', $2, $3, $4, $5
             FROM document_draft d WHERE d.id = $6",
        )
        .bind(id)
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(pages)
        .bind(key)
        .bind(now_ms)
        .bind(&draft.id)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() != 1 {
            return Err(DocumentError::NotFound);
        }
        sqlx::query("DELETE FROM document_draft WHERE id = $1")
            .bind(&draft.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One stored document, as lists show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentLine {
    pub id: String,
    pub title: String,
    pub pages: i64,
    pub bytes: i64,
    pub created_at_ms: i64,
    pub taken: bool,
    pub person_id: String,
    pub appointment_id: Option<String>,
    pub case_id: Option<String>,
    /// The case's number (to show; its page is found by `case_id`), when it was sent for a case.
    pub case_identifier: Option<String>,
}

type LineRow = (
    String,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn line(row: LineRow) -> DocumentLine {
    let (
        id,
        title,
        pages,
        bytes,
        created_at_ms,
        taken_at,
        person_id,
        appointment_id,
        case_id,
        case_identifier,
    ) = row;
    DocumentLine {
        id,
        title,
        pages,
        bytes,
        created_at_ms,
        taken: taken_at.is_some(),
        person_id,
        appointment_id,
        case_id,
        case_identifier,
    }
}

const LINE_COLUMNS: &str =
    "id, title, pages, bytes, created_at_ms, taken_at_ms, person_id, appointment_id, case_id,
     (SELECT c.identifier FROM cases c WHERE c.id = document.case_id)";

/// The documents attached to appointment `id`, oldest first.
pub async fn for_appointment(db: &Db, id: &str) -> Result<Vec<DocumentLine>, DocumentError> {
    let rows: Vec<LineRow> = sqlx::query_as(&format!(
        "SELECT {LINE_COLUMNS} FROM document WHERE appointment_id = $1 ORDER BY created_at_ms, id"
    ))
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(line).collect())
}

/// The documents person `person_id` sent for case `identifier` of municipality `municipality_id`, oldest
/// first (the caller has decided she may see the case).
pub async fn for_case(
    db: &Db,
    municipality_id: &str,
    case_id: &str,
    person_id: &str,
) -> Result<Vec<DocumentLine>, DocumentError> {
    let rows: Vec<LineRow> = sqlx::query_as(&format!(
        "SELECT {LINE_COLUMNS} FROM document
         WHERE person_id = $1 AND case_id = (SELECT id FROM cases WHERE municipality_id = $2 AND id = $3)
         ORDER BY created_at_ms, id"
    ))
    .bind(person_id)
    .bind(municipality_id)
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(line).collect())
}

/// Every document person `id` sent, newest first.
pub async fn for_person(db: &Db, id: &str) -> Result<Vec<DocumentLine>, DocumentError> {
    let rows: Vec<LineRow> = sqlx::query_as(&format!(
        "SELECT {LINE_COLUMNS} FROM document WHERE person_id = $1 ORDER BY created_at_ms DESC, id"
    ))
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(line).collect())
}

/// Document `id` (any target): what the edge authorises against.
pub async fn find_document(db: &Db, id: &str) -> Result<DocumentLine, DocumentError> {
    let row: Option<LineRow> = sqlx::query_as(&format!(
        "SELECT {LINE_COLUMNS} FROM document WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(line).ok_or(DocumentError::NotFound)
}

/// The bytes of document `id` (always a PDF).
pub async fn content(db: &Db, store: &Store, id: &str) -> Result<Vec<u8>, DocumentError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT object_key FROM document WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    let (key,) = row.ok_or(DocumentError::NotFound)?;
    store.get(&key).await
}

/// The resident removes her document, unless the municipality has taken it into processing.
pub async fn delete(db: &Db, store: &Store, id: &str) -> Result<(), DocumentError> {
    let row: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT object_key, taken_at_ms FROM document WHERE id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    let (key, taken) = row.ok_or(DocumentError::NotFound)?;
    if taken.is_some() {
        return Err(DocumentError::Taken);
    }
    let removed = sqlx::query("DELETE FROM document WHERE id = $1 AND taken_at_ms IS NULL")
        .bind(id)
        .execute(&db.pool)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(DocumentError::Taken);
    }
    store.delete(&key).await
}

/// The municipality takes document `id` of person `person_id` into processing: from then on she can no
/// longer remove it. Taking it again changes nothing (the first moment stays).
pub async fn take(db: &Db, person_id: &str, id: &str, now_ms: i64) -> Result<(), DocumentError> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM document WHERE id = $1 AND person_id = $2")
            .bind(id)
            .bind(person_id)
            .fetch_optional(&db.pool)
            .await?;
    if found.is_none() {
        return Err(DocumentError::NotFound);
    }
    sqlx::query("UPDATE document SET taken_at_ms = $2 WHERE id = $1 AND taken_at_ms IS NULL")
        .bind(id)
        .bind(now_ms)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Removes expired drafts with their pages, and objects no row points to (left by a crash between storing
/// and committing). Returns how many objects went.
pub async fn sweep(db: &Db, store: &Store, now_ms: i64) -> Result<usize, DocumentError> {
    sqlx::query("DELETE FROM document_draft WHERE created_at_ms <= $1")
        .bind(now_ms - DRAFT_LIFETIME_MS)
        .execute(&db.pool)
        .await?;
    // A draft that never got a page (its only upload was refused, or the page was left) is gone after an
    // hour, not a day.
    sqlx::query(
        "DELETE FROM document_draft WHERE created_at_ms <= $1
         AND NOT EXISTS (SELECT 1 FROM document_page p WHERE p.draft_id = document_draft.id)",
    )
    .bind(now_ms - ORPHAN_AGE_MS)
    .execute(&db.pool)
    .await?;
    let mut known: std::collections::HashSet<String> =
        sqlx::query_as::<_, (String,)>("SELECT object_key FROM document")
            .fetch_all(&db.pool)
            .await?
            .into_iter()
            .map(|(k,)| k)
            .collect();
    known.extend(
        sqlx::query_as::<_, (String,)>("SELECT object_key FROM document_page")
            .fetch_all(&db.pool)
            .await?
            .into_iter()
            .map(|(k,)| k),
    );
    let mut removed = 0;
    for prefix in ["documents", "pages"] {
        for (key, written_ms) in store.list(prefix).await? {
            if !known.contains(&key) && written_ms <= now_ms - ORPHAN_AGE_MS {
                store.delete(&key).await?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// Runs [`sweep`] every hour (with the notification worker): expired drafts and orphaned objects go.
// A loop of its own, like the worker: the clock is read here and handed to `sweep`.
#[allow(clippy::disallowed_methods)]
pub async fn sweep_every_hour(db: Db, store: Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    loop {
        tick.tick().await;
        match sweep(&db, &store, jiff::Timestamp::now().as_millisecond()).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "document store swept"),
            Err(error) => tracing::warn!(%error, "document sweep failed; tried again in an hour"),
        }
    }
}
