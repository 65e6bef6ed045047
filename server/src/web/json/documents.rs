//! The upload routes. The browser sends a document as a draft: one request to start it (title, what it is
//! for), one PUT per page (so a page that failed is sent again alone, with a real progress bar per page),
//! one to finish. Every answer is JSON with a sentence in the visitor's language on refusal; the bodies are read here, counted
//! while they stream in, so a file over the limit is refused before it is read whole.

use crate::authorization::{Action, Principal};
use crate::documents::drafts::{self, Draft};
use crate::documents::{DocumentError, Unsafe};
use crate::views::appointments::openable;
use crate::web::extract::{Asking, PageForm};
use crate::web::reply::PageError;
use crate::web::AppState;
use app::i18n::{tr, tr_args, Lang};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use http::{header, StatusCode};
use jiff::Timestamp;
use serde_json::json;

/// The status and the sentence, in the visitor's language, for a refusal. Nothing was stored in any of these
/// cases.
pub fn refusal(lang: Lang, error: &DocumentError) -> (StatusCode, String) {
    use DocumentError as E;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let unsupported = StatusCode::UNSUPPORTED_MEDIA_TYPE;
    let unavailable = StatusCode::SERVICE_UNAVAILABLE;
    let (status, key, arg): (StatusCode, &str, Option<(&str, String)>) = match error {
        E::Empty => (unprocessable, "document-refused-empty", None),
        E::TooLarge { limit_bytes } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "document-refused-too-large",
            Some(("mb", (limit_bytes / (1024 * 1024)).to_string())),
        ),
        E::OverQuota => (unprocessable, "document-refused-over-quota", None),
        E::NotAllowed => (unsupported, "document-refused-not-allowed", None),
        E::Heif => (unsupported, "document-refused-heif", None),
        E::Polyglot => (unprocessable, "document-refused-polyglot", None),
        E::Unreadable => (unprocessable, "document-refused-unreadable", None),
        E::TooManyPixels => (unprocessable, "document-refused-too-many-pixels", None),
        E::PdfBomb => (unprocessable, "document-refused-pdf-bomb", None),
        E::Encrypted => (unprocessable, "document-refused-encrypted", None),
        E::TooManyPages(max) => (
            unprocessable,
            "document-refused-too-many-pages",
            Some(("max", max.to_string())),
        ),
        E::Unsafe(kind) => (
            unprocessable,
            "document-refused-unsafe",
            Some((
                "what",
                String::from(match kind {
                    Unsafe::JavaScript => "javascript",
                    Unsafe::Launch => "launch",
                    Unsafe::EmbeddedFile => "embedded",
                    Unsafe::Form => "form",
                }),
            )),
        ),
        E::Infected => (unprocessable, "document-refused-infected", None),
        E::Busy => (unavailable, "document-refused-busy", None),
        E::UnreadableStream(_) => (unprocessable, "document-refused-unreadable-stream", None),
        E::ScannerDown(_) => (unavailable, "document-refused-scanner-down", None),
        E::TooManyPhotos(max) => (
            unprocessable,
            "document-refused-too-many-photos",
            Some(("max", max.to_string())),
        ),
        E::PdfAlone => (unprocessable, "document-refused-pdf-alone", None),
        E::NoPages => (unprocessable, "document-refused-no-pages", None),
        E::Title => (unprocessable, "document-refused-title", None),
        E::NotAttachable => (unprocessable, "document-refused-not-attachable", None),
        E::NotFound => (StatusCode::NOT_FOUND, "document-refused-not-found", None),
        E::Taken => (StatusCode::CONFLICT, "document-refused-taken", None),
        E::TooFast => (
            StatusCode::TOO_MANY_REQUESTS,
            "document-refused-too-fast",
            None,
        ),
        E::NeedsSignIn => (
            StatusCode::FORBIDDEN,
            "document-refused-needs-sign-in",
            None,
        ),
        E::Store(_) | E::Db(_) => (unavailable, "document-refused-unavailable", None),
    };
    if status == unavailable {
        // The cause for the operator; never a file name, title or person.
        tracing::error!(%error, "upload failed");
    }
    let text = match &arg {
        Some((name, value)) => tr_args(lang, key, &[(name, value)]),
        None => tr(lang, key),
    };
    (status, text)
}

pub(crate) fn refused(lang: Lang, error: &DocumentError) -> Response {
    let (status, text) = refusal(lang, error);
    (status, Json(json!({ "message": text }))).into_response()
}

/// POST /afspraken/{id}/documenten (`title`): starts a draft for the visitor's appointment.
pub async fn start_for_appointment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Asking(principal): Asking,
    form: Result<PageForm<TitleForm>, PageError>,
) -> Response {
    let lang = crate::web::request_lang();
    let services = &state.services;
    let target = match openable(services, &principal, Action::Change, &id).await {
        Ok(Some(appointment)) => {
            drafts::appointment_target(&appointment, &services.municipality.id, Timestamp::now())
        }
        Ok(None) => Err(DocumentError::NotFound),
        Err(_) => Err(DocumentError::Store(String::from("appointment lookup"))),
    };
    start_draft(lang, &state, target, form).await
}

/// POST /zaken/{id}/documenten (`title`): starts a draft for one of the signed-in person's cases
/// (her own or her organisation's) that is open and of a type that takes documents.
pub async fn start_for_case(
    State(state): State<AppState>,
    Path(case_id): Path<String>,
    Asking(principal): Asking,
    form: Result<PageForm<TitleForm>, PageError>,
) -> Response {
    let lang = crate::web::request_lang();
    let services = &state.services;
    let target = her_case(services, &principal, &case_id).await;
    start_draft(lang, &state, target, form).await
}

/// The case `case_id` (its opaque id) as a target for the signed-in person's documents (her own case or her
/// organisation's); not found for anyone else.
async fn her_case(
    services: &crate::web::Services,
    principal: &Principal,
    case_id: &str,
) -> Result<drafts::Target, DocumentError> {
    // Her cases open only in a session that opens her records (see `Principal::Person`).
    let Principal::Person {
        person_id,
        records: true,
        ..
    } = principal
    else {
        return Err(DocumentError::NotFound);
    };
    let visible = crate::cases::resident::visible_to_person(
        &services.db,
        &services.municipality,
        person_id,
        case_id,
    )
    .await
    .map_err(|error| DocumentError::Store(format!("case lookup: {error}")))?;
    if !visible {
        return Err(DocumentError::NotFound);
    }
    drafts::case_target(&services.db, case_id, person_id).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct TitleForm {
    title: String,
}

/// Starts a draft for `target` (or says why not) with the title from the form.
async fn start_draft(
    lang: Lang,
    state: &AppState,
    target: Result<drafts::Target, DocumentError>,
    form: Result<PageForm<TitleForm>, PageError>,
) -> Response {
    let target = match target {
        Ok(target) => target,
        Err(error) => return refused(lang, &error),
    };
    let Ok(PageForm(form)) = form else {
        return refused(lang, &DocumentError::Title);
    };
    let now = Timestamp::now().as_millisecond();
    match drafts::start(&state.services.db, now, &target, &form.title).await {
        Ok(draft) => (StatusCode::CREATED, Json(json!({ "draft": draft }))).into_response(),
        Err(error) => refused(lang, &error),
    }
}

/// Whether a draft or document of `person_id` for `appointment_id` is the visitor's own: she is that person,
/// or holds the link session of that appointment. (Staff never send or remove on her behalf.)
pub(crate) fn is_own(principal: &Principal, person_id: &str, appointment_id: Option<&str>) -> bool {
    match principal {
        Principal::Person { person_id: own, .. } => own == person_id,
        Principal::AppointmentLink {
            appointment_id: linked,
            ..
        } => appointment_id == Some(linked.as_str()),
        _ => false,
    }
}

/// The draft `id` when it is the visitor's own.
async fn own_draft(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<Draft, DocumentError> {
    let draft = drafts::find(&state.services.db, Timestamp::now().as_millisecond(), id).await?;
    if is_own(principal, &draft.person_id, draft.appointment_id.as_deref()) {
        Ok(draft)
    } else {
        Err(DocumentError::NotFound)
    }
}

/// PUT /documenten/concepten/{draft}/paginas/{n}: one page (a photo or a PDF) as the raw body.
pub async fn put_page(
    State(state): State<AppState>,
    Path((draft, n)): Path<(String, u32)>,
    Asking(principal): Asking,
    headers: http::HeaderMap,
    body: Body,
) -> Response {
    let lang = crate::web::request_lang();
    let draft = match own_draft(&state, &principal, &draft).await {
        Ok(draft) => draft,
        Err(error) => return refused(lang, &error),
    };
    let limit = state.services.documents.limits.max_file_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let bytes = match read_limited(body, declared, limit).await {
        Ok(bytes) => bytes,
        Err(error) => return refused(lang, &error),
    };
    let services = &state.services;
    match services
        .documents
        .pipeline(&services.db)
        .add_page(&draft, n, bytes, Timestamp::now().as_millisecond())
        .await
    {
        Ok(receipt) => (StatusCode::CREATED, Json(json!({ "page": receipt }))).into_response(),
        Err(error) => refused(lang, &error),
    }
}

/// The body, refused once it passes `limit` or declares more; past the limit nothing more is kept. A body
/// up to twice the limit is still received (and thrown away) so the sender gets the answer: a server that
/// answers mid-upload and closes makes browsers report "no connection" instead of "too large". A larger one
/// is cut off at once.
async fn read_limited(
    body: Body,
    declared: Option<u64>,
    limit: usize,
) -> Result<Vec<u8>, DocumentError> {
    let too_large = DocumentError::TooLarge { limit_bytes: limit };
    let limit = limit as u64;
    let drain_up_to = limit.saturating_mul(2);
    if declared.is_some_and(|length| length > drain_up_to) {
        return Err(too_large);
    }
    let mut over = declared.is_some_and(|length| length > limit);
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut seen: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| DocumentError::Unreadable)?;
        seen += chunk.len() as u64;
        if seen > limit && !over {
            over = true;
            bytes = Vec::new();
        }
        if over {
            if seen > drain_up_to {
                break;
            }
            continue;
        }
        bytes.extend_from_slice(&chunk);
    }
    if over {
        Err(too_large)
    } else {
        Ok(bytes)
    }
}

/// DELETE /documenten/concepten/{draft}/paginas/{n}: the resident removed a page she had sent.
pub async fn delete_page(
    State(state): State<AppState>,
    Path((draft, n)): Path<(String, u32)>,
    Asking(principal): Asking,
) -> Response {
    let lang = crate::web::request_lang();
    let services = &state.services;
    let outcome = async {
        let draft = own_draft(&state, &principal, &draft).await?;
        services
            .documents
            .pipeline(&services.db)
            .remove_page(&draft, n)
            .await
    };
    match outcome.await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => refused(lang, &error),
    }
}

/// POST /documenten/concepten/{draft}/versturen: the pages become one document.
pub async fn finish(
    State(state): State<AppState>,
    Path(draft): Path<String>,
    Asking(principal): Asking,
) -> Response {
    let lang = crate::web::request_lang();
    let services = &state.services;
    let outcome = async {
        let draft = own_draft(&state, &principal, &draft).await?;
        let now = Timestamp::now().as_millisecond();
        services
            .documents
            .pipeline(&services.db)
            .finish(&draft, now)
            .await
    };
    match outcome.await {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "document": id }))).into_response(),
        Err(error) => refused(lang, &error),
    }
}
