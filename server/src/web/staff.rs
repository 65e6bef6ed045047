//! The contact centre's side: the search (`POST /medewerkers`: the text travels in the body and the results
//! only in this response, so what a caller says never lands in a URL, a browser history or an access log), the
//! card of one resident, and booking on her behalf. Every person or company shown gets a staff-read entry in the
//! audit log (and so in their activity log).

use super::appointments::{
    field, given, principal_of, q, read_form, refused, see_other, sign_in_again, start_of, typed,
};
use super::bridge::Services;
use super::router::render_page;
use super::AppState;
use crate::appointments::availability::Via;
use crate::appointments::booking::{self, BookRequest, Booker, Status};
use crate::appointments::AppointmentsError;
use crate::authorization::{decide, Action, Principal, Resource};
use crate::identity::audit::{self, ReadOf};
use crate::notifications::addresses;
use crate::notifications::channels::Channel;
use crate::staff::search::{self, HitKind, StaffError};
use app::api::{ApiError, Choice, SearchHit, StaffResident, StaffSearch};
use app::i18n::Lang;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{Request, StatusCode};
use jiff::Timestamp;

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

/// Renders `/medewerkers` (as a GET) with `result` on it.
async fn render(
    state: AppState,
    parts: http::request::Parts,
    result: StaffSearch,
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
    /// to the audit log (and so to her activity log).
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
        let now = Timestamp::now();
        let addresses = addresses::list(&self.db, id)
            .await?
            .into_iter()
            .filter(|a| a.usable(now))
            .map(|a| Choice {
                label: match a.channel {
                    Channel::Push => a.label,
                    Channel::Email | Channel::Sms => {
                        format!("{} ({})", a.label, super::bridge::shorten(&a.value))
                    }
                },
                value: a.id,
            })
            .collect();
        let mut appointments = Vec::new();
        for appointment in booking::for_person(&self.db, id).await? {
            if appointment.status == Status::Booked && appointment.end > now {
                appointments.push((
                    self.line(&appointment, lang, now).await?,
                    crate::identity::secrets::id(),
                ));
            }
        }
        Ok(Some(StaffResident {
            id: id.to_owned(),
            name,
            birth_date,
            place: postcode.zip(house_number).map(|(p, n)| format!("{p} {n}")),
            addresses,
            appointments,
        }))
    }
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
        Ok(_) => see_other(format!("/medewerkers/inwoners/{}?gelukt=geboekt", q(&id))),
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
        match booking::get(&services.db, &services.municipality.id, &appointment_id).await {
            Ok(appointment) if appointment.person_id == id => appointment,
            Ok(_) | Err(AppointmentsError::NotFound) => {
                return (
                    StatusCode::NOT_FOUND,
                    "Deze afspraak vinden we niet bij deze inwoner.",
                )
                    .into_response()
            }
            Err(error) => {
                tracing::error!(%error, "appointment could not be read");
                return (StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE).into_response();
            }
        };
    let decision = decide(
        &principal,
        Action::Change,
        Resource::Appointment {
            municipality_id: &services.municipality.id,
            appointment_id: &appointment.id,
            person_id: Some(&appointment.person_id),
            organisation_id: appointment.organisation_id.as_deref(),
        },
    );
    if !matches!(principal, Principal::Staff { .. }) || !decision.allowed() {
        return (
            StatusCode::FORBIDDEN,
            "Alleen medewerkers van het klantcontactcentrum annuleren afspraken voor inwoners.",
        )
            .into_response();
    }
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
        Ok(_) => see_other(format!("{card}?gelukt=geannuleerd")),
        Err(error) => refused(state, parts, card, "cancel", Vec::new(), &error).await,
    }
}
