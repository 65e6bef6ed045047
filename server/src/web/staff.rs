//! The contact centre's side: the search (`POST /medewerkers`: the text travels in the body and the results
//! only in this response, so what a caller says never lands in a URL, a browser history or an access log), the
//! card of one resident, and booking on her behalf. Every person or company shown gets a staff-read entry in the
//! audit log (and so in their activity log).

use super::appointments::{
    field, given, principal_of, problem_page, q, read_form, refused, see_other, sign_in_again,
    start_of, typed,
};
use super::bridge::Services;
use super::router::render_page;
use super::{AppState, NOT_NOW};
use crate::appointments::availability::Via;
use crate::appointments::booking::{self, BookRequest, Booker, Status};
use crate::appointments::AppointmentsError;
use crate::authorization::{decide, staff_level, Action, DataKind, Level, Principal, Resource};
use crate::cases::{CasesError, Confidentiality};
use crate::contacts::{self, CardContact};
use crate::identity::accounts::StaffRole;
use crate::identity::audit::{self, ReadOf, StaffAction};
use crate::notifications;
use crate::notifications::addresses;
use crate::notifications::channels::Channel;
use crate::parties::Party;
use crate::staff::search::{self, HitKind, StaffError};
use crate::staff::{card, report};
use app::api::{
    ApiError, Choice, FormProblem, SearchHit, StaffCase, StaffCaseWhat, StaffResident, StaffSearch,
};
use app::i18n::{long_date, Lang};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{Request, StatusCode};
use jiff::{SignedDuration, Timestamp};

const UNAVAILABLE: &str = "Zoeken lukt nu niet. Probeer het over een paar minuten opnieuw.";

pub async fn search(State(state): State<AppState>, request: Request<Body>) -> Response {
    let principal = principal_of(&request);
    if principal == Principal::Anonymous {
        return sign_in_again();
    }
    let municipality_id = state.services.municipality.id.clone();
    let decision = decide(
        &principal,
        Action::Read,
        Resource::Residents {
            municipality_id: &municipality_id,
        },
    );
    let (parts, body) = request.into_parts();
    if !decision.allowed() {
        // The page itself tells a resident (or an admin) that it is for the contact centre.
        return render(state, parts, StaffSearch::default(), StatusCode::FORBIDDEN).await;
    }
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let mut result = StaffSearch {
        query: field(&fields, "zoek").chars().take(100).collect(),
        ..StaffSearch::default()
    };
    let query = match search::classify(&result.query) {
        Ok(query) => query,
        Err(error) => {
            result.problem = Some(message(&error).to_owned());
            return render(state, parts, result, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let services = &state.services;
    let now = Timestamp::now();
    let hits = match search::find(&services.db, &municipality_id, &query).await {
        Ok(hits) => hits,
        Err(error) => {
            tracing::error!(%error, "staff search failed");
            result.problem = Some(UNAVAILABLE.to_owned());
            return render(state, parts, result, StatusCode::SERVICE_UNAVAILABLE).await;
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
            "/medewerkers",
            now,
        )
        .await;
        if let Err(error) = written {
            // No result is shown whose look could not be written down.
            tracing::error!(%error, "staff search could not be audited");
            result.problem = Some(UNAVAILABLE.to_owned());
            return render(state, parts, result, StatusCode::SERVICE_UNAVAILABLE).await;
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
        })
        .collect();
    render(state, parts, result, StatusCode::OK).await
}

fn message(error: &StaffError) -> &'static str {
    match error {
        StaffError::Invalid(message) => message,
        StaffError::Storage(_) => UNAVAILABLE,
    }
}

/// POST /medewerkers/inchecken: the desk scans or types the code on a resident's appointment card.
pub async fn check_in(State(state): State<AppState>, request: Request<Body>) -> Response {
    let principal = principal_of(&request);
    if principal == Principal::Anonymous {
        return sign_in_again();
    }
    let services = &state.services;
    let municipality_id = services.municipality.id.clone();
    // Whoever serves residents at the desk may check them in (the same staff who may find them).
    let allowed = decide(
        &principal,
        Action::Read,
        Resource::Residents {
            municipality_id: &municipality_id,
        },
    )
    .allowed();
    let (parts, body) = request.into_parts();
    let mut result = app::api::CheckInResult::default();
    let status = if !allowed {
        StatusCode::FORBIDDEN
    } else if let Some(fields) = read_form(body).await {
        result.code = field(&fields, "code").chars().take(40).collect();
        let now = Timestamp::now();
        match crate::appointments::checkin::check_in(
            &services.db,
            &municipality_id,
            &result.code,
            now,
        )
        .await
        {
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
                    result.problem = Some(NOT_NOW.to_owned());
                    StatusCode::SERVICE_UNAVAILABLE
                }
            },
            Err(crate::appointments::AppointmentsError::Storage(error)) => {
                tracing::error!(%error, "check-in failed");
                result.problem = Some(NOT_NOW.to_owned());
                StatusCode::SERVICE_UNAVAILABLE
            }
            Err(crate::appointments::AppointmentsError::Past) => {
                result.problem = Some(String::from(
                    "Deze afspraak is al voorbij. Maak zo nodig een nieuwe afspraak.",
                ));
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(error) => {
                result.problem =
                    Some(error.resident_message(super::router::language(&parts.headers)));
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    } else {
        StatusCode::PAYLOAD_TOO_LARGE
    };
    render(state, parts, result, status).await
}

/// Renders the page the form was posted to (as a GET) with `result` on it (a search, a check-in); a refused
/// visitor gets the page without it.
async fn render<T: Clone + Send + Sync + 'static>(
    state: AppState,
    parts: http::request::Parts,
    result: T,
    status: StatusCode,
) -> Response {
    let mut request = Request::from_parts(parts, Body::empty());
    *request.method_mut() = http::Method::GET;
    if status != StatusCode::FORBIDDEN {
        request.extensions_mut().insert(result);
    }
    let mut response = render_page(state, request).await;
    *response.status_mut() = status;
    response
}

impl Services {
    /// The contact centre's card of person `id`: only for staff who serve residents, and every look is written
    /// to the audit log (and so to her activity log). What the role may know only THAT of is left out here,
    /// on the server.
    pub(super) async fn staff_resident_for(
        &self,
        lang: Lang,
        id: &str,
    ) -> Result<Option<StaffResident>, ApiError> {
        let Some((name, birth_date, postcode, house_number)) = self
            .staff_look(id, Action::Read, "/medewerkers/inwoners/{id}")
            .await?
        else {
            return Ok(None);
        };
        let (principal, _) = super::bridge::visitor().identity();
        let Principal::Staff { role, .. } = &principal else {
            return Ok(None);
        };
        let role = *role;
        let level = |kind| staff_level(role, kind);
        let now = Timestamp::now();
        let mut notices = Vec::new();
        let all_addresses = addresses::list(&self.db, id).await?;
        let usable: Vec<_> = all_addresses.iter().filter(|a| a.usable(now)).collect();
        for address in &all_addresses {
            if address.failed_at_ms.is_some() {
                notices.push(notice("staff-notice-failing", &[("label", &address.label)]));
            }
        }
        // "Wants messages only on her alternative address": a choice for an address that is not the one
        // messages go to by default (her first confirmed address).
        let chosen = addresses::choices(&self.db, id).await?;
        let mut named = Vec::new();
        for (_, address_id) in &chosen {
            let first = usable.first().map(|a| a.id.as_str());
            if Some(address_id.as_str()) != first && !named.contains(address_id) {
                if let Some(address) = usable.iter().find(|a| &a.id == address_id) {
                    named.push(address_id.clone());
                    notices.push(notice("staff-notice-chosen", &[("label", &address.label)]));
                }
            }
        }
        let addresses = usable
            .iter()
            .map(|a| Choice {
                label: match a.channel {
                    Channel::Push => a.label.clone(),
                    Channel::Email | Channel::Sms => {
                        format!("{} ({})", a.label, super::bridge::shorten(&a.value))
                    }
                },
                value: a.id.clone(),
            })
            .collect();
        let mut appointments = Vec::new();
        let mut appointment_details = Vec::new();
        let mut appointment_documents = Vec::new();
        if level(DataKind::Appointments) == Level::What {
            for appointment in booking::for_person(&self.db, id).await? {
                if appointment.status == Status::Booked && appointment.end > now {
                    let line = self.line(&appointment, lang, now).await?;
                    if card::soon(appointment.start, now) {
                        notices.push(notice(
                            "staff-notice-appointment",
                            &[
                                ("service", &line.service),
                                ("date", &long_date(lang, &line.date)),
                                ("time", &line.time),
                            ],
                        ));
                    }
                    let given = crate::appointments::details::of(&self.db, &appointment.id).await?;
                    if !given.is_empty() {
                        appointment_details.push((
                            appointment.id.clone(),
                            given
                                .into_iter()
                                .map(|(field, value)| (field.as_str().to_owned(), value))
                                .collect(),
                        ));
                    }
                    let documents =
                        crate::documents::drafts::for_appointment(&self.db, &appointment.id)
                            .await
                            .map_err(|error| super::documents::unavailable(&error))?;
                    if !documents.is_empty() {
                        let opens = level(DataKind::Documents) == Level::What;
                        appointment_documents.push((
                            appointment.id.clone(),
                            self.document_views(documents, opens),
                        ));
                    }
                    appointments.push((line, crate::identity::secrets::id()));
                }
            }
        }
        let count =
            contacts::count_since(&self.db, id, now - SignedDuration::from_hours(7 * 24)).await?;
        if let Some(card::Notice::ContactsThisWeek { count }) = card::contacts_notice(count) {
            notices.push(notice(
                "staff-notice-contacts",
                &[("count", &count.to_string())],
            ));
        }
        let mut cases = Vec::new();
        let mut contact_cases = Vec::new();
        for case in card::cases_of(&self.db, &self.municipality.id, id).await? {
            let kind = if case.confidential {
                DataKind::ConfidentialCases
            } else {
                DataKind::Cases
            };
            let what = match level(kind) {
                Level::Nothing => continue,
                Level::That => None,
                Level::What => Some(StaffCaseWhat {
                    identifier: case.identifier.clone(),
                    type_name: case.type_name.clone(),
                    status: case.status.clone(),
                }),
            };
            // A contact may be linked to any of her cases: by its number for the employee who may know what
            // it is, as "a confidential case since …" for one who may not (the form sends Loket's own id).
            contact_cases.push(Choice {
                label: match &what {
                    Some(what) => format!("{} – {}", what.identifier, what.type_name),
                    None => format!(
                        "Vertrouwelijke zaak sinds {}",
                        long_date(lang, &case.start_date)
                    ),
                },
                value: case.id.clone(),
            });
            // A document's title can tell what a case is about: listed only where the case itself is known.
            let documents = match (&what, level(DataKind::Documents)) {
                (Some(_), Level::That | Level::What) => self.document_views(
                    crate::documents::drafts::for_case(
                        &self.db,
                        &self.municipality.id,
                        &case.id,
                        id,
                    )
                    .await
                    .map_err(|error| super::documents::unavailable(&error))?,
                    level(DataKind::Documents) == Level::What,
                ),
                _ => Vec::new(),
            };
            cases.push(StaffCase {
                start_date: case.start_date,
                closed: case.closed,
                what,
                documents,
            });
        }
        let contacts = match level(DataKind::Contacts) {
            Level::Nothing => Vec::new(),
            _ => {
                contacts::for_party(
                    &self.db,
                    &self.municipality,
                    &Party::Person(id.to_owned()),
                    level(DataKind::ConfidentialContacts) == Level::What,
                    // A contact line names only cases the role may know what they are.
                    (level(DataKind::ConfidentialCases) != Level::What)
                        .then_some(Confidentiality::Zaakvertrouwelijk),
                    None,
                    20,
                )
                .await?
            }
        };
        let messages = if level(DataKind::Messages) == Level::What {
            notifications::outbox::recent(&self.db, id, 10)
                .await
                .map_err(notifications::NotificationsError::from)?
                .into_iter()
                .map(|m| self.message_line(m, now))
                .collect()
        } else {
            Vec::new()
        };
        let may_issue_code = decide(
            &principal,
            Action::Change,
            Resource::ResidentActivation {
                municipality_id: &self.municipality.id,
            },
        )
        .allowed();
        // Whether a code she could still use is out (to revoke it), for whoever may issue one.
        let open_code = if may_issue_code {
            crate::identity::activation::open_code(
                &self.db,
                &crate::identity::activation::CodeTarget::Person {
                    person_id: id.to_owned(),
                },
                now,
            )
            .await?
            .map(|code| self.date_and_time(code.expires_at))
        } else {
            None
        };
        Ok(Some(StaffResident {
            id: id.to_owned(),
            name,
            birth_date,
            place: postcode.zip(house_number).map(|(p, n)| format!("{p} {n}")),
            addresses,
            appointments,
            appointment_details,
            appointment_documents,
            cases,
            contacts,
            messages,
            notices,
            contact_cases,
            new_cases: contacts::case_types(&self.db, &self.municipality.id)
                .await?
                .into_iter()
                .map(|(code, name_nl, name_en)| Choice {
                    value: format!("{}{code}", contacts::NEW_CASE),
                    label: match lang {
                        Lang::Nl => name_nl,
                        Lang::En => name_en,
                    },
                })
                .collect(),
            contact_key: crate::identity::secrets::id(),
            failing: all_addresses
                .iter()
                .filter(|a| a.failed_at_ms.is_some() && a.channel != Channel::Push)
                .map(|a| Choice {
                    label: format!("{} ({})", a.label, super::bridge::shorten(&a.value)),
                    value: a.id.clone(),
                })
                .collect(),
            may_issue_code,
            open_code,
        }))
    }
}

fn notice(key: &str, args: &[(&str, &str)]) -> (String, Vec<(String, String)>) {
    (
        key.to_owned(),
        args.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

type PersonRow = (String, Option<String>, Option<String>, Option<String>);

impl Services {
    /// The name of person `id` when the visitor is staff who may book for her; the look is audited (the booking
    /// steps show her name, and at the last step the details and addresses Loket has).
    pub(super) async fn staff_may_book_for(&self, id: &str) -> Result<Option<String>, ApiError> {
        let row = self
            .staff_look(
                id,
                Action::Change,
                "/medewerkers/inwoners/{id}/afspraak-maken",
            )
            .await?;
        Ok(row.map(|(name, ..)| name))
    }

    /// Person `id` of this municipality as a staff member who serves residents may see her (`action` on her
    /// data), with the look written to the audit log for `route`; `None` for anyone else or an unknown id.
    async fn staff_look(
        &self,
        id: &str,
        action: Action,
        route: &str,
    ) -> Result<Option<PersonRow>, ApiError> {
        let (principal, _) = super::bridge::visitor().identity();
        let m = &self.municipality.id;
        let decision = decide(
            &principal,
            action,
            Resource::Person {
                municipality_id: m,
                person_id: id,
            },
        );
        if !matches!(principal, Principal::Staff { .. }) || !decision.allowed() {
            return Ok(None);
        }
        let row: Option<PersonRow> = sqlx::query_as(
            "SELECT display_name, birth_date, postcode, house_number FROM person
             WHERE id = $1 AND municipality_id = $2",
        )
        .bind(id)
        .bind(m)
        .fetch_optional(&self.db.pool)
        .await
        .map_err(|error| {
            tracing::error!(%error, "person could not be read");
            ApiError::Unavailable
        })?;
        if row.is_some() {
            audit::staff_read(
                &self.db,
                &principal,
                decision,
                ReadOf::Person(id),
                "persoonsgegevens",
                route,
                Timestamp::now(),
            )
            .await?;
        }
        Ok(row)
    }
}

/// POST /medewerkers/inwoners/{id}/afspraak-maken: the contact centre books the chosen time for person `id`,
/// with the confirmation going where she asked: her usual choice, one of her addresses, or a number or e-mail
/// address she gives on the phone (kept as confirmed by the booking itself).
pub async fn book(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    if principal == Principal::Anonymous {
        return sign_in_again();
    }
    let municipality_id = state.services.municipality.id.clone();
    let decision = decide(
        &principal,
        Action::Change,
        Resource::Person {
            municipality_id: &municipality_id,
            person_id: &id,
        },
    );
    let staff_id = match &principal {
        Principal::Staff { staff_id, .. } if decision.allowed() => staff_id.clone(),
        // A resident books on her own page; admins do not serve residents.
        _ => {
            return (
                StatusCode::FORBIDDEN,
                "Alleen medewerkers van het klantcontactcentrum maken afspraken voor inwoners.",
            )
                .into_response()
        }
    };
    let (parts, body) = request.into_parts();
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let (service, location, day) = (
        field(&fields, "service"),
        field(&fields, "location"),
        field(&fields, "day"),
    );
    let given = given(&fields);
    let channel = field(&fields, "kanaal");
    let (address_id, new_address) = match channel {
        "" => (None, None),
        "nieuw-sms" => (None, Some((Channel::Sms, field(&fields, "nieuw-sms")))),
        "nieuw-email" => (None, Some((Channel::Email, field(&fields, "nieuw-email")))),
        address => (Some(address), None),
    };
    let outcome = match start_of(&fields) {
        Ok(start) => {
            booking::book(
                &state.services.db,
                &state.services.municipality,
                &BookRequest {
                    service_id: service,
                    location_id: location,
                    start,
                    booker: Booker {
                        person_id: &id,
                        organisation_id: None,
                        via: Via::Staff,
                        staff_id: Some(&staff_id),
                    },
                    idempotency_key: field(&fields, "key"),
                    address_id,
                    reminders: None,
                    details: Some(&given),
                    new_address,
                },
                Timestamp::now(),
            )
            .await
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok(outcome) => {
            if !outcome.repeated {
                let route = "/medewerkers/inwoners/{id}/afspraak-maken";
                did(&state.services, &principal, &id, StaffAction::Booked, route).await;
                if new_address.is_some() {
                    did(
                        &state.services,
                        &principal,
                        &id,
                        StaffAction::AddressByPhone,
                        route,
                    )
                    .await;
                }
            }
            see_other(format!("/medewerkers/inwoners/{}?gelukt=geboekt", q(&id)))
        }
        Err(error) => {
            let page = format!(
                "/medewerkers/inwoners/{}/afspraak-maken?dienst={}&locatie={}&dag={}",
                q(&id),
                q(service),
                q(location),
                q(day)
            );
            let typed = typed(&fields, &["nieuw-sms", "nieuw-email"]);
            refused(state, parts, page, "book", typed, &error).await
        }
    }
}

/// POST /medewerkers/inwoners/{id}/afspraken/{appointment}/annuleren: the contact centre cancels one of her
/// appointments on the phone. It is a button on her card (a POST, never a link); she gets the cancellation
/// message as for any cancel.
pub async fn cancel(
    State(state): State<AppState>,
    Path((id, appointment_id)): Path<(String, String)>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    if principal == Principal::Anonymous {
        return sign_in_again();
    }
    let services = &state.services;
    let card = format!("/medewerkers/inwoners/{}", q(&id));
    let appointment =
        match her_appointment(services, &principal, &id, &appointment_id, "annuleren").await {
            Ok(appointment) => appointment,
            Err(refusal) => return refusal,
        };
    let (parts, body) = request.into_parts();
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    match booking::cancel(
        &services.db,
        &services.municipality,
        &appointment.id,
        field(&fields, "key"),
        Timestamp::now(),
    )
    .await
    {
        Ok(outcome) => {
            if !outcome.repeated {
                let route = "/medewerkers/inwoners/{id}/afspraken/{appointment}/annuleren";
                did(services, &principal, &id, StaffAction::Cancelled, route).await;
            }
            see_other(format!("{card}?gelukt=geannuleerd"))
        }
        Err(error) => refused(state, parts, card, "cancel", Vec::new(), &error).await,
    }
}

impl From<StaffError> for ApiError {
    fn from(error: StaffError) -> Self {
        tracing::error!(%error, "staff query failed");
        ApiError::Unavailable
    }
}

/// POST /medewerkers/inwoners/{id}/contactmomenten: the employee records the contact she is having (or just
/// had) with the resident: channel, reason, what was said, whether it is confidential, and optionally the
/// case it was about. A refusal shows the card again with the reason at the field and what was typed.
pub async fn record_contact(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    if principal == Principal::Anonymous {
        return sign_in_again();
    }
    let services = &state.services;
    let decision = decide(
        &principal,
        Action::Change,
        Resource::Person {
            municipality_id: &services.municipality.id,
            person_id: &id,
        },
    );
    let (staff_id, role) = match &principal {
        Principal::Staff { staff_id, role, .. } if decision.allowed() => (staff_id.clone(), *role),
        _ => {
            return (
                StatusCode::FORBIDDEN,
                "Alleen medewerkers die inwoners helpen leggen contactmomenten vast.",
            )
                .into_response()
        }
    };
    let (parts, body) = request.into_parts();
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let card = format!("/medewerkers/inwoners/{}", q(&id));
    if let Err(refusal) = she_exists(services, &id).await {
        return refusal;
    }
    let keep = |fields: &[(String, String)]| -> Vec<(String, String)> {
        // All of the text comes back (a refusal must not cut what the employee wrote), bounded by the form
        // size limit.
        [
            "kanaal",
            "reden",
            "tekst",
            "vertrouwelijk",
            "zaak",
            "nieuwe_zaak",
        ]
        .iter()
        .map(|name| ((*name).to_owned(), field(fields, name).to_owned()))
        .collect()
    };
    // One of her cases, or a new one: two separate choices, and a new case only once confirmed with its type
    // named (in one list a case type read like one of her cases, and a mistaken choice created a case).
    let (linked, new_case) = (field(&fields, "zaak"), field(&fields, "nieuwe_zaak"));
    let new_case = match linked.strip_prefix(contacts::NEW_CASE) {
        Some(_) => linked,
        None => new_case,
    };
    let lang = super::request_lang();
    let refuse = |field_name: &str, message: String, status: StatusCode| {
        let problem = FormProblem {
            form: String::from("contact"),
            field: field_name.to_owned(),
            message,
            values: keep(&fields),
        };
        (problem, status)
    };
    let case = if new_case.is_empty() {
        linked
    } else if !linked.is_empty() && !linked.starts_with(contacts::NEW_CASE) {
        let (problem, status) = refuse(
            "nieuwe_zaak",
            app::i18n::tr(lang, "staff-record-refused-both"),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        return problem_page(state, parts, card, problem, status).await;
    } else if field(&fields, "bevestig") != "ja" {
        let code = new_case
            .strip_prefix(contacts::NEW_CASE)
            .unwrap_or_default();
        let name =
            match contacts::case_types(&services.db, &services.municipality.id).await {
                Ok(types) => types
                    .into_iter()
                    .find(|(c, _, _)| c == code)
                    .map(|(_, nl, en)| match lang {
                        app::i18n::Lang::Nl => nl,
                        app::i18n::Lang::En => en,
                    }),
                Err(error) => {
                    tracing::error!(%error, "case types could not be read");
                    return (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response();
                }
            };
        let (problem, status) = match name {
            Some(name) => refuse(
                "bevestig",
                app::i18n::tr_args(lang, "staff-record-confirm-new-case", &[("type", &name)]),
                StatusCode::OK,
            ),
            None => refuse(
                "nieuwe_zaak",
                app::i18n::tr(lang, "staff-record-refused-new-case"),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        };
        return problem_page(state, parts, card, problem, status).await;
    } else {
        new_case
    };
    let contact = CardContact {
        person_id: &id,
        staff_id: &staff_id,
        registered_by: match role {
            StaffRole::Kcc => "Klantcontactcentrum",
            StaffRole::Backoffice | StaffRole::Admin => "Gemeente",
        },
        channel: field(&fields, "kanaal"),
        reason: field(&fields, "reden"),
        text: field(&fields, "tekst"),
        confidential: field(&fields, "vertrouwelijk") == "ja",
        case,
        idempotency_key: field(&fields, "key"),
    };
    let now = Timestamp::now();
    let today = now.to_zoned(services.municipality.time_zone.clone()).date();
    let outcome = contacts::record_on_card(
        &services.db,
        &services.municipality.id,
        &contact,
        today,
        now,
    )
    .await;
    let (status, field_name, message) = match outcome {
        Ok(_) => {
            let route = "/medewerkers/inwoners/{id}/contactmomenten";
            did(
                services,
                &principal,
                &id,
                StaffAction::ContactRecorded,
                route,
            )
            .await;
            return see_other(format!("{card}?gelukt=contact"));
        }
        Err(CasesError::Invalid(problems)) => {
            let first = problems.into_iter().next();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                first
                    .as_ref()
                    .map_or("kanaal", |p| p.field.as_str())
                    .to_owned(),
                first.map_or_else(|| NOT_NOW.to_owned(), |p| p.message),
            )
        }
        Err(CasesError::Conflict(message)) => (
            StatusCode::CONFLICT,
            String::from("kanaal"),
            message.to_owned(),
        ),
        Err(error) => {
            tracing::error!(%error, "contact moment could not be saved");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                String::from("kanaal"),
                String::from("Opslaan lukt nu niet. Probeer het over een paar minuten opnieuw."),
            )
        }
    };
    let problem = FormProblem {
        form: String::from("contact"),
        field: field_name,
        message,
        values: keep(&fields),
    };
    problem_page(state, parts, card, problem, status).await
}

impl Services {
    /// The desk's day: today's booked appointments everywhere, for staff who serve residents. Every person
    /// listed is a read of her name and appointment, written to her activity log before the list is shown.
    pub(super) async fn staff_today_for(
        &self,
        principal: &Principal,
        lang: Lang,
        now: Timestamp,
    ) -> Result<Option<app::api::StaffToday>, ApiError> {
        let m = &self.municipality.id;
        let decision = decide(
            principal,
            Action::Read,
            Resource::Residents { municipality_id: m },
        );
        if !decision.allowed() {
            return Ok(None);
        }
        let zone = self.municipality.time_zone.clone();
        let today = now.to_zoned(zone.clone()).date();
        let bounds = today
            .to_zoned(zone.clone())
            .and_then(|start| Ok((start.timestamp(), start.tomorrow()?.timestamp())));
        let Ok((from, until)) = bounds else {
            tracing::error!("today's bounds");
            return Err(ApiError::Unavailable);
        };
        let day = crate::appointments::checkin::starting_between(&self.db, m, from, until).await?;
        let mut items = Vec::with_capacity(day.len());
        for entry in day {
            audit::staff_read(
                &self.db,
                principal,
                decision,
                ReadOf::Person(&entry.appointment.person_id),
                "afspraken-vandaag",
                "/medewerkers/vandaag",
                now,
            )
            .await
            .map_err(|error| {
                // No name is shown whose look could not be written down.
                tracing::error!(%error, "today's list could not be audited");
                ApiError::Unavailable
            })?;
            items.push(app::api::TodayItem {
                line: self.line(&entry.appointment, lang, now).await?,
                person_id: entry.appointment.person_id.clone(),
                name: entry.name,
                checked_in: entry.checked_in,
            });
        }
        Ok(Some(app::api::StaffToday {
            date: today.to_string(),
            items,
        }))
    }
}

/// How many weeks the report shows.
pub const REPORT_WEEKS: i64 = 8;

impl Services {
    /// The report's figures for the last [`REPORT_WEEKS`] weeks, for staff of this municipality.
    pub(super) async fn staff_report_for(
        &self,
        now: Timestamp,
    ) -> Result<Option<app::api::StaffReport>, ApiError> {
        let (principal, _) = super::bridge::visitor().identity();
        let m = &self.municipality.id;
        if !decide(
            &principal,
            Action::Read,
            Resource::Reports { municipality_id: m },
        )
        .allowed()
        {
            return Ok(None);
        }
        let weeks =
            report::weeks(&self.municipality.time_zone, now, REPORT_WEEKS).map_err(|error| {
                tracing::error!(%error, "report weeks");
                ApiError::Unavailable
            })?;
        let figures = report::figures(&self.db, m, &weeks, Timestamp::now()).await?;
        Ok(Some(pivot(&weeks, &figures)))
    }
}

/// The figures as rows (measure, category, detail) with a count per week.
fn pivot(weeks: &[report::Week], figures: &[report::Figure]) -> app::api::StaffReport {
    let mut rows: Vec<app::api::ReportRow> = Vec::new();
    let mut keys: Vec<(report::Measure, &str, &str)> = figures
        .iter()
        .map(|f| (f.measure, f.category.as_str(), f.detail.as_str()))
        .collect();
    keys.sort();
    keys.dedup();
    for (measure, category, detail) in keys {
        let counts = weeks
            .iter()
            .map(|week| {
                figures
                    .iter()
                    .filter(|f| {
                        f.week == week.monday
                            && f.measure == measure
                            && f.category == category
                            && f.detail == detail
                    })
                    .map(|f| f.count)
                    .sum()
            })
            .collect();
        rows.push(app::api::ReportRow {
            measure: measure.as_str().to_owned(),
            category: category.to_owned(),
            detail: detail.to_owned(),
            counts,
        });
    }
    app::api::StaffReport {
        weeks: weeks.iter().map(|w| w.monday.to_string()).collect(),
        rows,
    }
}

/// GET /medewerkers/rapport.csv: the report's figures as CSV, for staff of this municipality.
pub async fn report_csv(State(state): State<AppState>, request: Request<Body>) -> Response {
    let principal = principal_of(&request);
    if principal == Principal::Anonymous {
        return sign_in_again();
    }
    let services = &state.services;
    let m = &services.municipality.id;
    if !decide(
        &principal,
        Action::Read,
        Resource::Reports { municipality_id: m },
    )
    .allowed()
    {
        return (
            StatusCode::FORBIDDEN,
            "Het rapport is alleen voor medewerkers van de gemeente.",
        )
            .into_response();
    }
    let figures = match report::weeks(
        &services.municipality.time_zone,
        Timestamp::now(),
        REPORT_WEEKS,
    ) {
        Ok(weeks) => report::figures(&services.db, m, &weeks, Timestamp::now()).await,
        Err(error) => {
            tracing::error!(%error, "report weeks");
            return (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response();
        }
    };
    match figures {
        Ok(figures) => (
            [
                (http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"loket-rapport.csv\"",
                ),
            ],
            report::csv(&figures),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "report could not be read");
            (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response()
        }
    }
}

/// POST /medewerkers/inwoners/{id}/bekijken: "Bekijk als inwoner". This staff session then shows her own
/// pages, read-only (see `session::preview_guard`), under a banner, until the employee stops it. The start is
/// written to the audit log, as is every page shown.
pub async fn start_preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    let Some(mut session) = request
        .extensions()
        .get::<super::session::Visitor>()
        .and_then(|v| v.session().cloned())
    else {
        return sign_in_again();
    };
    let services = &state.services;
    let decision = match serving(
        services,
        &principal,
        Action::Read,
        &id,
        "Alleen medewerkers die inwoners helpen bekijken Loket als inwoner.",
    ) {
        Ok(decision) => decision,
        Err(refusal) => return refusal.into_response(),
    };
    if let Err(refusal) = she_exists(services, &id).await {
        return refusal;
    }
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
        crate::identity::sessions::preview(&services.db, &mut session, Some(&id)).await
    };
    match started.await {
        Ok(()) => see_other(String::from("/")),
        Err(error) => {
            tracing::error!(%error, "preview could not start");
            (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response()
        }
    }
}

/// POST /voorbeeld-stoppen: back from her pages to her card (the staff session itself goes on).
pub async fn stop_preview(State(state): State<AppState>, request: Request<Body>) -> Response {
    let principal = principal_of(&request);
    let Some(mut session) = request
        .extensions()
        .get::<super::session::Visitor>()
        .and_then(|v| v.session().cloned())
    else {
        return sign_in_again();
    };
    let back = match &principal {
        Principal::Preview { person_id, .. } => {
            format!("/medewerkers/inwoners/{}", q(person_id))
        }
        _ => String::from("/medewerkers"),
    };
    match crate::identity::sessions::preview(&state.services.db, &mut session, None).await {
        Ok(()) => see_other(back),
        Err(error) => {
            tracing::error!(%error, "preview could not stop");
            (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response()
        }
    }
}

/// POST /medewerkers/inwoners/{id}/activeringscode: a new activation code for her, so she can make a passkey
/// (the code is the trusted route that binds her identity). The answer is her card with the code on it, once;
/// it is not in any URL and the issue is in her activity log.
pub async fn issue_code(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let services = &state.services;
    let principal = principal_of(&request);
    if let Err(refusal) = code_keeper(services, caller(&request), &id).await {
        return refusal;
    }
    let m = &services.municipality.id;
    let issued = crate::staff::issue_resident_code(
        &services.db,
        m,
        &crate::identity::activation::CodeTarget::Person {
            person_id: id.clone(),
        },
        &principal,
        &id,
        Timestamp::now(),
    )
    .await;
    match issued {
        Ok(issued) => {
            let (until_date, until_time) = services.date_and_time(issued.expires_at);
            let (mut parts, _) = request.into_parts();
            parts.method = http::Method::GET;
            if let Ok(uri) = format!("/medewerkers/inwoners/{}", q(&id)).parse() {
                parts.uri = uri;
            }
            let mut request = Request::from_parts(parts, Body::empty());
            request.extensions_mut().insert(app::api::IssuedActivation {
                for_whom: None,
                code: issued.code,
                until_date,
                until_time,
            });
            let mut response = render_page(state.clone(), request).await;
            // The code is shown once: not stored by the browser or any cache.
            response.headers_mut().insert(
                http::header::CACHE_CONTROL,
                http::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(error) => {
            tracing::error!(%error, "activation code could not be issued");
            (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response()
        }
    }
}

/// The staff member (account id, staff id, role) who may issue or revoke person `id`'s activation codes: the
/// contact centre, signed in with a passkey, for a resident of the municipality. Otherwise the answer to give.
async fn code_keeper(
    services: &Services,
    (principal, session): (Principal, Option<crate::identity::sessions::Session>),
    id: &str,
) -> Result<(String, String, crate::identity::accounts::StaffRole), Response> {
    let Some(session) = session else {
        return Err(sign_in_again());
    };
    let allowed = crate::staff::may_keep_codes_of(&principal, &services.municipality.id, id);
    let (
        Principal::Staff {
            account_id,
            staff_id,
            role,
            ..
        },
        true,
    ) = (&principal, allowed)
    else {
        return Err((
            StatusCode::FORBIDDEN,
            "Alleen medewerkers van het klantcontactcentrum geven inwoners een activeringscode.",
        )
            .into_response());
    };
    // Binding someone's identity needs a staff member who signed in with a passkey.
    if session
        .require(crate::identity::sessions::Assurance::Substantial)
        .is_err()
    {
        return Err((StatusCode::FORBIDDEN, "Log opnieuw in met uw passkey.").into_response());
    }
    she_exists(services, id).await?;
    Ok((account_id.clone(), staff_id.clone(), *role))
}

/// Who sends `request`, and their session (taken out of the request, which cannot be held across an await).
fn caller(request: &Request<Body>) -> (Principal, Option<crate::identity::sessions::Session>) {
    let session = request
        .extensions()
        .get::<super::session::Visitor>()
        .and_then(|v| v.session().cloned());
    (principal_of(request), session)
}

/// POST /medewerkers/inwoners/{id}/activeringscode/intrekken: her open activation code stops working (read
/// out to the wrong person, a letter that went astray). Her activity log says so.
pub async fn revoke_code(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let services = &state.services;
    let (account_id, staff_id, role) = match code_keeper(services, caller(&request), &id).await {
        Ok(actor) => actor,
        Err(refusal) => return refusal,
    };
    let revoked = crate::staff::revoke_resident_codes(
        &services.db,
        &services.municipality.id,
        &crate::identity::activation::CodeTarget::Person {
            person_id: id.clone(),
        },
        (&account_id, &staff_id, role),
        &id,
        Timestamp::now(),
    )
    .await;
    match revoked {
        Ok(_) => see_other(format!(
            "/medewerkers/inwoners/{}?gelukt=code-ingetrokken",
            q(&id)
        )),
        Err(error) => {
            tracing::error!(%error, "activation code could not be revoked");
            (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response()
        }
    }
}

/// POST /medewerkers/inwoners/{id}/adressen/{address}/verbeteren: with the resident on the phone, the contact
/// centre corrects an address whose messages did not arrive (`juist-adres`). The address keeps its choices; a
/// refusal shows the reason at the field with what was typed.
pub async fn correct_address(
    State(state): State<AppState>,
    Path((id, address_id)): Path<(String, String)>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    if principal == Principal::Anonymous {
        return sign_in_again();
    }
    let services = &state.services;
    if let Err(refusal) = serving(
        services,
        &principal,
        Action::Change,
        &id,
        "Alleen medewerkers die inwoners helpen verbeteren hun adressen.",
    ) {
        return refusal.into_response();
    }
    let (parts, body) = request.into_parts();
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let card = format!("/medewerkers/inwoners/{}", q(&id));
    let value = field(&fields, "juist-adres");
    let (status, message) = match addresses::correct(&services.db, &id, &address_id, value).await {
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
            return see_other(format!("{card}?gelukt=adres"));
        }
        Err(notifications::NotificationsError::Invalid { key, .. }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            app::i18n::tr(super::router::language(&parts.headers), key),
        ),
        Err(notifications::NotificationsError::NotFound) => {
            return (
                StatusCode::NOT_FOUND,
                "Dit adres vinden we niet bij deze inwoner.",
            )
                .into_response()
        }
        Err(error) => {
            tracing::error!(%error, "address could not be corrected");
            (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW.to_owned())
        }
    };
    let problem = FormProblem {
        form: format!("correct-{address_id}"),
        field: String::from("juist-adres"),
        message,
        values: vec![(
            String::from("juist-adres"),
            value.chars().take(200).collect(),
        )],
    };
    problem_page(state, parts, card, problem, status).await
}

/// POST /medewerkers/inwoners/{id}/afspraken/{appointment}/verzetten: the contact centre moves one of her
/// appointments on the phone (atomically, as any move; the seats kept for the contact centre count). She gets
/// the message about the new time as for any move.
pub async fn move_for(
    State(state): State<AppState>,
    Path((id, appointment_id)): Path<(String, String)>,
    request: Request<Body>,
) -> Response {
    let principal = principal_of(&request);
    if principal == Principal::Anonymous {
        return sign_in_again();
    }
    let services = &state.services;
    let appointment =
        match her_appointment(services, &principal, &id, &appointment_id, "verzetten").await {
            Ok(appointment) => appointment,
            Err(refusal) => return refusal,
        };
    let (parts, body) = request.into_parts();
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let outcome = match start_of(&fields) {
        Ok(start) => {
            booking::move_to(
                &services.db,
                &services.municipality,
                &booking::MoveRequest {
                    appointment_id: &appointment.id,
                    start,
                    via: Via::Staff,
                    idempotency_key: field(&fields, "key"),
                    expected_sequence: field(&fields, "sequence").trim().parse().unwrap_or(-1),
                },
                Timestamp::now(),
            )
            .await
        }
        Err(error) => Err(error),
    };
    let card = format!("/medewerkers/inwoners/{}", q(&id));
    match outcome {
        Ok(outcome) => {
            if !outcome.repeated {
                let route = "/medewerkers/inwoners/{id}/afspraken/{appointment}/verzetten";
                did(services, &principal, &id, StaffAction::Moved, route).await;
            }
            see_other(format!("{card}?gelukt=verzet"))
        }
        Err(error) => {
            let page = format!(
                "{card}/afspraken/{}/verzetten?dag={}",
                q(&appointment.id),
                q(field(&fields, "day"))
            );
            refused(state, parts, page, "move", Vec::new(), &error).await
        }
    }
}

/// One of person `id`'s appointments when the visitor is staff who may change it; otherwise the answer to give
/// (404 when it is not hers, 403 for anyone but the contact centre). `verb` names what was refused.
async fn her_appointment(
    services: &Services,
    principal: &Principal,
    id: &str,
    appointment_id: &str,
    verb: &str,
) -> Result<booking::Appointment, Response> {
    let appointment =
        match booking::get(&services.db, &services.municipality.id, appointment_id).await {
            Ok(appointment) if appointment.person_id == id => appointment,
            Ok(_) | Err(AppointmentsError::NotFound) => {
                return Err((
                    StatusCode::NOT_FOUND,
                    "Deze afspraak vinden we niet bij deze inwoner.",
                )
                    .into_response())
            }
            Err(error) => {
                tracing::error!(%error, "appointment could not be read");
                return Err((StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response());
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
        return Err((
            StatusCode::FORBIDDEN,
            format!(
                "Alleen medewerkers van het klantcontactcentrum {verb} afspraken voor inwoners."
            ),
        )
            .into_response());
    }
    Ok(appointment)
}

/// `Ok` when person `id` is a resident of this municipality; otherwise the answer to give (404, or 503).
async fn she_exists(services: &Services, id: &str) -> Result<(), Response> {
    let exists: Result<Option<(String,)>, sqlx::Error> =
        sqlx::query_as("SELECT id FROM person WHERE id = $1 AND municipality_id = $2")
            .bind(id)
            .bind(&services.municipality.id)
            .fetch_optional(&services.db.pool)
            .await;
    match exists {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err((StatusCode::NOT_FOUND, "Deze inwoner vinden we niet.").into_response()),
        Err(error) => {
            tracing::error!(%error, "person could not be read");
            Err((StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response())
        }
    }
}

/// The decision for a staff member who serves residents to `action` person `id`'s data; for anyone else the
/// answer to give (403 with `refusal`).
pub(super) fn serving(
    services: &Services,
    principal: &Principal,
    action: Action,
    id: &str,
    refusal: &'static str,
) -> Result<crate::authorization::Decision, (StatusCode, &'static str)> {
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
        Err((StatusCode::FORBIDDEN, refusal))
    }
}

/// Writes that staff member `principal` did `action` for her (it shows in her activity log). The action
/// has happened; a failure to write it is logged for the operator, not shown as the action failing.
pub(super) async fn did(
    services: &Services,
    principal: &Principal,
    person_id: &str,
    action: StaffAction,
    route: &str,
) {
    if let Err(error) = crate::identity::audit::staff_action(
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
