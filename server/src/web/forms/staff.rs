//! The contact centre's forms: the search (`POST /medewerkers`: the text travels in the body and the results
//! only in this response, so what a caller says never lands in a URL, a browser history or an access log),
//! check-in at the desk, and everything done on a resident's card on her behalf — book, move, cancel, record
//! a contact, correct an address, activation codes, "Bekijk als inwoner". Every person shown gets a
//! staff-read entry in the audit log, every change a staff-action entry (both in her activity log).

use super::super::extract::{PageForm, SignedIn};
use super::super::reply::{see_other, show, show_plain, PageError, Refused};
use super::super::session::Visitor;
use super::super::AppState;
use super::appointments::{start_of, typed, DetailsForm, KeyForm, MoveForm};
use crate::appointments::availability::Via;
use crate::appointments::booking::{self, BookRequest, Booker};
use crate::appointments::AppointmentsError;
use crate::authorization::{decide, Action, Decision, Principal, Resource};
use crate::contacts::{self, CardContact};
use crate::identity::accounts::StaffRole;
use crate::identity::audit::{self, ReadOf, StaffAction};
use crate::identity::sessions::{self, Assurance, Session};
use crate::notifications::addresses;
use crate::notifications::channels::Channel;
use crate::notifications::NotificationsError;
use crate::services::Services;
use crate::staff::search::{self, HitKind, StaffError};
use app::api::{SearchHit, StaffSearch};
use app::i18n::{tr, tr_args, Lang};
use app::paths::{self, FormId, Notice};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;

const NOT_NOW: &str = "page-refused-not-now";

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SearchForm {
    zoek: String,
}

/// Whether `principal` may find this municipality's residents (search them, check them in at the desk).
fn finding_residents(services: &Services, principal: &Principal) -> Decision {
    decide(
        principal,
        Action::Read,
        Resource::Residents {
            municipality_id: &services.municipality.id,
        },
    )
}

/// POST /medewerkers: one search box for a name, BSN, birth date, postcode or KvK number.
pub async fn search(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    PageForm(form): PageForm<SearchForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let municipality_id = &services.municipality.id;
    let decision = finding_residents(services, &principal);
    if !decision.allowed() {
        // The page itself tells a resident (or an admin) that it is for the contact centre.
        return Ok(show_plain(StatusCode::FORBIDDEN));
    }
    let lang = super::super::request_lang();
    let mut result = StaffSearch {
        query: form.zoek.chars().take(100).collect(),
        ..StaffSearch::default()
    };
    let unavailable = |mut result: StaffSearch| {
        result.problem = Some(tr(lang, "staff-search-refused-unavailable"));
        show(StatusCode::SERVICE_UNAVAILABLE, result)
    };
    let query = match search::classify(&result.query) {
        Ok(query) => query,
        Err(StaffError::Invalid(message)) => {
            result.problem = Some(message.to_owned());
            return Ok(show(StatusCode::UNPROCESSABLE_ENTITY, result));
        }
        Err(StaffError::Storage(_) | StaffError::Register(_) | StaffError::Audit(_)) => {
            return Ok(unavailable(result))
        }
    };
    let now = Timestamp::now();
    // With access to the BRP, people are found there (and kept by BSN), with the callers kept as told.
    let found = search::find_anywhere(
        &services.db,
        services.population.as_deref(),
        municipality_id,
        &query,
        now,
    )
    .await;
    let hits = match found {
        Ok(hits) => hits,
        Err(error) => {
            tracing::error!(%error, "staff search failed");
            return Ok(unavailable(result));
        }
    };
    for hit in &hits {
        let read_of = match hit.kind {
            HitKind::Person => ReadOf::Person(&hit.id),
            HitKind::Organisation => ReadOf::Organisation(&hit.id),
        };
        let written = audit::staff_read(
            &services.db,
            &principal,
            decision,
            read_of,
            "zoekresultaat",
            paths::STAFF,
            now,
        )
        .await;
        if let Err(error) = written {
            // No result is shown whose look could not be written down.
            tracing::error!(%error, "staff search could not be audited");
            return Ok(unavailable(result));
        }
    }
    tracing::info!(hits = hits.len(), "staff search");
    result.hits = hits
        .into_iter()
        .map(|hit| SearchHit {
            kind: match hit.kind {
                HitKind::Person => "person",
                HitKind::Organisation => "organisation",
            }
            .to_owned(),
            id: hit.id,
            name: hit.name,
            birth_date: hit.birth_date,
            place: hit.place,
            secret: hit.secret,
            in_research: hit.in_research.into_iter().map(str::to_owned).collect(),
            unverified: hit.unverified,
        })
        .collect();
    Ok(show(StatusCode::OK, result))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct NewCallerForm {
    naam: String,
    geboortedatum: String,
}

/// POST /medewerkers/nieuwe-beller: a caller the search (and the BRP) did not find, recorded as she told it
/// and marked "niet geverifieerd"; her card opens next, where she can be booked for.
pub async fn record_caller(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    PageForm(form): PageForm<NewCallerForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    if !finding_residents(services, &principal).allowed() {
        return Ok(show_plain(StatusCode::FORBIDDEN));
    }
    let lang = super::super::request_lang();
    let refused = |field: &str, key: &str| {
        Refused::form(FormId::NewCaller)
            .at(paths::STAFF.to_owned())
            .keeping(vec![
                (String::from("naam"), form.naam.clone()),
                (String::from("geboortedatum"), form.geboortedatum.clone()),
            ])
            .saying(StatusCode::UNPROCESSABLE_ENTITY, field, tr(lang, key))
    };
    let now = Timestamp::now();
    let recorded = crate::staff::record_caller(
        &services.db,
        &services.municipality.id,
        &form.naam,
        &form.geboortedatum,
        now,
    )
    .await;
    let id = match recorded {
        Ok(id) => id,
        Err(crate::staff::CallerError::Name) => {
            return Err(refused("naam", "staff-new-caller-refused-name"))
        }
        Err(crate::staff::CallerError::BirthDate) => {
            return Err(refused(
                "geboortedatum",
                "staff-new-caller-refused-birth-date",
            ))
        }
        Err(crate::staff::CallerError::Storage(error)) => {
            tracing::error!(%error, "a caller could not be recorded");
            return Err(PageError::Unavailable);
        }
    };
    did(
        services,
        &principal,
        &id,
        StaffAction::CallerRecorded,
        paths::STAFF_NEW_CALLER,
    )
    .await;
    Ok(see_other(
        Notice::CallerRecorded.on(&paths::staff_resident(&id)),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CheckInForm {
    code: String,
}

/// POST /medewerkers/inchecken: the desk scans or types the code on a resident's appointment card.
pub async fn check_in(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    PageForm(form): PageForm<CheckInForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let municipality_id = &services.municipality.id;
    // Whoever serves residents at the desk may check them in (the same staff who may find them).
    if !finding_residents(services, &principal).allowed() {
        return Ok(show_plain(StatusCode::FORBIDDEN));
    }
    let lang = super::super::request_lang();
    let mut result = app::api::CheckInResult {
        code: form.code.chars().take(40).collect(),
        ..app::api::CheckInResult::default()
    };
    let now = Timestamp::now();
    let checked =
        crate::appointments::checkin::check_in(&services.db, municipality_id, &result.code, now)
            .await;
    let status = match checked {
        Ok((appointment, first)) => match services.line(&appointment, Lang::Nl, now).await {
            Ok(line) => {
                result.done = Some(app::api::CheckedIn {
                    service: line.service,
                    time: line.time,
                    location: line.location,
                    again: !first,
                });
                result.code.clear();
                StatusCode::OK
            }
            Err(error) => {
                tracing::error!(%error, "check-in line");
                result.problem = Some(tr(lang, NOT_NOW));
                StatusCode::SERVICE_UNAVAILABLE
            }
        },
        Err(AppointmentsError::Storage(error)) => {
            tracing::error!(%error, "check-in failed");
            result.problem = Some(tr(lang, NOT_NOW));
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(AppointmentsError::Past) => {
            result.problem = Some(tr(lang, "checkin-refused-past"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(error) => {
            result.problem = Some(error.resident_message(lang));
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    Ok(show(status, result))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct StaffBookForm {
    service: String,
    location: String,
    day: String,
    start: String,
    key: String,
    /// Empty (her usual choice), one of her addresses, or `nieuw-sms` / `nieuw-email` with the number or
    /// address she gives on the phone in the field of that name.
    kanaal: String,
    #[serde(rename = "nieuw-sms")]
    new_sms: String,
    #[serde(rename = "nieuw-email")]
    new_email: String,
    #[serde(flatten)]
    details: DetailsForm,
}

/// POST /medewerkers/inwoners/{id}/afspraak-maken: the contact centre books the chosen time for person `id`,
/// with the confirmation going where she asked: her usual choice, one of her addresses, or a number or e-mail
/// address she gives on the phone (kept as confirmed by the booking itself).
pub async fn book(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path(id): Path<String>,
    PageForm(form): PageForm<StaffBookForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    // A resident books on her own page; admins do not serve residents.
    serving(
        services,
        &principal,
        Action::Change,
        &id,
        "staff-refused-book",
    )?;
    let Principal::Staff { staff_id, .. } = &principal else {
        return Err(PageError::Said(StatusCode::FORBIDDEN, "staff-refused-book"));
    };
    let (address_id, new_address) = match form.kanaal.as_str() {
        "" => (None, None),
        "nieuw-sms" => (None, Some((Channel::Sms, form.new_sms.as_str()))),
        "nieuw-email" => (None, Some((Channel::Email, form.new_email.as_str()))),
        address => (Some(address), None),
    };
    let refused = || {
        let more = [
            ("nieuw-sms", form.new_sms.as_str()),
            ("nieuw-email", form.new_email.as_str()),
        ];
        Refused::form(FormId::Book)
            .at(paths::staff_book_at(
                &id,
                &form.service,
                &form.location,
                &form.day,
            ))
            .keeping(typed(&form.start, &form.kanaal, &form.details, &more))
    };
    let start = start_of(&form.start).map_err(|error| refused().because(&error))?;
    let given = form.details.given();
    let request = BookRequest {
        service_id: &form.service,
        location_id: &form.location,
        start,
        booker: Booker {
            person_id: &id,
            organisation_id: None,
            via: Via::Staff,
            staff_id: Some(staff_id),
        },
        idempotency_key: &form.key,
        address_id,
        reminders: None,
        details: Some(&given),
        from_register: None,
        new_address,
    };
    let outcome = booking::book(
        &services.db,
        &services.municipality,
        &request,
        Timestamp::now(),
    )
    .await
    .map_err(|error| refused().because(&error))?;
    if !outcome.repeated {
        let route = "/medewerkers/inwoners/{id}/afspraak-maken";
        did(services, &principal, &id, StaffAction::Booked, route).await;
        if new_address.is_some() {
            did(
                services,
                &principal,
                &id,
                StaffAction::AddressByPhone,
                route,
            )
            .await;
        }
    }
    Ok(see_other(Notice::Booked.on(&paths::staff_resident(&id))))
}

/// POST /medewerkers/inwoners/{id}/afspraken/{appointment}/annuleren: the contact centre cancels one of her
/// appointments on the phone. It is a button on her card (a POST, never a link); she gets the cancellation
/// message as for any cancel.
pub async fn cancel(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path((id, appointment_id)): Path<(String, String)>,
    PageForm(form): PageForm<KeyForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let card = paths::staff_resident(&id);
    let appointment = her_appointment(
        services,
        &principal,
        &id,
        &appointment_id,
        "staff-refused-cancel",
    )
    .await?;
    let outcome = booking::cancel(
        &services.db,
        &services.municipality,
        &appointment.id,
        &form.key,
        Timestamp::now(),
    )
    .await
    .map_err(|error| {
        Refused::form(FormId::Cancel)
            .at(card.clone())
            .because(&error)
    })?;
    if !outcome.repeated {
        let route = "/medewerkers/inwoners/{id}/afspraken/{appointment}/annuleren";
        did(services, &principal, &id, StaffAction::Cancelled, route).await;
    }
    Ok(see_other(Notice::Cancelled.on(&card)))
}

/// POST /medewerkers/inwoners/{id}/afspraken/{appointment}/verzetten: the contact centre moves one of her
/// appointments on the phone (atomically, as any move; the seats kept for the contact centre count). She gets
/// the message about the new time as for any move.
pub async fn move_for(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path((id, appointment_id)): Path<(String, String)>,
    PageForm(form): PageForm<MoveForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let appointment = her_appointment(
        services,
        &principal,
        &id,
        &appointment_id,
        "staff-refused-move",
    )
    .await?;
    let refused =
        || Refused::form(FormId::Move).at(paths::staff_move_on(&id, &appointment.id, &form.day));
    let start = start_of(&form.start).map_err(|error| refused().because(&error))?;
    let request = booking::MoveRequest {
        appointment_id: &appointment.id,
        start,
        via: Via::Staff,
        idempotency_key: &form.key,
        expected_sequence: form.sequence.trim().parse().unwrap_or(-1),
    };
    let outcome = booking::move_to(
        &services.db,
        &services.municipality,
        &request,
        Timestamp::now(),
    )
    .await
    .map_err(|error| refused().because(&error))?;
    if !outcome.repeated {
        let route = "/medewerkers/inwoners/{id}/afspraken/{appointment}/verzetten";
        did(services, &principal, &id, StaffAction::Moved, route).await;
    }
    Ok(see_other(Notice::Moved.on(&paths::staff_resident(&id))))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ContactForm {
    kanaal: String,
    reden: String,
    tekst: String,
    vertrouwelijk: String,
    /// One of her cases (Loket's own id) — or, from older pages, a new case's type.
    zaak: String,
    /// A new case's type ([`contacts::NEW_CASE`] and its code).
    nieuwe_zaak: String,
    /// `ja` once the employee confirmed starting the new case, its type named.
    bevestig: String,
    key: String,
}

impl ContactForm {
    /// All of the text comes back (a refusal must not cut what the employee wrote), bounded by the form
    /// size limit.
    fn kept(&self) -> Vec<(String, String)> {
        [
            ("kanaal", &self.kanaal),
            ("reden", &self.reden),
            ("tekst", &self.tekst),
            ("vertrouwelijk", &self.vertrouwelijk),
            ("zaak", &self.zaak),
            ("nieuwe_zaak", &self.nieuwe_zaak),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.clone()))
        .collect()
    }
}

/// POST /medewerkers/inwoners/{id}/contactmomenten: the employee records the contact she is having (or just
/// had) with the resident: channel, reason, what was said, whether it is confidential, and optionally the
/// case it was about. A refusal shows the card again with the reason at the field and what was typed.
pub async fn record_contact(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path(id): Path<String>,
    PageForm(form): PageForm<ContactForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    serving(
        services,
        &principal,
        Action::Change,
        &id,
        "staff-refused-contact",
    )?;
    let Principal::Staff { staff_id, role, .. } = &principal else {
        return Err(PageError::Said(
            StatusCode::FORBIDDEN,
            "staff-refused-contact",
        ));
    };
    let card = paths::staff_resident(&id);
    she_exists(services, &id).await?;
    let lang = super::super::request_lang();
    let refused = || {
        Refused::form(FormId::Contact)
            .at(card.clone())
            .keeping(form.kept())
    };
    let choice = contacts::CaseChoice::read(&form.zaak, &form.nieuwe_zaak, form.bevestig == "ja");
    let case = match choice {
        contacts::CaseChoice::Both => {
            return Err(refused().saying(
                StatusCode::UNPROCESSABLE_ENTITY,
                "nieuwe_zaak",
                tr(lang, "staff-record-refused-both"),
            ))
        }
        contacts::CaseChoice::Confirm { code } => {
            let name = contacts::case_type_name(&services.db, &services.municipality.id, code)
                .await
                .map_err(|error| {
                    tracing::error!(%error, "case types could not be read");
                    PageError::Said(StatusCode::SERVICE_UNAVAILABLE, NOT_NOW)
                })?
                .map(|(nl, en)| match lang {
                    Lang::Nl => nl,
                    Lang::En => en,
                });
            return Err(match name {
                Some(name) => refused().saying(
                    StatusCode::OK,
                    "bevestig",
                    tr_args(lang, "staff-record-confirm-new-case", &[("type", &name)]),
                ),
                None => refused().saying(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "nieuwe_zaak",
                    tr(lang, "staff-record-refused-new-case"),
                ),
            });
        }
        other => other.case().unwrap_or_default(),
    };
    let contact = CardContact {
        person_id: &id,
        staff_id,
        registered_by: match role {
            StaffRole::Kcc => "Klantcontactcentrum",
            StaffRole::Backoffice | StaffRole::Admin => "Gemeente",
        },
        channel: &form.kanaal,
        reason: &form.reden,
        text: &form.tekst,
        confidential: form.vertrouwelijk == "ja",
        case,
        idempotency_key: &form.key,
    };
    let now = Timestamp::now();
    let today = now.to_zoned(services.municipality.time_zone.clone()).date();
    contacts::record_on_card(
        &services.db,
        &services.municipality.id,
        &contact,
        today,
        now,
    )
    .await
    .map_err(|error| refused().because(&error))?;
    let route = "/medewerkers/inwoners/{id}/contactmomenten";
    did(
        services,
        &principal,
        &id,
        StaffAction::ContactRecorded,
        route,
    )
    .await;
    Ok(see_other(Notice::Contact.on(&card)))
}

/// POST /medewerkers/inwoners/{id}/bekijken: "Bekijk als inwoner". This staff session then shows her own
/// pages, read-only (see `session::read_only_guard`), under a banner, until the employee stops it. The start is
/// written to the audit log, as is every page shown.
pub async fn start_preview(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let mut session = visitor.session().cloned().ok_or(PageError::SignIn)?;
    let principal = visitor.identity().0;
    let services = &state.services;
    let decision = serving(
        services,
        &principal,
        Action::Read,
        &id,
        "staff-refused-preview",
    )?;
    she_exists(services, &id).await?;
    let now = Timestamp::now();
    let started = async {
        audit::staff_read(
            &services.db,
            &principal,
            decision,
            ReadOf::Person(&id),
            "voorbeeld",
            "/medewerkers/inwoners/{id}/bekijken",
            now,
        )
        .await?;
        sessions::preview(&services.db, &mut session, Some(&id)).await
    };
    started.await.map_err(|error| {
        tracing::error!(%error, "preview could not start");
        PageError::Said(StatusCode::SERVICE_UNAVAILABLE, NOT_NOW)
    })?;
    Ok(see_other("/"))
}

/// POST /voorbeeld-stoppen: back from her pages to her card (the staff session itself goes on).
pub async fn stop_preview(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let mut session = visitor.session().cloned().ok_or(PageError::SignIn)?;
    let back = match visitor.identity().0 {
        Principal::Preview { person_id, .. } => paths::staff_resident(&person_id),
        _ => String::from(paths::STAFF),
    };
    sessions::preview(&state.services.db, &mut session, None)
        .await
        .map_err(|error| {
            tracing::error!(%error, "preview could not stop");
            PageError::Said(StatusCode::SERVICE_UNAVAILABLE, NOT_NOW)
        })?;
    Ok(see_other(back))
}

/// POST /medewerkers/inwoners/{id}/activeringscode: a new activation code for her, so she can make a passkey
/// (the code is the trusted route that binds her identity). The answer is her card with the code on it, once;
/// it is not in any URL and the issue is in her activity log.
pub async fn issue_code(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let principal = visitor.identity().0;
    code_keeper(services, &principal, visitor.session(), &id).await?;
    let issued = crate::staff::issue_resident_code(
        &services.db,
        &services.municipality.id,
        &crate::identity::activation::CodeTarget::Person {
            person_id: id.clone(),
        },
        &principal,
        &id,
        Timestamp::now(),
    )
    .await
    .map_err(|error| {
        tracing::error!(%error, "activation code could not be issued");
        PageError::Said(StatusCode::SERVICE_UNAVAILABLE, NOT_NOW)
    })?;
    let (until_date, until_time) = services.date_and_time(issued.expires_at);
    let shown = app::api::IssuedActivation {
        for_whom: None,
        code: issued.code,
        until_date,
        until_time,
    };
    let mut response =
        PageError::render(Some(paths::staff_resident(&id)), StatusCode::OK, shown).into_response();
    // The code is shown once: not stored by the browser or any cache.
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// The staff member (account id, staff id, role) who may issue or revoke person `id`'s activation codes: the
/// contact centre, signed in with a passkey, for a resident of the municipality.
async fn code_keeper(
    services: &Services,
    principal: &Principal,
    session: Option<&Session>,
    id: &str,
) -> Result<(String, String, StaffRole), PageError> {
    let session = session.ok_or(PageError::SignIn)?;
    let allowed = crate::staff::may_keep_codes_of(principal, &services.municipality.id, id);
    let (
        Principal::Staff {
            account_id,
            staff_id,
            role,
            ..
        },
        true,
    ) = (principal, allowed)
    else {
        return Err(PageError::Said(
            StatusCode::FORBIDDEN,
            "staff-refused-codes",
        ));
    };
    // Binding someone's identity needs a staff member who signed in with a passkey.
    if session.require(Assurance::Substantial).is_err() {
        return Err(PageError::Said(
            StatusCode::FORBIDDEN,
            "staff-refused-passkey-again",
        ));
    }
    she_exists(services, id).await?;
    Ok((account_id.clone(), staff_id.clone(), *role))
}

/// POST /medewerkers/inwoners/{id}/activeringscode/intrekken: her open activation code stops working (read
/// out to the wrong person, a letter that went astray). Her activity log says so.
pub async fn revoke_code(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let principal = visitor.identity().0;
    let (account_id, staff_id, role) =
        code_keeper(services, &principal, visitor.session(), &id).await?;
    crate::staff::revoke_resident_codes(
        &services.db,
        &services.municipality.id,
        &crate::identity::activation::CodeTarget::Person {
            person_id: id.clone(),
        },
        (&account_id, &staff_id, role),
        &id,
        Timestamp::now(),
    )
    .await
    .map_err(|error| {
        tracing::error!(%error, "activation code could not be revoked");
        PageError::Said(StatusCode::SERVICE_UNAVAILABLE, NOT_NOW)
    })?;
    Ok(see_other(
        Notice::CodeRevoked.on(&paths::staff_resident(&id)),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CorrectAddressForm {
    #[serde(rename = "juist-adres")]
    value: String,
}

/// POST /medewerkers/inwoners/{id}/adressen/{address}/verbeteren: with the resident on the phone, the contact
/// centre corrects an address whose messages did not arrive (`juist-adres`). The address keeps its choices; a
/// refusal shows the reason at the field with what was typed.
pub async fn correct_address(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path((id, address_id)): Path<(String, String)>,
    PageForm(form): PageForm<CorrectAddressForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    serving(
        services,
        &principal,
        Action::Change,
        &id,
        "staff-refused-address",
    )?;
    let card = paths::staff_resident(&id);
    let lang = super::super::request_lang();
    let (status, message) =
        match addresses::correct(&services.db, &id, &address_id, &form.value).await {
            Ok(()) => {
                let route = "/medewerkers/inwoners/{id}/adressen/{address}/verbeteren";
                did(
                    services,
                    &principal,
                    &id,
                    StaffAction::AddressCorrected,
                    route,
                )
                .await;
                return Ok(see_other(Notice::Address.on(&card)));
            }
            Err(NotificationsError::Invalid { key, .. }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, tr(lang, key))
            }
            Err(NotificationsError::NotFound) => {
                return Err(PageError::Said(
                    StatusCode::NOT_FOUND,
                    "staff-refused-address-unknown",
                ))
            }
            Err(error) => {
                tracing::error!(%error, "address could not be corrected");
                (StatusCode::SERVICE_UNAVAILABLE, tr(lang, NOT_NOW))
            }
        };
    let typed = vec![(
        String::from("juist-adres"),
        form.value.chars().take(200).collect(),
    )];
    Err(Refused::form(FormId::Correct(address_id.clone()))
        .at(card)
        .keeping(typed)
        .saying(status, "juist-adres", message))
}

/// One of person `id`'s appointments when the visitor is staff who may change it: 404 when it is not hers,
/// 403 (saying `refusal`) for anyone but the contact centre.
async fn her_appointment(
    services: &Services,
    principal: &Principal,
    id: &str,
    appointment_id: &str,
    refusal: &'static str,
) -> Result<booking::Appointment, PageError> {
    let appointment =
        match booking::get(&services.db, &services.municipality.id, appointment_id).await {
            Ok(appointment) if appointment.person_id == id => appointment,
            Ok(_) | Err(AppointmentsError::NotFound) => {
                return Err(PageError::Said(
                    StatusCode::NOT_FOUND,
                    "staff-refused-appointment-unknown",
                ))
            }
            Err(error) => {
                tracing::error!(%error, "appointment could not be read");
                return Err(PageError::Said(StatusCode::SERVICE_UNAVAILABLE, NOT_NOW));
            }
        };
    let decision = decide(
        principal,
        Action::Change,
        Resource::Appointment {
            municipality_id: &services.municipality.id,
            appointment_id: &appointment.id,
            person_id: Some(&appointment.person_id),
            organisation_id: appointment.organisation_id.as_deref(),
        },
    );
    if !matches!(principal, Principal::Staff { .. }) || !decision.allowed() {
        return Err(PageError::Said(StatusCode::FORBIDDEN, refusal));
    }
    Ok(appointment)
}

/// `Ok` when person `id` is a resident of this municipality (404 otherwise, 503 when that cannot be read).
pub(crate) async fn she_exists(services: &Services, id: &str) -> Result<(), PageError> {
    match crate::parties::person_exists(&services.db, &services.municipality.id, id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(PageError::Said(
            StatusCode::NOT_FOUND,
            "staff-refused-resident-unknown",
        )),
        Err(error) => {
            tracing::error!(%error, "person could not be read");
            Err(PageError::Said(StatusCode::SERVICE_UNAVAILABLE, NOT_NOW))
        }
    }
}

/// The decision for a staff member who serves residents to `action` person `id`'s data; anyone else is
/// refused with 403 saying `refusal`.
pub(crate) fn serving(
    services: &Services,
    principal: &Principal,
    action: Action,
    id: &str,
    refusal: &'static str,
) -> Result<Decision, PageError> {
    let decision = decide(
        principal,
        action,
        Resource::Person {
            municipality_id: &services.municipality.id,
            person_id: id,
        },
    );
    if matches!(principal, Principal::Staff { .. }) && decision.allowed() {
        Ok(decision)
    } else {
        Err(PageError::Said(StatusCode::FORBIDDEN, refusal))
    }
}

/// Writes that staff member `principal` did `action` for her (it shows in her activity log). The action
/// has happened; a failure to write it is logged for the operator, not shown as the action failing.
pub(crate) async fn did(
    services: &Services,
    principal: &Principal,
    person_id: &str,
    action: StaffAction,
    route: &str,
) {
    if let Err(error) = audit::staff_action(
        &services.db,
        principal,
        person_id,
        action,
        route,
        Timestamp::now(),
    )
    .await
    {
        tracing::error!(%error, "staff action could not be audited");
    }
}
