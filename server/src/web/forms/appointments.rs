//! The resident's appointment forms — book, move, cancel, reminders — and the appointment link's second
//! check, as plain POSTs (links in messages only ever lead to pages; a GET never changes an appointment).
//! Success redirects (303) to the card; a refusal shows the same page again with the reason in her language.

use super::super::extract::{PageForm, Resident, SignedIn};
use super::super::reply::{see_other, PageError, Refused};
use super::super::session::{ClientAddr, SessionToken};
use super::super::AppState;
use crate::appointments::availability::Via;
use crate::appointments::booking::{self, Appointment, BookRequest, Booker, MoveRequest};
use crate::appointments::details::{self, Given};
use crate::appointments::{AppointmentsError, Reminder};
use crate::authorization::{Action, Principal};
use crate::identity::links::SecondCheck;
use crate::identity::secrets;
use app::paths::{self, FormId, Notice};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;
use http::{header, StatusCode};
use jiff::Timestamp;
use serde::Deserialize;

/// The details a service may ask for at booking, under the names the booking form gives them
/// ([`app::api::DETAIL_INPUTS`]).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct DetailsForm {
    telefoon: String,
    email: String,
    geboortedag: String,
    geboortemaand: String,
    geboortejaar: String,
    postcode: String,
    huisnummer: String,
}

impl DetailsForm {
    pub(crate) fn given(&self) -> Given {
        Given {
            phone: self.telefoon.clone(),
            email: self.email.clone(),
            birth_day: self.geboortedag.clone(),
            birth_month: self.geboortemaand.clone(),
            birth_year: self.geboortejaar.clone(),
            postcode: self.postcode.clone(),
            house_number: self.huisnummer.clone(),
        }
    }

    /// As typed, under their form names, in the order of [`app::api::DETAIL_INPUTS`].
    fn pairs(&self) -> [(&'static str, &str); 7] {
        [
            ("telefoon", &self.telefoon),
            ("email", &self.email),
            ("geboortedag", &self.geboortedag),
            ("geboortemaand", &self.geboortemaand),
            ("geboortejaar", &self.geboortejaar),
            ("postcode", &self.postcode),
            ("huisnummer", &self.huisnummer),
        ]
    }
}

/// What was typed in a booking form, to come back in the form after a refusal (cut short: it is only shown
/// again): the chosen time and address, the details, and `more`.
pub(crate) fn typed(
    start: &str,
    channel: &str,
    details: &DetailsForm,
    more: &[(&'static str, &str)],
) -> Vec<(String, String)> {
    [("start", start), ("kanaal", channel)]
        .into_iter()
        .chain(details.pairs())
        .chain(more.iter().copied())
        .map(|(name, value)| (name.to_owned(), value.chars().take(100).collect()))
        .collect()
}

/// The chosen time: the slot's start in milliseconds, as the time buttons send it.
pub(crate) fn start_of(start: &str) -> Result<Timestamp, AppointmentsError> {
    start
        .parse::<i64>()
        .ok()
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .ok_or(AppointmentsError::Invalid {
            field: "start",
            key: "appointment-refused-choose-time",
        })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct BookForm {
    service: String,
    location: String,
    day: String,
    start: String,
    key: String,
    /// Empty: where her messages usually go (Instellingen → Berichten).
    kanaal: String,
    #[serde(flatten)]
    details: DetailsForm,
}

/// POST /afspraak-maken: book the chosen time.
pub async fn book(
    State(state): State<AppState>,
    resident: Resident,
    SignedIn(principal): SignedIn,
    PageForm(form): PageForm<BookForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let given = form.details.given();
    // What the page showed as known from the BRP is not asked: the same question again, for this booking.
    let from_register = match &services.population {
        None => None,
        Some(_) => {
            let service = crate::appointments::catalogue::service(
                &services.db,
                &services.municipality.id,
                &form.service,
            )
            .await;
            let required = service
                .map(|service| details::Field::list(&service.required_fields))
                .unwrap_or_default();
            services.known_in_register(&principal, &required).await
        }
    };
    let refused = || {
        Refused::form(FormId::Book)
            .at(paths::book_at(&form.service, &form.location, &form.day))
            .keeping(typed(&form.start, &form.kanaal, &form.details, &[]))
    };
    let start = start_of(&form.start).map_err(|error| refused().because(&error))?;
    let request = BookRequest {
        service_id: &form.service,
        location_id: &form.location,
        start,
        booker: Booker {
            person_id: &resident.person_id,
            organisation_id: None,
            via: Via::Resident,
            staff_id: None,
        },
        idempotency_key: &form.key,
        address_id: Some(form.kanaal.as_str()).filter(|id| !id.is_empty()),
        reminders: None,
        details: Some(&given),
        from_register: from_register.as_ref(),
        new_address: None,
    };
    let outcome = booking::book(
        &services.db,
        &services.municipality,
        &request,
        Timestamp::now(),
    )
    .await
    .map_err(|error| refused().because(&error))?;
    Ok(see_other(
        Notice::Booked.on(&paths::appointment(&outcome.appointment_id)),
    ))
}

/// The appointment `id` if `principal` may do `action` with it on the resident pages; otherwise 404 (someone
/// else's appointment and none are the same answer).
pub(crate) async fn owned(
    state: &AppState,
    principal: &Principal,
    action: Action,
    id: &str,
) -> Result<Appointment, PageError> {
    match crate::views::appointments::openable(&state.services, principal, action, id).await {
        Ok(Some(appointment)) => Ok(appointment),
        Ok(None) => Err(PageError::NotFound),
        Err(error) => {
            tracing::error!(%error, "appointment lookup failed");
            Err(PageError::Unavailable)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct MoveForm {
    pub(crate) start: String,
    pub(crate) key: String,
    /// The card's version she saw; a move of a card changed since is refused.
    pub(crate) sequence: String,
    pub(crate) day: String,
}

/// POST /afspraken/{id}/verzetten: move to the chosen time.
pub async fn move_to(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path(id): Path<String>,
    PageForm(form): PageForm<MoveForm>,
) -> Result<Response, PageError> {
    let appointment = owned(&state, &principal, Action::Change, &id).await?;
    let refused =
        || Refused::form(FormId::Move).at(paths::appointment_move_on(&appointment.id, &form.day));
    let start = start_of(&form.start).map_err(|error| refused().because(&error))?;
    let services = &state.services;
    let request = MoveRequest {
        appointment_id: &appointment.id,
        start,
        via: Via::Resident,
        idempotency_key: &form.key,
        expected_sequence: form.sequence.trim().parse().unwrap_or(-1),
    };
    booking::move_to(
        &services.db,
        &services.municipality,
        &request,
        Timestamp::now(),
    )
    .await
    .map_err(|error| refused().because(&error))?;
    Ok(see_other(
        Notice::Moved.on(&paths::appointment(&appointment.id)),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct KeyForm {
    /// Sent twice (a double tap), the form does its work once.
    pub(crate) key: String,
}

/// POST /afspraken/{id}/annuleren: cancel (the link in a message leads to the confirm page, never here).
pub async fn cancel(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path(id): Path<String>,
    PageForm(form): PageForm<KeyForm>,
) -> Result<Response, PageError> {
    let appointment = owned(&state, &principal, Action::Change, &id).await?;
    let services = &state.services;
    booking::cancel(
        &services.db,
        &services.municipality,
        &appointment.id,
        &form.key,
        Timestamp::now(),
    )
    .await
    .map_err(|error| {
        Refused::form(FormId::Cancel)
            .at(paths::appointment_cancel(&appointment.id))
            .because(&error)
    })?;
    Ok(see_other(
        Notice::Cancelled.on(&paths::appointment(&appointment.id)),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RemindersForm {
    /// One checkbox per reminder to keep.
    reminder: Vec<String>,
}

/// POST /afspraken/{id}/herinneringen: the reminders to keep.
pub async fn reminders(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path(id): Path<String>,
    PageForm(form): PageForm<RemindersForm>,
) -> Result<Response, PageError> {
    let appointment = owned(&state, &principal, Action::Change, &id).await?;
    let chosen: Vec<Reminder> = form
        .reminder
        .iter()
        .filter_map(|r| Reminder::parse(r))
        .collect();
    let services = &state.services;
    booking::set_reminders(
        &services.db,
        &services.municipality,
        &appointment.id,
        &chosen,
        Timestamp::now(),
    )
    .await
    .map_err(|error| {
        Refused::form(FormId::Reminders)
            .at(paths::appointment(&appointment.id))
            .because(&error)
    })?;
    Ok(see_other(
        Notice::Reminders.on(&paths::appointment(&appointment.id)),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LinkForm {
    dag: String,
    maand: String,
    jaar: String,
    /// Present when she answers with the code that was sent instead of her birth date.
    code: Option<String>,
}

/// POST /afspraak/{token}: the appointment link's second check, the birth date (`dag`, `maand`, `jaar`) or the
/// `code` that was sent. The right answer starts a session for that one appointment and opens its card;
/// anything else shows the form again with the reason (nothing is changed; five wrong answers block the link).
pub async fn open_link(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    old_session: Option<Extension<SessionToken>>,
    Path(token): Path<String>,
    PageForm(form): PageForm<LinkForm>,
) -> Result<Response, PageError> {
    let cut = |value: &str| -> String { value.chars().take(8).collect() };
    let (refused, first) = match &form.code {
        Some(code) => (
            Refused::form(FormId::LinkCode).keeping(vec![(String::from("code"), cut(code))]),
            "code",
        ),
        None => (
            Refused::form(FormId::Link).keeping(vec![
                (String::from("dag"), cut(&form.dag)),
                (String::from("maand"), cut(&form.maand)),
                (String::from("jaar"), cut(&form.jaar)),
            ]),
            "dag",
        ),
    };
    let refused = refused.at(paths::appointment_link(&token));
    let lang = super::super::request_lang();
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let date = details::birth_date(&form.dag, &form.maand, &form.jaar).map(|d| d.to_string());
    let check = match (&form.code, &date) {
        (Some(code), _) if secrets::typed_six_digits(code).is_some() => SecondCheck::Code(code),
        (Some(_), _) => {
            let message = app::i18n::tr(lang, "link-refused-code-format");
            return Err(refused.saying(invalid, first, message));
        }
        (None, Some(date)) => SecondCheck::BirthDate(date),
        (None, None) => {
            let message = app::i18n::tr(lang, "appointment-refused-birth-date");
            return Err(refused.saying(invalid, first, message));
        }
    };
    let old_session = old_session.map(|Extension(SessionToken(old))| old);
    let opened = crate::web::json::identity::open_appointment_link(
        &state,
        &addr,
        old_session,
        &token,
        check,
        Timestamp::now(),
    )
    .await;
    let (appointment_id, cookie) = opened.map_err(|error| refused.because_on(first, &error))?;
    let mut response = see_other(paths::appointment(&appointment_id));
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// POST /afspraak/{token}/code: sends a (new) code for the link to where the appointment's confirmation went,
/// then shows the page with the code field; a refusal (too soon, too many, link not working) shows why.
pub async fn send_link_code(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let page = paths::appointment_link(&token);
    crate::web::json::identity::send_link_code(&state, &addr, &token, Timestamp::now())
        .await
        .map_err(|error| {
            Refused::form(FormId::LinkSend)
                .at(page.clone())
                .because_on("", &error)
        })?;
    Ok(see_other(page))
}
