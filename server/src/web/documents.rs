//! The upload routes. The browser sends a document as a draft: one request to start it (title, what it is
//! for), one PUT per page (so a page that failed is sent again alone, with a real progress bar per page),
//! one to finish. Every answer is JSON with a Dutch sentence on refusal; the bodies are read here, counted
//! while they stream in, so a file over the limit is refused before it is read whole.

use super::appointments::{field, openable, principal_of, read_form};
use super::AppState;
use crate::authorization::{
    decide, staff_level, Action, DataKind, Decision, Level, Principal, Resource,
};
use crate::documents::drafts::{self, Draft};
use crate::documents::{DocumentError, Unsafe};
use crate::identity::audit;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use http::{header, Request, StatusCode};
use jiff::Timestamp;
use serde_json::json;

/// The Dutch sentence and status for a refusal. Nothing was stored in any of these cases.
pub fn refusal(error: &DocumentError) -> (StatusCode, String) {
    use DocumentError as E;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let (status, text): (StatusCode, String) = match error {
        E::Empty => (unprocessable, "Dit bestand is leeg. Kies de foto of PDF opnieuw.".into()),
        E::TooLarge { limit_bytes } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Dit bestand is groter dan {} MB. Maak een nieuwe foto of kies een kleiner bestand.",
                limit_bytes / (1024 * 1024)
            ),
        ),
        E::OverQuota => (unprocessable, "U heeft al zoveel documenten gestuurd dat er niets meer bij past. Verwijder eerst een document dat niet meer nodig is, of bel ons.".into()),
        E::NotAllowed => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Dit soort bestand kunnen we niet aannemen. Stuur een foto (JPG of PNG) of een PDF.".into()),
        E::Heif => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Deze foto is een HEIC-foto. Die kunnen we niet lezen. Zet uw camera op JPG (bij iPhone: Instellingen, Camera, Formaten, 'Meest compatibel') of stuur een schermafbeelding.".into()),
        E::Polyglot => (unprocessable, "Dit bestand is tegelijk een foto en een PDF. Dat nemen we niet aan, omdat het onveilig kan zijn. Maak een nieuwe foto of sla de PDF opnieuw op.".into()),
        E::Unreadable => (unprocessable, "Dit bestand is beschadigd of niet compleet. Maak een nieuwe foto of kies het bestand opnieuw.".into()),
        E::TooManyPixels => (unprocessable, "Deze afbeelding is te groot om te lezen. Maak een foto met een lagere resolutie of stuur een schermafbeelding.".into()),
        E::PdfBomb => (unprocessable, "Deze PDF wordt bij het openen veel groter dan hij is. Dat nemen we niet aan, omdat het onveilig kan zijn. Maak een nieuwe PDF met 'Afdrukken als PDF' en stuur die.".into()),
        E::Encrypted => (unprocessable, "Deze PDF heeft een wachtwoord. Sla hem op zonder wachtwoord en probeer het opnieuw.".into()),
        E::TooManyPages(max) => (unprocessable, format!("Deze PDF heeft meer dan {max} pagina's. Stuur alleen de pagina's die nodig zijn.")),
        E::Unsafe(kind) => (unprocessable, format!("Deze PDF bevat {}. Dat nemen we niet aan, omdat het onveilig kan zijn. Maak een nieuwe PDF met 'Afdrukken als PDF' en stuur die.", match kind {
            Unsafe::JavaScript => "JavaScript (een programma dat kan starten)",
            Unsafe::Launch => "een opdracht om een programma te starten",
            Unsafe::EmbeddedFile => "bijgevoegde bestanden",
            Unsafe::Form => "een formulier met scripts (XFA)",
        })),
        E::Infected => (unprocessable, "In dit bestand zit mogelijk een virus. We hebben het niet bewaard. Stuur een nieuwe foto of een ander bestand.".into()),
        E::Busy => (StatusCode::SERVICE_UNAVAILABLE, "Er worden nu veel bestanden tegelijk gecontroleerd. Er is niets bewaard. Probeer het over een minuut opnieuw.".into()),
        E::UnreadableStream(_) => (unprocessable, "Deze PDF is op een manier ingepakt die we niet kunnen controleren. Maak een nieuwe PDF met 'Afdrukken als PDF' en stuur die.".into()),
        E::ScannerDown(_) => (StatusCode::SERVICE_UNAVAILABLE, "We kunnen bestanden nu niet op virussen controleren. Er is niets bewaard. Probeer het over een paar minuten opnieuw.".into()),
        E::TooManyPhotos(max) => (unprocessable, format!("Eén document kan hoogstens {max} pagina's hebben. Stuur de rest als een nieuw document.")),
        E::PdfAlone => (unprocessable, "Een PDF stuurt u als apart document, niet samen met foto's of een andere PDF.".into()),
        E::NoPages => (unprocessable, "Voeg eerst een foto of PDF toe.".into()),
        E::Title => (unprocessable, "Geef het document een naam van hoogstens 120 tekens, bijvoorbeeld 'Paspoort'.".into()),
        E::NotAttachable => (unprocessable, "Bij deze afspraak of zaak kunt u nu geen documenten sturen.".into()),
        E::NotFound => (StatusCode::NOT_FOUND, "Dit document bestaat niet (meer). Begin opnieuw met toevoegen.".into()),
        E::Taken => (StatusCode::CONFLICT, "De gemeente werkt al met dit document. Daarom kunt u het niet meer verwijderen.".into()),
        E::NeedsSignIn => (StatusCode::FORBIDDEN, "Met de link uit uw bericht kunt u documenten sturen, maar niet openen of weghalen. Log daarvoor in bij Loket.".into()),
        E::Store(_) | E::Db(_) => (StatusCode::SERVICE_UNAVAILABLE, "Dit lukte nu niet. Er is niets bewaard. Probeer het over een paar minuten opnieuw.".into()),
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // The cause for the operator; never a file name, title or person.
        tracing::error!(%error, "upload failed");
    }
    (status, text)
}

/// For page data: a failed document lookup is "unavailable" (logged with its cause), like other lookups.
pub(super) fn unavailable(error: &DocumentError) -> app::api::ApiError {
    tracing::error!(%error, "documents query failed");
    app::api::ApiError::Unavailable
}

impl super::Services {
    /// Documenten: everything she sent, grouped by the appointment it was for. In a staff preview the pages
    /// open only for roles that see WHAT of documents, and nothing can be removed.
    pub(super) async fn document_groups(
        &self,
        viewer: &app::api::Viewer,
        lang: app::i18n::Lang,
    ) -> Result<Option<Vec<app::api::DocumentGroup>>, app::api::ApiError> {
        let Some(scope) = self.personal_scope(&super::bridge::visitor(), viewer) else {
            return Ok(None);
        };
        let opens = scope
            .preview_role
            .is_none_or(|role| staff_level(role, DataKind::Documents) == Level::What);
        let lines = drafts::for_person(&self.db, &scope.person_id)
            .await
            .map_err(|error| unavailable(&error))?;
        let now = Timestamp::now();
        // Grouped by what they were sent for: an appointment, a case, or (neither) the rest.
        type For = (Option<String>, Option<String>);
        let mut groups: Vec<(For, Vec<drafts::DocumentLine>)> = Vec::new();
        for line in lines {
            let target = (line.appointment_id.clone(), line.case_identifier.clone());
            match groups.iter_mut().find(|(t, _)| *t == target) {
                Some((_, group)) => group.push(line),
                None => groups.push((target, vec![line])),
            }
        }
        let mut out = Vec::new();
        for ((appointment_id, case), lines) in groups {
            let (heading, link) = match (&appointment_id, &case) {
                (Some(id), _) => {
                    let appointment =
                        crate::appointments::booking::get(&self.db, &self.municipality.id, id)
                            .await?;
                    let line = self.line(&appointment, lang, now).await?;
                    let date = app::i18n::long_date(lang, &line.date);
                    (
                        app::i18n::tr_args(
                            lang,
                            "documents-for-appointment",
                            &[("service", &line.service), ("date", &date)],
                        ),
                        Some(format!("/afspraken/{id}")),
                    )
                }
                (None, Some(case)) => (
                    app::i18n::tr_args(lang, "documents-for-case", &[("case", case)]),
                    Some(format!("/zaken/{}", super::appointments::q(case))),
                ),
                (None, None) => (app::i18n::tr(lang, "documents-title"), None),
            };
            out.push(app::api::DocumentGroup {
                heading,
                link,
                removable: scope.preview_role.is_none(),
                documents: self.document_views(lines, opens),
            });
        }
        Ok(Some(out))
    }

    /// The lines as a page shows them; `opens` when the reader may open the pages.
    pub(super) fn document_views(
        &self,
        lines: Vec<drafts::DocumentLine>,
        opens: bool,
    ) -> Vec<app::api::DocumentView> {
        let zone = self.municipality.time_zone.clone();
        lines
            .into_iter()
            .map(|line| {
                let sent = Timestamp::from_millisecond(line.created_at_ms)
                    .map(|at| {
                        at.to_zoned(zone.clone())
                            .strftime("%Y-%m-%d %H:%M")
                            .to_string()
                    })
                    .unwrap_or_default();
                app::api::DocumentView {
                    id: line.id,
                    title: line.title,
                    pages: line.pages,
                    sent,
                    removable: !line.taken,
                    openable: opens,
                }
            })
            .collect()
    }
}

fn refused(error: &DocumentError) -> Response {
    let (status, text) = refusal(error);
    (status, Json(json!({ "message": text }))).into_response()
}

/// POST /afspraken/{id}/documenten (`title`): starts a draft for the visitor's appointment.
pub async fn start_for_appointment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    let services = &state.services;
    let target = match openable(services, &principal, Action::Change, &id).await {
        Ok(Some(appointment)) => {
            drafts::appointment_target(&appointment, &services.municipality.id, Timestamp::now())
        }
        Ok(None) => Err(DocumentError::NotFound),
        Err(_) => Err(DocumentError::Store(String::from("appointment lookup"))),
    };
    start_draft(&state, target, request.into_body()).await
}

/// POST /zaken/{identifier}/documenten (`title`): starts a draft for one of the signed-in person's cases
/// (her own or her organisation's) that is open and of a type that takes documents.
pub async fn start_for_case(
    State(state): State<AppState>,
    Path(identifier): Path<String>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    let services = &state.services;
    let target = her_case(services, &principal, &identifier).await;
    start_draft(&state, target, request.into_body()).await
}

/// The case `identifier` as a target for the signed-in person's documents (her own case or her
/// organisation's); not found for anyone else.
async fn her_case(
    services: &super::Services,
    principal: &Principal,
    identifier: &str,
) -> Result<drafts::Target, DocumentError> {
    let Principal::Person { person_id, .. } = principal else {
        return Err(DocumentError::NotFound);
    };
    let case_id = crate::cases::resident::visible_to_person(
        &services.db,
        &services.municipality,
        person_id,
        identifier,
    )
    .await
    .map_err(|error| DocumentError::Store(format!("case lookup: {error}")))?
    .ok_or(DocumentError::NotFound)?;
    drafts::case_target(&services.db, &case_id, person_id).await
}

/// Starts a draft for `target` (or says why not) with the title from the form in `body`.
async fn start_draft(
    state: &AppState,
    target: Result<drafts::Target, DocumentError>,
    body: Body,
) -> Response {
    let target = match target {
        Ok(target) => target,
        Err(error) => return refused(&error),
    };
    let Some(fields) = read_form(body).await else {
        return refused(&DocumentError::Title);
    };
    let now = Timestamp::now().as_millisecond();
    match drafts::start(&state.services.db, now, &target, field(&fields, "title")).await {
        Ok(draft) => (StatusCode::CREATED, Json(json!({ "draft": draft }))).into_response(),
        Err(error) => refused(&error),
    }
}

/// Whether a draft or document of `person_id` for `appointment_id` is the visitor's own: she is that person,
/// or holds the link session of that appointment. (Staff never send or remove on her behalf.)
fn is_own(principal: &Principal, person_id: &str, appointment_id: Option<&str>) -> bool {
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
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    let draft = match own_draft(&state, &principal, &draft).await {
        Ok(draft) => draft,
        Err(error) => return refused(&error),
    };
    let limit = state.services.documents.limits.max_file_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let bytes = match read_limited(request.into_body(), declared, limit).await {
        Ok(bytes) => bytes,
        Err(error) => return refused(&error),
    };
    let services = &state.services;
    match services
        .documents
        .pipeline(&services.db)
        .add_page(&draft, n, bytes)
        .await
    {
        Ok(receipt) => (StatusCode::CREATED, Json(json!({ "page": receipt }))).into_response(),
        Err(error) => refused(&error),
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
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
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
        Err(error) => refused(&error),
    }
}

/// POST /documenten/concepten/{draft}/versturen: the pages become one document.
pub async fn finish(
    State(state): State<AppState>,
    Path(draft): Path<String>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
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
        Err(error) => refused(&error),
    }
}

/// Who may open document `line`: its resident, signed in, and staff whose role sees WHAT
/// of documents — audited, so it shows in her activity log.
fn may_open(principal: &Principal, municipality_id: &str, line: &drafts::DocumentLine) -> Decision {
    match principal {
        // A birth date or a code is not enough to open what she sent (see [`DocumentError::NeedsSignIn`]).
        Principal::AppointmentLink { .. } => Decision::Deny,
        Principal::Staff { role, .. } | Principal::Preview { role, .. }
            if staff_level(*role, DataKind::Documents) != Level::What =>
        {
            Decision::Deny
        }
        _ => decide(
            principal,
            Action::Read,
            Resource::Person {
                municipality_id,
                person_id: &line.person_id,
            },
        ),
    }
}

/// GET /documenten/{id}: the document (a PDF), for whoever may open it.
pub async fn open(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    let services = &state.services;
    let line = match drafts::find_document(&services.db, &id).await {
        Ok(line) => line,
        Err(error) => return refused(&error),
    };
    if matches!(principal, Principal::AppointmentLink { .. })
        && is_own(&principal, &line.person_id, line.appointment_id.as_deref())
    {
        return refused(&DocumentError::NeedsSignIn);
    }
    let decision = may_open(&principal, &services.municipality.id, &line);
    if !decision.allowed() {
        return refused(&DocumentError::NotFound);
    }
    if let Err(error) = audit::staff_read(
        &services.db,
        &principal,
        decision,
        audit::ReadOf::Person(&line.person_id),
        "documenten",
        "/documenten/{id}",
        Timestamp::now(),
    )
    .await
    {
        tracing::error!(%error, "audit entry failed");
        return refused(&DocumentError::Store(String::from("audit")));
    }
    match drafts::content(&services.db, &services.documents.store, &id).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/pdf"),
                // Saved, not shown in the browser's own viewer, whose PDF engine runs scripts a check may
                // have missed; the file name is fixed, never the title. Opened anyway, the sandbox keeps it
                // from running anything or reaching Loket.
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"document.pdf\"",
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "sandbox; default-src 'none'",
                ),
                (header::CACHE_CONTROL, "private, no-store"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => refused(&error),
    }
}

/// POST /documenten/{id}/verwijderen: the resident removes her document (until the municipality took it).
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    let services = &state.services;
    let outcome = async {
        let line = drafts::find_document(&services.db, &id).await?;
        if !is_own(&principal, &line.person_id, line.appointment_id.as_deref()) {
            return Err(DocumentError::NotFound);
        }
        if matches!(principal, Principal::AppointmentLink { .. }) {
            return Err(DocumentError::NeedsSignIn);
        }
        drafts::delete(&services.db, &services.documents.store, &id).await?;
        Ok(line)
    };
    match outcome.await {
        Ok(line) => match (line.appointment_id, line.case_identifier) {
            (Some(appointment), _) => super::appointments::see_other(format!(
                "/afspraken/{appointment}?gelukt=document-verwijderd#documenten"
            )),
            (None, Some(case)) => super::appointments::see_other(format!(
                "/zaken/{}?gelukt=document-verwijderd#documenten",
                super::appointments::q(&case)
            )),
            (None, None) => StatusCode::NO_CONTENT.into_response(),
        },
        Err(error) => refused(&error),
    }
}

/// POST /medewerkers/inwoners/{id}/documenten/{document}/in-behandeling: the back office takes her document
/// into processing; from then on she can no longer remove it. Only roles that may open documents do this.
pub async fn take(
    State(state): State<AppState>,
    Path((id, document)): Path<(String, String)>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    if principal == Principal::Anonymous {
        return super::appointments::sign_in_again();
    }
    let services = &state.services;
    let opens_documents = match &principal {
        Principal::Staff { role, .. } => staff_level(*role, DataKind::Documents) == Level::What,
        _ => false,
    };
    const ONLY: &str = "Alleen medewerkers die documenten behandelen nemen ze in behandeling.";
    if !opens_documents {
        return (StatusCode::FORBIDDEN, ONLY).into_response();
    }
    if let Err(refusal) = super::staff::serving(services, &principal, Action::Change, &id, ONLY) {
        return refusal.into_response();
    }
    let now = Timestamp::now().as_millisecond();
    match drafts::take(&services.db, &id, &document, now).await {
        Ok(()) => {
            let route = "/medewerkers/inwoners/{id}/documenten/{document}/in-behandeling";
            let action = crate::identity::audit::StaffAction::DocumentTaken;
            super::staff::did(services, &principal, &id, action, route).await;
            super::appointments::see_other(format!(
                "/medewerkers/inwoners/{}?gelukt=document-in-behandeling",
                super::appointments::q(&id)
            ))
        }
        Err(error) => {
            let (status, _) = refusal(&error);
            let text = match error {
                DocumentError::NotFound => "Dit document vinden we niet bij deze inwoner.",
                _ => "Dit lukte nu niet. Probeer het over een paar minuten opnieuw.",
            };
            (status, text).into_response()
        }
    }
}
