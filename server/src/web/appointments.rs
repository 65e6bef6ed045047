//! The resident's appointment pages: the list, the card, the booking and moving steps (data for the UI's
//! server functions), and the forms that change something — book, move, cancel, reminders — as plain POSTs
//! (links in messages only ever lead to pages; a GET never changes an appointment). A refusal renders the
//! same page again with 422 and the reason in her language; success redirects (303) to the card.

use super::bridge::Services;
use super::router::render_page;
use super::session::{ClientAddr, SessionToken};
use super::AppState;
use crate::appointments::availability::Via;
use crate::appointments::booking::{self, Appointment, BookRequest, Booker, MoveRequest, Status};
use crate::appointments::catalogue::{self, Service};
use crate::appointments::details::{self, Given};
use crate::appointments::{ics, AppointmentsError, Reminder};
use crate::authorization::{decide, Action, Decision, Principal, Resource};
use crate::identity::links::SecondCheck;
use crate::identity::secrets;
use crate::notifications::addresses;
use crate::notifications::channels::Channel;
use app::api::{
    ApiError, AppointmentCard, AppointmentLine, BookingQuery, BookingStep, BringView, Choice,
    DetailStep, FormProblem, PlaceView, Viewer, DETAIL_INPUTS,
};
use app::i18n::Lang;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{header, Request, StatusCode};
use jiff::Timestamp;

impl From<AppointmentsError> for ApiError {
    fn from(error: AppointmentsError) -> Self {
        tracing::error!(error = %error, "appointments query failed");
        ApiError::Unavailable
    }
}

fn service_name(service: &Service, lang: Lang) -> String {
    match lang {
        Lang::Nl => service.name.clone(),
        Lang::En => service.name_en.clone(),
    }
}

/// The QR code of the check-in code, as SVG markup for the card.
fn qr_svg(code: &str) -> String {
    match qrcode::QrCode::new(code.as_bytes()) {
        Ok(qr) => {
            let svg = qr
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(160, 160)
                .quiet_zone(true)
                .build();
            // The XML declaration is not allowed inside HTML.
            svg.find("<svg")
                .map_or(svg.clone(), |at| svg[at..].to_owned())
        }
        Err(_) => String::new(),
    }
}

impl Services {
    pub(super) async fn line(
        &self,
        appointment: &Appointment,
        lang: Lang,
        now: Timestamp,
    ) -> Result<AppointmentLine, AppointmentsError> {
        let service =
            catalogue::service(&self.db, &self.municipality.id, &appointment.service_id).await?;
        let location =
            catalogue::location(&self.db, &self.municipality.id, &appointment.location_id).await?;
        let (date, time) = self.date_and_time(appointment.start);
        let (_, end_time) = self.date_and_time(appointment.end);
        Ok(AppointmentLine {
            id: appointment.id.clone(),
            service: service_name(&service, lang),
            date,
            time,
            end_time,
            location: location.name,
            cancelled: appointment.status == Status::Cancelled,
            past: appointment.start <= now,
        })
    }

    /// The appointment if the visitor may open it on the resident pages.
    async fn own_appointment(&self, id: &str) -> Result<Option<Appointment>, AppointmentsError> {
        let (principal, _) = super::bridge::visitor().identity();
        openable(self, &principal, Action::Read, id).await
    }

    pub(super) async fn appointment_list(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<Vec<AppointmentLine>>, ApiError> {
        let Some(scope) = self.personal_scope(&super::bridge::visitor(), viewer) else {
            return Ok(None);
        };
        let now = Timestamp::now();
        let mut lines = Vec::new();
        for appointment in self.appointments_in(&scope).await? {
            lines.push(self.line(&appointment, lang, now).await?);
        }
        Ok(Some(lines))
    }

    /// Her appointments as the scope reads them: acting for an organisation, only those she made for it (her
    /// own appointment with the social team is not the company's business); as herself, all of hers.
    async fn appointments_in(
        &self,
        scope: &super::bridge::PersonalScope,
    ) -> Result<Vec<Appointment>, AppointmentsError> {
        let all = booking::for_person(&self.db, &scope.person_id).await?;
        Ok(match &scope.party {
            crate::parties::Party::Organisation(organisation) => all
                .into_iter()
                .filter(|a| a.organisation_id.as_ref() == Some(organisation))
                .collect(),
            crate::parties::Party::Person(_) => all,
        })
    }

    /// Overzicht's "your next appointment": the first booked one in the scope that is not over yet.
    pub(super) async fn next_appointment(
        &self,
        scope: &super::bridge::PersonalScope,
        lang: Lang,
    ) -> Result<Option<AppointmentLine>, AppointmentsError> {
        let now = Timestamp::now();
        let next = self
            .appointments_in(scope)
            .await?
            .into_iter()
            .find(|a| a.status == Status::Booked && a.end > now);
        match next {
            Some(appointment) => Ok(Some(self.line(&appointment, lang, now).await?)),
            None => Ok(None),
        }
    }

    pub(super) async fn appointment_card(
        &self,
        lang: Lang,
        id: String,
    ) -> Result<Option<AppointmentCard>, ApiError> {
        let Some(appointment) = self.own_appointment(&id).await? else {
            return Ok(None);
        };
        let now = Timestamp::now();
        let documents = crate::documents::drafts::for_appointment(&self.db, &appointment.id)
            .await
            .map_err(|error| super::documents::unavailable(&error))?;
        let reader = super::bridge::visitor().identity().0;
        let previewing = matches!(reader, crate::authorization::Principal::Preview { .. });
        // An appointment link's session sees the titles, and sends more, but opens and removes none.
        let by_link = matches!(
            reader,
            crate::authorization::Principal::AppointmentLink { .. }
        );
        let m = &self.municipality.id;
        let service = catalogue::service(&self.db, m, &appointment.service_id).await?;
        let location = catalogue::location(&self.db, m, &appointment.location_id).await?;
        let bring = service
            .bring
            .iter()
            .map(|item| BringView {
                text: match lang {
                    Lang::Nl => item.text.clone(),
                    Lang::En => item.text_en.clone(),
                },
                picture: item.picture.clone(),
            })
            .collect();
        Ok(Some(AppointmentCard {
            line: self.line(&appointment, lang, now).await?,
            sequence: appointment.sequence,
            place: PlaceView {
                name: location.name,
                street: location.street,
                postcode_city: format!("{} {}", location.postcode, location.city),
                route: location.route,
                wheelchair: location.wheelchair,
                hearing_loop: location.hearing_loop,
                quiet_room: location.quiet_room,
                map_url: location.map_url,
            },
            bring,
            tips: match lang {
                Lang::Nl => service.tips,
                Lang::En => service.tips_en,
            },
            reminders: Reminder::ALL
                .iter()
                .map(|r| (r.as_str().to_owned(), appointment.reminders.contains(r)))
                .collect(),
            checkin_qr: qr_svg(&appointment.checkin_code),
            checkin_code: appointment.checkin_code,
            by_contact_centre: appointment.via == Via::Staff,
            key: secrets::id(),
            documents: self.document_views(documents, !by_link),
            upload_max_bytes: self.documents.limits.max_file_bytes as u64,
            uploads_open: appointment.status == Status::Booked
                && appointment.end > now
                && !previewing,
            documents_removable: appointment.status == Status::Booked
                && appointment.end > now
                && !previewing
                && !by_link,
        }))
    }

    pub(super) async fn booking_step_for(
        &self,
        viewer: &Viewer,
        lang: Lang,
        query: BookingQuery,
    ) -> Result<Option<BookingStep>, ApiError> {
        // A new booking is for the signed-in person, or for `query.person` when the contact centre books;
        // moving needs only access to that appointment (an appointment link is enough).
        // The contact centre books or moves for `query.person` (a move only of her own appointment).
        let staff_for = match &query.person {
            Some(id) => match self.staff_may_book_for(id).await? {
                Some(name) => Some((id.clone(), name)),
                None => return Ok(None),
            },
            None => None,
        };
        let scope = self.personal_scope(&super::bridge::visitor(), viewer);
        if query.appointment.is_none() && scope.is_none() && staff_for.is_none() {
            return Ok(None);
        }
        let via = if staff_for.is_some() {
            Via::Staff
        } else {
            Via::Resident
        };
        let m = &self.municipality.id;
        let now = Timestamp::now();
        let mut step = BookingStep {
            key: secrets::id(),
            for_person: staff_for.clone(),
            ..BookingStep::default()
        };
        // Moving: service and location are those of the appointment.
        let (mut service_id, mut location_id) = (query.service, query.location);
        if let Some(id) = &query.appointment {
            let appointment = match &staff_for {
                Some((person, _)) => match booking::get(&self.db, m, id).await {
                    Ok(appointment) if &appointment.person_id == person => Some(appointment),
                    Ok(_) | Err(AppointmentsError::NotFound) => None,
                    Err(error) => return Err(error.into()),
                },
                None => self.own_appointment(id).await?,
            };
            let Some(appointment) = appointment else {
                return Ok(None);
            };
            if appointment.status == Status::Cancelled || appointment.start <= now {
                return Ok(None);
            }
            step.moving = Some(self.line(&appointment, lang, now).await?);
            step.sequence = appointment.sequence;
            service_id = Some(appointment.service_id.clone());
            location_id = Some(appointment.location_id.clone());
        }
        let services = catalogue::services(&self.db, m).await?;
        step.services = services
            .iter()
            .filter(|s| s.resident_bookable || via == Via::Staff)
            .map(|s| Choice {
                value: s.id.clone(),
                label: service_name(s, lang),
            })
            .collect();
        let Some(service) = service_id
            .and_then(|id| services.into_iter().find(|s| s.id == id))
            .filter(|s| s.resident_bookable || step.moving.is_some() || via == Via::Staff)
        else {
            return Ok(Some(step));
        };
        step.service = Some(Choice {
            value: service.id.clone(),
            label: service_name(&service, lang),
        });
        let locations = catalogue::locations_for(&self.db, &service.id).await?;
        step.locations = locations
            .iter()
            .map(|l| Choice {
                value: l.id.clone(),
                label: format!("{}, {}", l.name, l.street),
            })
            .collect();
        let location = match location_id {
            Some(id) => locations.into_iter().find(|l| l.id == id),
            // One place only: nothing to choose.
            None if locations.len() == 1 => locations.into_iter().next(),
            None => None,
        };
        let Some(location) = location else {
            return Ok(Some(step));
        };
        step.location = Some(Choice {
            value: location.id.clone(),
            label: format!("{}, {}", location.name, location.street),
        });
        let tz = &self.municipality.time_zone;
        let today = tz.to_datetime(now).date();
        let last = tz
            .to_datetime(now + jiff::SignedDuration::from_hours(service.horizon_days * 24))
            .date();
        let offers = booking::free_times(
            &self.db,
            &self.municipality,
            &service,
            &location.id,
            via,
            today..=last,
            now,
        )
        .await?;
        let moving_from = step
            .moving
            .as_ref()
            .map(|m| (m.date.clone(), m.time.clone()));
        for offer in &offers {
            let date = offer.slot.local.date();
            if step.days.last() != Some(&date.to_string()) {
                step.days.push(date.to_string());
                let monday = date
                    .checked_sub(jiff::Span::new().days(date.weekday().to_monday_zero_offset()))
                    .unwrap_or(date)
                    .to_string();
                match step.weeks.last_mut() {
                    Some((start, days)) if *start == monday => days.push(date.to_string()),
                    _ => step.weeks.push((monday, vec![date.to_string()])),
                }
            }
        }
        step.day = query.day.filter(|d| step.days.contains(d));
        if let Some(day) = &step.day {
            step.times = offers
                .iter()
                .filter(|o| &o.slot.local.date().to_string() == day)
                .map(|o| Choice {
                    value: o.slot.start.as_millisecond().to_string(),
                    label: o.slot.local.strftime("%H:%M").to_string(),
                })
                // The current time of an appointment being moved is no choice.
                .filter(|c| moving_from.as_ref() != Some(&(day.clone(), c.label.clone())))
                .collect();
            let person = match (&staff_for, &scope) {
                (Some((id, _)), _) => Some(id.as_str()),
                (None, Some(scope)) if step.moving.is_none() => Some(scope.person_id.as_str()),
                _ => None,
            };
            if let Some(person) = person {
                self.confirm_step(&mut step, &service, person, now).await?;
            }
        }
        Ok(Some(step))
    }

    /// The last step of a new booking: the details the service needs (known ones shown, the rest asked)
    /// and the addresses the confirmation can go to.
    async fn confirm_step(
        &self,
        step: &mut BookingStep,
        service: &Service,
        person_id: &str,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        let required = details::Field::list(&service.required_fields);
        if !required.is_empty() {
            let known = details::known(&self.db, person_id, now).await?;
            step.details = required
                .into_iter()
                .map(|field| DetailStep {
                    field: field.as_str().to_owned(),
                    known: known.shown(field),
                })
                .collect();
        }
        step.channels = addresses::list(&self.db, person_id)
            .await
            .map_err(|_| ApiError::Unavailable)?
            .into_iter()
            .filter(|a| a.usable(now))
            .map(|a| Choice {
                label: match a.channel {
                    // A push endpoint is a capability URL of the device: not shown.
                    Channel::Push => a.label,
                    // The contact centre reads the address shortened: enough to say "the one ending in 78".
                    Channel::Email | Channel::Sms if step.for_person.is_some() => {
                        format!("{} ({})", a.label, super::bridge::shorten(&a.value))
                    }
                    Channel::Email | Channel::Sms => format!("{} ({})", a.label, a.value),
                },
                value: a.id,
            })
            .collect();
        Ok(())
    }
}

fn fields(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(bytes).unwrap_or_default()
}

pub(super) fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

pub(super) fn see_other(location: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

pub(super) fn sign_in_again() -> Response {
    see_other(String::from("/inloggen?reden=verlopen"))
}

/// The form's fields, read up to the request limit: the longest field any form takes (a contact text of 4,000
/// characters, each up to 4 bytes of UTF-8 and 12 once percent-encoded) fits in it with the rest of the form.
pub(super) async fn read_form(body: Body) -> Option<Vec<(String, String)>> {
    axum::body::to_bytes(body, super::router::BODY_LIMIT)
        .await
        .ok()
        .map(|bytes| fields(&bytes))
}

pub(super) fn start_of(fields: &[(String, String)]) -> Result<Timestamp, AppointmentsError> {
    field(fields, "start")
        .parse::<i64>()
        .ok()
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .ok_or(AppointmentsError::Invalid {
            field: "start",
            key: "appointment-refused-choose-time",
        })
}

/// The page at `page` again (as a GET) with the refusal: 422 (503 when the database failed), the reason in
/// her language, and what the resident chose. Nothing was stored.
pub(super) async fn refused(
    state: AppState,
    parts: http::request::Parts,
    page: String,
    form: &str,
    values: Vec<(String, String)>,
    error: &AppointmentsError,
) -> Response {
    let status = if matches!(error, AppointmentsError::Storage(_)) {
        tracing::error!(%error, "appointment change could not be saved");
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let field = match error {
        AppointmentsError::Invalid { field, .. } => *field,
        _ => "start",
    };
    let problem = FormProblem {
        form: form.to_owned(),
        field: field.to_owned(),
        message: error.resident_message(super::router::language(&parts.headers)),
        values,
    };
    problem_page(state, parts, page, problem, status).await
}

/// Renders `page` (as a GET) with `problem` (a [`FormProblem`] or [`app::api::FormProblems`]) shown on its
/// form, answering `status`.
pub(super) async fn problem_page<P: Clone + Send + Sync + 'static>(
    state: AppState,
    mut parts: http::request::Parts,
    page: String,
    problem: P,
    status: StatusCode,
) -> Response {
    if let Ok(uri) = page.parse() {
        parts.uri = uri;
    }
    let mut request = Request::from_parts(parts, Body::empty());
    *request.method_mut() = http::Method::GET;
    request.extensions_mut().insert(problem);
    let mut response = render_page(state, request).await;
    *response.status_mut() = status;
    response
}

/// The birth date typed as day, month and year (three fields, as the form asks), as `YYYY-MM-DD`.
fn birth_date(fields: &[(String, String)]) -> Option<String> {
    details::birth_date(
        field(fields, "dag"),
        field(fields, "maand"),
        field(fields, "jaar"),
    )
    .map(|date| date.to_string())
}

/// POST /afspraak/{token}: the appointment link's second check, the birth date (`dag`, `maand`, `jaar`) or the
/// `code` that was sent. The right answer starts a session for that one appointment and opens its card;
/// anything else shows the form again with the reason (nothing is changed; five wrong answers block the link).
pub async fn open_link(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    request: Request<Body>,
) -> Response {
    let old_session = request
        .extensions()
        .get::<SessionToken>()
        .map(|SessionToken(old)| old.clone());
    let (parts, body) = request.into_parts();
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let by_code = fields.iter().any(|(name, _)| name == "code");
    let (form, first, names): (&str, &str, &[&str]) = if by_code {
        ("link-code", "code", &["code"])
    } else {
        ("link", "dag", &["dag", "maand", "jaar"])
    };
    let typed: Vec<(String, String)> = names
        .iter()
        .map(|name| {
            (
                (*name).to_owned(),
                field(&fields, name).chars().take(8).collect(),
            )
        })
        .collect();
    let page = format!("/afspraak/{}", q(&token));
    let refuse = |message: &str| FormProblem {
        form: form.to_owned(),
        field: first.to_owned(),
        message: message.to_owned(),
        values: typed.clone(),
    };
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let date = birth_date(&fields);
    let check = if by_code {
        if secrets::typed_six_digits(field(&fields, "code")).is_none() {
            let problem = refuse(&app::i18n::tr(
                super::request_lang(),
                "link-refused-code-format",
            ));
            return problem_page(state, parts, page, problem, invalid).await;
        }
        SecondCheck::Code(field(&fields, "code"))
    } else {
        let Some(date) = date.as_deref() else {
            let problem = refuse(&app::i18n::tr(
                super::request_lang(),
                "appointment-refused-birth-date",
            ));
            return problem_page(state, parts, page, problem, invalid).await;
        };
        SecondCheck::BirthDate(date)
    };
    let opened = super::identity::open_appointment_link(
        &state,
        &addr,
        old_session,
        &token,
        check,
        Timestamp::now(),
    )
    .await;
    match opened {
        Ok((appointment_id, cookie)) => {
            let mut response = see_other(format!("/afspraken/{appointment_id}"));
            if let Some(cookie) = cookie {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(error) => {
            let (status, message) = super::identity::link_refusal(error);
            problem_page(state, parts, page, refuse(&message), status).await
        }
    }
}

/// POST /afspraak/{token}/code: sends a (new) code for the link to where the appointment's confirmation went,
/// then shows the page with the code field; a refusal (too soon, too many, link not working) shows why.
pub async fn send_link_code(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    request: Request<Body>,
) -> Response {
    let page = format!("/afspraak/{}", q(&token));
    match super::identity::send_link_code(&state, &addr, &token, Timestamp::now()).await {
        Ok(()) => see_other(page),
        Err(error) => {
            let (status, message) = super::identity::link_refusal(error);
            let problem = FormProblem {
                form: String::from("link-send"),
                field: String::new(),
                message,
                values: Vec::new(),
            };
            let (parts, _) = request.into_parts();
            problem_page(state, parts, page, problem, status).await
        }
    }
}

/// Everything but RFC 3986's unreserved characters, so ids like `demo-voorbeeld-desiree` stay readable.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a path segment or query value (ids and dates only, but never trust them).
pub(super) fn q(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, COMPONENT).to_string()
}

/// The details the booking form asked for, as typed.
pub(super) fn given(fields: &[(String, String)]) -> Given {
    Given {
        phone: field(fields, "telefoon").to_owned(),
        email: field(fields, "email").to_owned(),
        birth_day: field(fields, "geboortedag").to_owned(),
        birth_month: field(fields, "geboortemaand").to_owned(),
        birth_year: field(fields, "geboortejaar").to_owned(),
        postcode: field(fields, "postcode").to_owned(),
        house_number: field(fields, "huisnummer").to_owned(),
    }
}

/// What was typed in the booking form (and in `more` fields), to come back in the form after a refusal (cut
/// short: it is only shown again).
pub(super) fn typed(fields: &[(String, String)], more: &[&str]) -> Vec<(String, String)> {
    ["start", "kanaal"]
        .iter()
        .chain(DETAIL_INPUTS.iter())
        .chain(more)
        .map(|name| {
            (
                (*name).to_owned(),
                field(fields, name).chars().take(100).collect(),
            )
        })
        .collect()
}

/// POST /afspraak-maken: book the chosen time.
pub async fn book(State(state): State<AppState>, request: Request<Body>) -> Response {
    let Some(person_id) = super::messages::visitor_person(&request) else {
        return sign_in_again();
    };
    let (parts, body) = request.into_parts();
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let services = &state.services;
    let now = Timestamp::now();
    let (service, location, day) = (
        field(&fields, "service"),
        field(&fields, "location"),
        field(&fields, "day"),
    );
    let given = given(&fields);
    // Empty: where her messages usually go (Instellingen → Berichten).
    let channel = Some(field(&fields, "kanaal")).filter(|id| !id.is_empty());
    let outcome = match start_of(&fields) {
        Ok(start) => {
            booking::book(
                &services.db,
                &services.municipality,
                &BookRequest {
                    service_id: service,
                    location_id: location,
                    start,
                    booker: Booker {
                        person_id: &person_id,
                        organisation_id: None,
                        via: Via::Resident,
                        staff_id: None,
                    },
                    idempotency_key: field(&fields, "key"),
                    address_id: channel,
                    reminders: None,
                    details: Some(&given),
                    new_address: None,
                },
                now,
            )
            .await
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok(outcome) => see_other(format!(
            "/afspraken/{}?gelukt=geboekt",
            outcome.appointment_id
        )),
        Err(error) => {
            let page = format!(
                "/afspraak-maken?dienst={}&locatie={}&dag={}",
                q(service),
                q(location),
                q(day)
            );
            let typed = typed(&fields, &[]);
            refused(state, parts, page, "book", typed, &error).await
        }
    }
}

/// The appointment `id` if `principal` may open it on the resident pages: the person it is for, a member of
/// the organisation it is for, or an appointment-link session for exactly this one. (Staff see appointments
/// in their own workspace, where each look is audited; here they are refused like anyone else.)
pub(super) async fn openable(
    services: &Services,
    principal: &Principal,
    action: Action,
    id: &str,
) -> Result<Option<Appointment>, AppointmentsError> {
    let appointment = match booking::get(&services.db, &services.municipality.id, id).await {
        Ok(appointment) => appointment,
        Err(AppointmentsError::NotFound) => return Ok(None),
        Err(error) => return Err(error),
    };
    let resource = Resource::Appointment {
        municipality_id: &services.municipality.id,
        appointment_id: &appointment.id,
        person_id: Some(&appointment.person_id),
        organisation_id: appointment.organisation_id.as_deref(),
    };
    Ok((decide(principal, action, resource) == Decision::Allow).then_some(appointment))
}

pub(super) fn principal_of(request: &Request<Body>) -> Principal {
    request
        .extensions()
        .get::<super::session::Visitor>()
        .map_or(Principal::Anonymous, |visitor| visitor.identity().0)
}

/// The appointment `id` if the visitor may use it; otherwise the answer to give (404, or sign in again).
async fn owned(
    state: &AppState,
    principal: Principal,
    action: Action,
    id: &str,
) -> Result<Appointment, Response> {
    if principal == Principal::Anonymous {
        return Err(sign_in_again());
    }
    match openable(&state.services, &principal, action, id).await {
        Ok(Some(appointment)) => Ok(appointment),
        // Someone else's appointment, or none: the same answer.
        Ok(None) => Err(StatusCode::NOT_FOUND.into_response()),
        Err(error) => {
            tracing::error!(%error, "appointment lookup failed");
            Err(StatusCode::SERVICE_UNAVAILABLE.into_response())
        }
    }
}

/// The visitor's appointment `id` and the posted form, or the answer to give instead (sign in again,
/// 404 for someone else's appointment, 413 for a form too large).
async fn owned_form(
    state: &AppState,
    id: &str,
    request: Request<Body>,
) -> Result<(Appointment, http::request::Parts, Vec<(String, String)>), Response> {
    let principal = principal_of(&request);
    let appointment = owned(state, principal, Action::Change, id).await?;
    let (parts, body) = request.into_parts();
    let fields = read_form(body)
        .await
        .ok_or_else(|| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    Ok((appointment, parts, fields))
}

/// POST /afspraken/{id}/verzetten: move to the chosen time.
pub async fn move_to(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let (appointment, parts, fields) = match owned_form(&state, &id, request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let services = &state.services;
    let outcome = match start_of(&fields) {
        Ok(start) => {
            booking::move_to(
                &services.db,
                &services.municipality,
                &MoveRequest {
                    appointment_id: &appointment.id,
                    start,
                    via: Via::Resident,
                    idempotency_key: field(&fields, "key"),
                    expected_sequence: field(&fields, "sequence").trim().parse().unwrap_or(-1),
                },
                Timestamp::now(),
            )
            .await
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok(_) => see_other(format!("/afspraken/{}?gelukt=verzet", appointment.id)),
        Err(error) => {
            let page = format!(
                "/afspraken/{}/verzetten?dag={}",
                appointment.id,
                q(field(&fields, "day"))
            );
            refused(state, parts, page, "move", Vec::new(), &error).await
        }
    }
}

/// POST /afspraken/{id}/annuleren: cancel (the link in a message leads to the confirm page, never here).
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let (appointment, parts, fields) = match owned_form(&state, &id, request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let services = &state.services;
    match booking::cancel(
        &services.db,
        &services.municipality,
        &appointment.id,
        field(&fields, "key"),
        Timestamp::now(),
    )
    .await
    {
        Ok(_) => see_other(format!("/afspraken/{}?gelukt=geannuleerd", appointment.id)),
        Err(error) => {
            let page = format!("/afspraken/{}/annuleren", appointment.id);
            refused(state, parts, page, "cancel", Vec::new(), &error).await
        }
    }
}

/// POST /afspraken/{id}/herinneringen: the reminders to keep (checkboxes named `reminder`).
pub async fn reminders(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let (appointment, parts, fields) = match owned_form(&state, &id, request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let chosen: Vec<Reminder> = fields
        .iter()
        .filter(|(k, _)| k == "reminder")
        .filter_map(|(_, v)| Reminder::parse(v))
        .collect();
    let services = &state.services;
    match booking::set_reminders(
        &services.db,
        &services.municipality,
        &appointment.id,
        &chosen,
        Timestamp::now(),
    )
    .await
    {
        Ok(()) => see_other(format!(
            "/afspraken/{}?gelukt=herinneringen",
            appointment.id
        )),
        Err(error) => {
            let page = format!("/afspraken/{}", appointment.id);
            refused(state, parts, page, "reminders", Vec::new(), &error).await
        }
    }
}

/// GET /afspraken/{id}/agenda.ics: the calendar file (only for the person whose appointment it is).
pub async fn calendar(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    // The visitor is read before any await: a request body may not be shared across threads.
    let principal = principal_of(&request);
    let appointment = match owned(&state, principal, Action::Read, &id).await {
        Ok(appointment) => appointment,
        Err(response) => return response,
    };
    let services = &state.services;
    let location = match catalogue::location(
        &services.db,
        &services.municipality.id,
        &appointment.location_id,
    )
    .await
    {
        Ok(location) => location,
        Err(error) => {
            tracing::error!(%error, "location lookup failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let origin = &state.public_origin;
    let host = origin
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .unwrap_or("loket");
    let link = format!("{origin}/afspraken/{}", appointment.id);
    let body = ics::calendar(
        &appointment,
        &ics::CalendarFields {
            municipality: &services.municipality.name,
            organizer_email: &services.municipality.email,
            now: Timestamp::now(),
            host,
            link: &link,
            location: &location,
        },
    );
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"afspraak.ics\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
