//! Afspraken: the list, the appointment card, the booking steps (service → location → day → time), moving
//! and the cancel confirmation. All server-rendered: every step is a plain link or form, so it works by
//! keyboard, with a screen reader and without JavaScript; a GET never changes an appointment.

use super::documents::{upload_texts, DocumentList, DocumentUpload};
use super::{encode, error_notice, SignedOutPage};
use crate::api::{
    get_appointment, get_appointment_link, get_appointments, get_booking_step, ApiError,
    AppointmentCard, AppointmentLine, BookingQuery, BookingStep, DetailStep, FormProblem,
    LinkCheck, DETAIL_INPUTS,
};
use crate::i18n::{long_date, tr, tr_args, Lang};
use crate::pages::identity::use_viewer;
use crate::paths::{self, FormId, Notice};
use crate::shell::{use_lang, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn when(lang: Lang, line: &AppointmentLine) -> String {
    tr_args(
        lang,
        "appointment-when",
        &[
            ("date", &long_date(lang, &line.date)),
            ("time", &line.time),
            ("end", &line.end_time),
        ],
    )
}

#[component]
fn NotFound(lang: Lang) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=tr(lang, "appointment-not-found-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "appointment-not-found-title")}</h1>
        <p class="utrecht-paragraph">{tr(lang, "appointment-not-found-text")}</p>
        <a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::APPOINTMENTS>{tr(lang, "appointment-back")}</a>
    }
}

/// The signed-out card, or the page `show` makes once `data` arrived: the not-found page for `None`, a
/// notice when Loket could not fetch it.
fn loaded<T>(
    lang: Lang,
    data: Resource<Result<Option<T>, ApiError>>,
    show: fn(Lang, T) -> AnyView,
) -> AnyView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    view! {
        <Suspense fallback=|| ()>
            {move || data.get().map(|result| match result {
                Ok(Some(value)) => show(lang, value),
                Ok(None) => view! { <NotFound lang /> }.into_any(),
                Err(error) => error_notice(lang, &error),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
pub(super) fn AppointmentItem(
    lang: Lang,
    line: AppointmentLine,
    /// On the contact centre's card: the title is no link (the card page is the resident's own), and a
    /// button cancels it (form action, idempotency key).
    #[prop(optional, into)]
    staff_cancel: Option<(String, String)>,
    /// On the contact centre's card: where moving it on her behalf starts.
    #[prop(optional, into)]
    staff_move: Option<String>,
    /// On the contact centre's card: the details she gave while booking (field, value).
    #[prop(optional)]
    details: Vec<(String, String)>,
    /// On the staff card: the documents she sent for it (to open only for roles that see WHAT).
    #[prop(optional)]
    documents: Vec<crate::api::DocumentView>,
    /// On the staff card: the card's path, where a role that may open documents takes them into processing.
    #[prop(optional_no_strip)]
    take_for: Option<String>,
) -> impl IntoView {
    let staff = staff_cancel.is_some();
    let what = line.service.clone();
    let state = if line.cancelled {
        Some(tr(lang, "appointment-cancelled"))
    } else if line.past {
        Some(tr(lang, "appointment-past"))
    } else {
        None
    };
    view! {
        <li class="loket-case">
            <h3 class="loket-case__title">
                {if staff {
                    line.service.clone().into_any()
                } else {
                    view! { <a class="utrecht-link" href=paths::appointment(&line.id)>{line.service.clone()}</a> }.into_any()
                }}
            </h3>
            <p class="loket-case__status">{when(lang, &line)}</p>
            <p class="loket-case__meta">
                {state.map(|s| view! { <span class="loket-badge">{s}</span> " " })}
                <span>{line.location.clone()}</span>
            </p>
            {(!details.is_empty()).then(|| view! {
                <dl class="loket-given">
                    {details.into_iter().map(|(field, value)| view! {
                        <dt>{tr(lang, &format!("staff-detail-{field}"))}</dt>
                        <dd>{if field == "birth-date" { long_date(lang, &value) } else { value }}</dd>
                    }).collect_view()}
                </dl>
            })}
            {(!documents.is_empty()).then(|| view! {
                <p class="loket-case__meta">{tr(lang, "staff-card-documents")}</p>
                <DocumentList lang documents removable=false take_for />
            })}
            {staff_move.map(|href| view! {
                <p>
                    <a class="utrecht-button-link utrecht-button-link--secondary-action" href=href>
                        {tr(lang, "appointment-move")}<span class="loket-visually-hidden">": " {line.service.clone()}</span>
                    </a>
                </p>
            })}
            {staff_cancel.map(|(action, key)| view! {
                <form method="post" action=action>
                    <input type="hidden" name="key" value=key />
                    <CsrfField />
                    <button class="utrecht-button utrecht-button--secondary-action" type="submit">
                        {tr(lang, "appointment-cancel")}<span class="loket-visually-hidden">": " {what}</span>
                    </button>
                </form>
            })}
        </li>
    }
}

/// `/afspraken`: coming appointments first, then those that are over or cancelled.
#[component]
pub fn AppointmentsPage() -> impl IntoView {
    let lang = use_lang();
    if use_viewer().signed_in.is_none() {
        return signed_out();
    }
    let list = Resource::new_blocking(|| (), |_| get_appointments());
    // Acting for her company: only what she booked for it, and the page says so.
    let acting_for = use_viewer()
        .signed_in
        .and_then(|s| s.acting_as)
        .map(|(_, organisation)| organisation);
    view! {
        <Title text=tr(lang, "appointments-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "appointments-title")}</h1>
        {acting_for.map(|organisation| view! {
            <p class="loket-notice">{tr_args(lang, "appointments-acting-for", &[("organisation", &organisation)])}</p>
        })}
        <p><a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::BOOK>{tr(lang, "appointment-make")}</a></p>
        <Suspense fallback=|| ()>
            {move || list.get().map(|result| match result {
                Ok(Some(lines)) => {
                    let (coming, other): (Vec<_>, Vec<_>) =
                        lines.into_iter().partition(|l| !l.cancelled && !l.past);
                    let coming_view = if coming.is_empty() {
                        view! { <p class="utrecht-paragraph">{tr(lang, "overview-appointment-none")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="loket-case-list">
                                {coming.into_iter().map(|line| view! { <AppointmentItem lang line /> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    };
                    view! {
                        <section class="loket-card" aria-labelledby="appointments-coming">
                            <h2 id="appointments-coming" class="utrecht-heading-2">{tr(lang, "appointments-coming")}</h2>
                            {coming_view}
                        </section>
                        {(!other.is_empty()).then(|| view! {
                            <section class="loket-card" aria-labelledby="appointments-other">
                                <h2 id="appointments-other" class="utrecht-heading-2">{tr(lang, "appointments-other")}</h2>
                                <ul class="loket-case-list">
                                    {other.into_iter().map(|line| view! { <AppointmentItem lang line /> }).collect_view()}
                                </ul>
                            </section>
                        })}
                    }
                    .into_any()
                }
                Ok(None) => view! { <SignedOutPage title_key="appointments-title" text_key="appointments-signed-out" /> }.into_any(),
                Err(error) => error_notice(lang, &error),
            })}
        </Suspense>
    }
    .into_any()
}

/// Whether the visitor may try to open appointment `id`: signed in (the server still checks it is theirs),
/// or holding an appointment-link session for exactly this appointment.
fn may_open(id: &str) -> bool {
    let viewer = use_viewer();
    viewer.signed_in.is_some() || viewer.appointment_link.as_deref() == Some(id)
}

fn signed_out() -> AnyView {
    view! { <SignedOutPage title_key="appointments-title" text_key="appointments-signed-out" /> }
        .into_any()
}

fn id_param() -> String {
    use_params_map()
        .get_untracked()
        .get("id")
        .unwrap_or_default()
}

/// `/afspraken/{id}`: the appointment card.
#[component]
pub fn AppointmentPage() -> impl IntoView {
    let lang = use_lang();
    if !may_open(&id_param()) {
        // Often opened later from her calendar (the event's link): say how to open it.
        return view! { <SignedOutPage title_key="appointments-title" text_key="appointment-signed-out" /> }
            .into_any();
    }
    let id = id_param();
    let card = Resource::new_blocking(move || id.clone(), get_appointment);
    loaded(lang, card, |lang, card| {
        view! { <Card lang card /> }.into_any()
    })
}

#[component]
fn Card(lang: Lang, card: AppointmentCard) -> impl IntoView {
    let municipality = crate::shell::use_municipality();
    let signed_in = use_viewer().signed_in.is_some();
    let line = card.line.clone();
    let id = line.id.clone();
    let notice = super::notice().and_then(|done| match done {
        Notice::Booked => Some("appointment-done-booked"),
        Notice::Moved => Some("appointment-done-moved"),
        Notice::Cancelled => Some("appointment-done-cancelled"),
        Notice::Reminders => Some("appointment-done-reminders"),
        Notice::DocumentSent => Some("documents-done-sent"),
        Notice::DocumentRemoved => Some("documents-done-removed"),
        _ => None,
    });
    let problem = use_context::<FormProblem>().filter(|p| p.form == FormId::Reminders);
    let titles: Vec<String> = card.bring.iter().map(|item| item.text.clone()).collect();
    let changeable = !line.cancelled && !line.past;
    let place = card.place.clone();
    let access: Vec<&'static str> = [
        (place.wheelchair, "place-wheelchair"),
        (place.hearing_loop, "place-hearing-loop"),
        (place.quiet_room, "place-quiet-room"),
    ]
    .into_iter()
    .filter_map(|(on, key)| on.then_some(key))
    .collect();
    let bring = card
        .bring
        .iter()
        .map(|item| {
            view! {
                <li class="loket-bring__item">
                    {item.picture.clone().map(|src| view! {
                        // The text next to it says what it shows.
                        <img class="loket-bring__picture" src=src alt="" width="96" height="64" />
                    })}
                    <span>{item.text.clone()}</span>
                </li>
            }
        })
        .collect_view();
    let reminders = card
        .reminders
        .iter()
        .map(|(code, on)| {
            let input = format!("reminder-{code}");
            view! {
                <div class="utrecht-form-field utrecht-form-field--checkbox">
                    <input class="utrecht-checkbox" type="checkbox" name="reminder" id=input.clone() value=code.clone() checked=*on />
                    <label class="utrecht-form-label utrecht-form-label--checkbox" for=input>{tr(lang, &format!("reminder-{code}"))}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <Title text=line.service.clone() />
        {notice.map(|key| view! { <p class="loket-notice" role="status">{tr(lang, key)}</p> })}
        <h1 class="utrecht-heading-1">{line.service.clone()}</h1>
        {line.cancelled.then(|| view! { <p><span class="loket-badge">{tr(lang, "appointment-cancelled")}</span></p> })}
        {card.by_contact_centre.then(|| view! { <p class="utrecht-paragraph">{tr(lang, "appointment-by-contact-centre")}</p> })}
        // The service worker keeps a page with this mark for offline use (and only such a page).
        <section class="loket-card" aria-labelledby="appointment-when" data-loket-offline="card">
            <h2 id="appointment-when" class="utrecht-heading-2">{tr(lang, "appointment-when-title")}</h2>
            <p class="loket-appointment__when">{when(lang, &line)}</p>
            {(!line.cancelled).then(|| view! {
                <p><a class="utrecht-link" href=paths::appointment_calendar(&id)>{tr(lang, "appointment-calendar")}</a></p>
            })}
        </section>
        <section class="loket-card" aria-labelledby="appointment-where">
            <h2 id="appointment-where" class="utrecht-heading-2">{tr(lang, "appointment-where-title")}</h2>
            <p class="utrecht-paragraph">{place.name.clone()}<br />{place.street.clone()}<br />{place.postcode_city.clone()}</p>
            {(!place.route.is_empty()).then(|| view! { <p class="utrecht-paragraph">{place.route.clone()}</p> })}
            {(!access.is_empty()).then(|| view! {
                <ul class="loket-access">{access.into_iter().map(|key| view! { <li>{tr(lang, key)}</li> }).collect_view()}</ul>
            })}
            {place.map_url.clone().map(|url| view! {
                <p><a class="utrecht-link" href=url rel="noopener noreferrer">{tr(lang, "place-map")}</a></p>
            })}
        </section>
        {(!card.bring.is_empty()).then(|| view! {
            <section class="loket-card" aria-labelledby="appointment-bring">
                <h2 id="appointment-bring" class="utrecht-heading-2">{tr(lang, "appointment-bring-title")}</h2>
                <ul class="loket-bring">{bring}</ul>
            </section>
        })}
        {(card.uploads_open || !card.documents.is_empty()).then(|| view! {
            <section class="loket-card" id="documenten" aria-labelledby="appointment-documents">
                <h2 id="appointment-documents" class="utrecht-heading-2">{tr(lang, "documents-appointment-title")}</h2>
                {if card.documents.is_empty() {
                    view! { <p class="utrecht-paragraph">{tr(lang, "documents-appointment-none")}</p> }.into_any()
                } else {
                    view! { <DocumentList lang documents=card.documents.clone() removable=card.documents_removable /> }.into_any()
                }}
                {card.uploads_open.then(|| view! {
                    <p class="utrecht-paragraph">{tr(lang, "documents-appointment-intro")}</p>
                    <DocumentUpload start=paths::appointment_documents(&id) done=format!("{}#documenten", Notice::DocumentSent.on(&paths::appointment(&id))) titles=titles.clone() max_bytes=card.upload_max_bytes texts=upload_texts(lang, card.upload_max_bytes) />
                })}
            </section>
        }.into_any())}
        {(!card.tips.is_empty()).then(|| view! {
            <section class="loket-card" aria-labelledby="appointment-tips">
                <h2 id="appointment-tips" class="utrecht-heading-2">{tr(lang, "appointment-tips-title")}</h2>
                <p class="utrecht-paragraph">{card.tips.clone()}</p>
            </section>
        })}
        {changeable.then(|| view! {
            <section class="loket-card" aria-labelledby="appointment-reminders">
                <h2 id="appointment-reminders" class="utrecht-heading-2">{tr(lang, "appointment-reminders-title")}</h2>
                <form method="post" action=paths::appointment_reminders(&id)>
                    <fieldset class="utrecht-form-fieldset">
                        <legend class="utrecht-form-fieldset__legend">{tr(lang, "appointment-reminders-legend")}</legend>
                        {problem.map(|p| view! { <p class="utrecht-form-field-error-message" role="alert">{p.message}</p> })}
                        {reminders}
                    </fieldset>
                    <CsrfField />
                    <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "appointment-reminders-save")}</button>
                </form>
            </section>
            <section class="loket-card" aria-labelledby="appointment-checkin">
                <h2 id="appointment-checkin" class="utrecht-heading-2">{tr(lang, "appointment-checkin-title")}</h2>
                <p class="utrecht-paragraph">{tr(lang, "appointment-checkin-text")}</p>
                <div class="loket-qr" role="img" aria-label=tr_args(lang, "appointment-checkin-qr", &[("code", &card.checkin_code)]) inner_html=card.checkin_qr.clone()></div>
                <p class="loket-qr__code">{card.checkin_code.clone()}</p>
            </section>
            <section class="loket-card" aria-labelledby="appointment-change">
                <h2 id="appointment-change" class="utrecht-heading-2">{tr(lang, "appointment-change-title")}</h2>
                <p class="loket-actions">
                    <a class="utrecht-button-link utrecht-button-link--secondary-action" href=paths::appointment_move(&id)>{tr(lang, "appointment-move")}</a>
                    " "
                    <a class="utrecht-button-link utrecht-button-link--secondary-action" href=paths::appointment_cancel(&id)>{tr(lang, "appointment-cancel")}</a>
                </p>
            </section>
        })}
        {line.cancelled.then(|| view! {
            <section class="loket-card" aria-labelledby="appointment-again">
                <h2 id="appointment-again" class="utrecht-heading-2">{tr(lang, "appointment-again-title")}</h2>
                <p class="utrecht-paragraph">
                    {tr(lang, "appointment-again-call")} " "
                    <a class="utrecht-link" href=format!("tel:{}", municipality.phone.replace(' ', ""))>{municipality.phone.clone()}</a>
                    "."
                </p>
                {signed_in.then(|| view! {
                    <a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::BOOK>{tr(lang, "appointment-make")}</a>
                })}
            </section>
        })}
        // With only the appointment link she has no list of appointments to go back to.
        {signed_in.then(|| view! { <p><a class="utrecht-link" href=crate::paths::APPOINTMENTS>{tr(lang, "appointment-back")}</a></p> })}
    }
}

/// `/afspraken/{id}/annuleren`: asks first; only the POST of this page cancels.
#[component]
pub fn CancelPage() -> impl IntoView {
    let lang = use_lang();
    if !may_open(&id_param()) {
        return signed_out();
    }
    let id = id_param();
    let card = Resource::new_blocking(move || id.clone(), get_appointment);
    loaded(lang, card, |lang, card| {
        view! { <CancelView lang card /> }.into_any()
    })
}

#[component]
fn CancelView(lang: Lang, card: AppointmentCard) -> impl IntoView {
    let line = card.line.clone();
    let problem = use_context::<FormProblem>().filter(|p| p.form == FormId::Cancel);
    view! {
            <Title text=tr(lang, "appointment-cancel-title") />
            <h1 class="utrecht-heading-1">{tr(lang, "appointment-cancel-title")}</h1>
            <p class="utrecht-paragraph"><strong>{line.service.clone()}</strong><br />{when(lang, &line)}<br />{line.location.clone()}</p>
            {problem.map(|p| view! { <p class="loket-notice" role="alert">{p.message}</p> })}
            {if line.cancelled {
                view! { <p class="utrecht-paragraph">{tr(lang, "appointment-done-cancelled")}</p> }.into_any()
            } else {
                view! {
                    <p class="utrecht-paragraph">{tr(lang, "appointment-cancel-text")}</p>
                    <form method="post" action=paths::appointment_cancel(&line.id)>
                        <input type="hidden" name="key" value=card.key.clone() />
                        <CsrfField />
                        <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "appointment-cancel-confirm")}</button>
                    </form>
                }.into_any()
            }}
            <p><a class="utrecht-link" href=paths::appointment(&line.id)>{tr(lang, "appointment-cancel-keep")}</a></p>
        }
        .into_any()
}

fn query() -> BookingQuery {
    let query = use_query_map().get_untracked();
    let get = |k: &str| query.get(k).filter(|v| !v.is_empty());
    BookingQuery {
        service: get("dienst"),
        location: get("locatie"),
        day: get("dag"),
        appointment: None,
        person: None,
    }
}

/// `/medewerkers/inwoners/{id}/afspraak-maken`: the contact centre books for a resident, with the same steps.
#[component]
pub fn StaffBookingPage() -> impl IntoView {
    let lang = use_lang();
    if !use_viewer().signed_in.as_ref().is_some_and(|s| s.staff) {
        return view! { <SignedOutPage title_key="staff-title" text_key="staff-only" /> }
            .into_any();
    }
    let mut q = query();
    q.person = Some(id_param());
    let step = Resource::new_blocking(move || q.clone(), get_booking_step);
    loaded(lang, step, |lang, step| {
        view! { <Steps lang step /> }.into_any()
    })
}

/// `/medewerkers/inwoners/{id}/afspraken/{appointment}/verzetten`: the contact centre moves one of her
/// appointments, with the same steps (and the seats kept for the contact centre).
#[component]
pub fn StaffMovePage() -> impl IntoView {
    let lang = use_lang();
    if !use_viewer().signed_in.as_ref().is_some_and(|s| s.staff) {
        return view! { <SignedOutPage title_key="staff-title" text_key="staff-only" /> }
            .into_any();
    }
    let params = use_params_map().get_untracked();
    let mut q = query();
    q.person = params.get("id");
    q.appointment = params.get("appointment");
    let step = Resource::new_blocking(move || q.clone(), get_booking_step);
    loaded(lang, step, |lang, step| {
        view! { <Steps lang step /> }.into_any()
    })
}

/// `/afspraak-maken`: the booking steps.
#[component]
pub fn BookingPage() -> impl IntoView {
    let lang = use_lang();
    if use_viewer().signed_in.is_none() {
        return view! { <SignedOutPage title_key="appointment-make" text_key="appointments-signed-out" /> }
            .into_any();
    }
    let step = Resource::new_blocking(query, get_booking_step);
    loaded(lang, step, |lang, step| {
        view! { <Steps lang step /> }.into_any()
    })
}

/// `/afspraken/{id}/verzetten`: the same steps for another time of the same appointment.
#[component]
pub fn MovePage() -> impl IntoView {
    let lang = use_lang();
    if !may_open(&id_param()) {
        return signed_out();
    }
    let mut q = query();
    q.appointment = Some(id_param());
    let step = Resource::new_blocking(move || q.clone(), get_booking_step);
    loaded(lang, step, |lang, step| {
        view! { <Steps lang step /> }.into_any()
    })
}

/// One text box of the details step, with its refusal (if it is about this box) announced next to it.
fn detail_input(
    lang: Lang,
    name: &'static str,
    label_key: &'static str,
    kind: (&'static str, &'static str),
    hint_key: Option<&'static str>,
    problem: Option<&FormProblem>,
) -> impl IntoView {
    let (input_type, autocomplete) = kind;
    let id = format!("booking-{name}");
    let hint_id = hint_key.map(|_| format!("{id}-hint"));
    let error = problem
        .filter(|p| p.field == name)
        .map(|p| p.message.clone());
    let error_id = error.as_ref().map(|_| format!("{id}-error"));
    let described = [hint_id.clone(), error_id.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let value = problem.and_then(|p| p.value(name)).unwrap_or_default();
    view! {
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for=id.clone()>{tr(lang, label_key)}</label>
            {hint_key.map(|key| view! { <p class="utrecht-form-field-description" id=hint_id.clone()>{tr(lang, key)}</p> })}
            {error.map(|message| view! { <p class="utrecht-form-field-error-message" id=error_id.clone() role="alert">{message}</p> })}
            <input class="utrecht-textbox" id=id name=name type=input_type autocomplete=autocomplete required=true
                value=value aria-invalid=error_id.as_ref().map(|_| "true")
                aria-describedby=(!described.is_empty()).then_some(described) />
        </div>
    }
}

/// A detail the service needs: what Loket knows is shown (not asked again), the rest is a form field.
fn detail_field(lang: Lang, detail: &DetailStep, problem: Option<&FormProblem>) -> AnyView {
    let what = match detail.field.as_str() {
        "phone" => "booking-detail-phone",
        "email" => "booking-detail-email",
        "birth-date" => "booking-detail-birth-date",
        _ => "booking-detail-postal-address",
    };
    if let Some(known) = &detail.known {
        return view! {
            <p class="utrecht-paragraph">{tr_args(lang, "booking-detail-known", &[("what", &tr(lang, what)), ("value", known)])}</p>
        }
        .into_any();
    }
    match detail.field.as_str() {
        "phone" => detail_input(lang, "telefoon", what, ("tel", "tel"), Some("booking-detail-phone-hint"), problem).into_any(),
        "email" => detail_input(lang, "email", what, ("email", "email"), None, problem).into_any(),
        "birth-date" => view! {
            <fieldset class="utrecht-form-fieldset">
                <legend class="utrecht-form-fieldset__legend">{tr(lang, what)}</legend>
                <p class="utrecht-form-field-description">{tr(lang, "appointment-link-hint")}</p>
                <div class="loket-date-fields">
                    {detail_input(lang, "geboortedag", "appointment-link-day", ("text", "bday-day"), None, problem)}
                    {detail_input(lang, "geboortemaand", "appointment-link-month", ("text", "bday-month"), None, problem)}
                    {detail_input(lang, "geboortejaar", "appointment-link-year", ("text", "bday-year"), None, problem)}
                </div>
            </fieldset>
        }
        .into_any(),
        _ => view! {
            <fieldset class="utrecht-form-fieldset">
                <legend class="utrecht-form-fieldset__legend">{tr(lang, what)}</legend>
                {detail_input(lang, "postcode", "booking-detail-postcode", ("text", "postal-code"), Some("booking-detail-postcode-hint"), problem)}
                {detail_input(lang, "huisnummer", "booking-detail-house-number", ("text", "off"), None, problem)}
            </fieldset>
        }
        .into_any(),
    }
}

/// One radio button of a choice list.
fn radio(name: &'static str, value: String, label: String, checked: bool) -> impl IntoView {
    let id = format!("{name}-{}", encode(&value).replace('%', "_"));
    view! {
        <div class="utrecht-form-field utrecht-form-field--radio">
            <input class="utrecht-radio-button" type="radio" name=name id=id.clone() value=value checked=checked required=true />
            <label class="utrecht-form-label utrecht-form-label--radio" for=id>{label}</label>
        </div>
    }
}

#[component]
fn Steps(lang: Lang, step: BookingStep) -> impl IntoView {
    // The same steps read by an employee booking for someone: staff wording ("Waarvoor komt de inwoner?")
    // where the catalogue has it, never the resident's own ("Bel ons").
    let staff_wording = step.for_person.is_some();
    let say = move |key: &str| {
        let staff_key = format!("staff-{key}");
        if staff_wording && crate::i18n::has(lang, &staff_key) {
            tr(lang, &staff_key)
        } else {
            tr(lang, key)
        }
    };
    let moving = step.moving.clone();
    // The contact centre books under the resident's card; everything else is the resident's own page.
    let for_person = step.for_person.clone();
    let new_base = match &for_person {
        Some((id, _)) => paths::staff_book(id),
        None => String::from("/afspraak-maken"),
    };
    // Moving on her behalf happens under her card too.
    let move_base = |line: &AppointmentLine| match &for_person {
        Some((id, _)) => format!(
            "/medewerkers/inwoners/{}/afspraken/{}/verzetten",
            encode(id),
            encode(&line.id)
        ),
        None => paths::appointment_move(&line.id),
    };
    let (base, title) = match (&moving, &for_person) {
        (Some(line), _) => (move_base(line), tr(lang, "appointment-move-title")),
        (None, Some((_, name))) => (
            new_base.clone(),
            tr_args(lang, "staff-booking-title", &[("name", name)]),
        ),
        (None, None) => (new_base.clone(), tr(lang, "appointment-make")),
    };
    let back = match &for_person {
        Some((id, _)) => (paths::staff_resident(id), "staff-back-to-card"),
        None => (String::from("/afspraken"), "appointment-back"),
    };
    let service = step.service.clone();
    let location = step.location.clone();
    let link = |day: Option<&str>| {
        let mut href = format!("{base}?");
        if moving.is_none() {
            if let Some(s) = &service {
                href.push_str(&format!("dienst={}&", encode(&s.value)));
            }
            if let Some(l) = &location {
                href.push_str(&format!("locatie={}&", encode(&l.value)));
            }
        }
        if let Some(day) = day {
            href.push_str(&format!("dag={}", encode(day)));
        }
        href.trim_end_matches(['&', '?']).to_owned()
    };
    let problem =
        use_context::<FormProblem>().filter(|p| matches!(p.form, FormId::Book | FormId::Move));

    // 1. Service (fixed when moving).
    let service_step = match (&moving, &service) {
        (Some(_), _) => None,
        (None, Some(chosen)) => Some(view! {
            <section class="loket-card" aria-labelledby="step-service">
                <h2 id="step-service" class="utrecht-heading-2">{say("booking-service")}</h2>
                <p class="utrecht-paragraph"><strong>{chosen.label.clone()}</strong> " "
                    <a class="utrecht-link" href=new_base.clone()>{say("booking-change")}<span class="loket-visually-hidden">" " {say("booking-service")}</span></a></p>
            </section>
        }.into_any()),
        (None, None) => Some(view! {
            <section class="loket-card" aria-labelledby="step-service">
                <h2 id="step-service" class="utrecht-heading-2">{say("booking-service")}</h2>
                <form method="get" action=new_base.clone()>
                    <fieldset class="utrecht-form-fieldset">
                        <legend class="utrecht-form-fieldset__legend">{say("booking-service-legend")}</legend>
                        {step.services.iter().map(|c| radio("dienst", c.value.clone(), c.label.clone(), false)).collect_view()}
                    </fieldset>
                    <button class="utrecht-button utrecht-button--primary-action" type="submit">{say("booking-next")}</button>
                </form>
                <p class="utrecht-paragraph">{say("booking-phone-only")}</p>
            </section>
        }.into_any()),
    };
    // 2. Location.
    let location_step = service.as_ref().map(|chosen_service| match (&moving, &location) {
        (Some(_), Some(chosen)) | (None, Some(chosen)) if moving.is_some() || step.locations.len() <= 1 => view! {
            <section class="loket-card" aria-labelledby="step-location">
                <h2 id="step-location" class="utrecht-heading-2">{say("booking-location")}</h2>
                <p class="utrecht-paragraph"><strong>{chosen.label.clone()}</strong></p>
            </section>
        }.into_any(),
        (_, Some(chosen)) => view! {
            <section class="loket-card" aria-labelledby="step-location">
                <h2 id="step-location" class="utrecht-heading-2">{say("booking-location")}</h2>
                <p class="utrecht-paragraph"><strong>{chosen.label.clone()}</strong> " "
                    <a class="utrecht-link" href=format!("{new_base}?dienst={}", encode(&chosen_service.value))>{say("booking-change")}<span class="loket-visually-hidden">" " {say("booking-location")}</span></a></p>
            </section>
        }.into_any(),
        (_, None) => view! {
            <section class="loket-card" aria-labelledby="step-location">
                <h2 id="step-location" class="utrecht-heading-2">{say("booking-location")}</h2>
                <form method="get" action=new_base.clone()>
                    <input type="hidden" name="dienst" value=chosen_service.value.clone() />
                    <fieldset class="utrecht-form-fieldset">
                        <legend class="utrecht-form-fieldset__legend">{say("booking-location-legend")}</legend>
                        {step.locations.iter().map(|c| radio("locatie", c.value.clone(), c.label.clone(), false)).collect_view()}
                    </fieldset>
                    <button class="utrecht-button utrecht-button--primary-action" type="submit">{say("booking-next")}</button>
                </form>
            </section>
        }.into_any(),
    });
    // 3. Day: links, so each day is one keyboard stop and a screen reader hears the full date.
    let day_step = location.as_ref().map(|_| match &step.day {
        Some(day) => view! {
            <section class="loket-card" aria-labelledby="step-day">
                <h2 id="step-day" class="utrecht-heading-2">{say("booking-day")}</h2>
                <p class="utrecht-paragraph"><strong>{long_date(lang, day)}</strong> " "
                    <a class="utrecht-link" href=link(None)>{say("booking-other-day")}</a></p>
            </section>
        }.into_any(),
        None if step.days.is_empty() => view! {
            <section class="loket-card" aria-labelledby="step-day">
                <h2 id="step-day" class="utrecht-heading-2">{say("booking-day")}</h2>
                <p class="utrecht-paragraph">{say("booking-no-days")}</p>
            </section>
        }.into_any(),
        None => view! {
            <section class="loket-card" aria-labelledby="step-day">
                <h2 id="step-day" class="utrecht-heading-2">{say("booking-day")}</h2>
                // By calendar week, each under its own heading (a screen reader jumps week to week).
                {step.weeks.iter().map(|(monday, days)| {
                    let heading = format!("week-{monday}");
                    let labelled_by = heading.clone();
                    view! {
                        <section class="loket-week" aria-labelledby=labelled_by>
                            <h3 id=heading class="utrecht-heading-3 loket-week__title">
                                {tr_args(lang, "booking-week", &[("date", &long_date(lang, monday))])}
                            </h3>
                            <ul class="loket-days">
                                {days.iter().map(|day| view! {
                                    <li><a class="utrecht-link loket-days__day" href=link(Some(day))>{crate::i18n::long_date_with_weekday(lang, day)}</a></li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                }).collect_view()}
            </section>
        }.into_any(),
    });
    // 4. Time and confirm: the only POST.
    let time_step = step.day.as_ref().map(|day| {
        let (action, confirm_key) = match &moving {
            Some(line) => (move_base(line), "booking-confirm-move"),
            None => (new_base.clone(), "booking-confirm"),
        };
        let staff = for_person.is_some();
        let new_value = |name: &str| problem.as_ref().and_then(|p| p.value(name)).unwrap_or_default();
        let new_error = problem
            .as_ref()
            .filter(|p| p.field == "nieuw-adres")
            .map(|p| p.message.clone());
        // A refused detail is shown at its field; anything else (a taken time) at the times.
        let time_problem = problem
            .clone()
            .filter(|p| !DETAIL_INPUTS.contains(&p.field.as_str()));
        let error_id = time_problem.as_ref().map(|_| "booking-time-error");
        let typed = |name: &str| problem.as_ref().and_then(|p| p.value(name)).unwrap_or_default();
        let (chosen_start, chosen_channel) = (typed("start"), typed("kanaal"));
        view! {
            <section class="loket-card" aria-labelledby="step-time">
                <h2 id="step-time" class="utrecht-heading-2">{say("booking-time")}</h2>
                {if step.times.is_empty() {
                    view! { <p class="utrecht-paragraph">{say("booking-no-times")}</p> }.into_any()
                } else {
                    view! {
                        <form method="post" action=action>
                            <fieldset class="utrecht-form-fieldset" aria-describedby=error_id>
                                <legend class="utrecht-form-fieldset__legend">{tr_args(lang, "booking-time-legend", &[("date", &long_date(lang, day))])}</legend>
                                {time_problem.clone().map(|p| view! { <p class="utrecht-form-field-error-message" id="booking-time-error" role="alert">{p.message}</p> })}
                                <div class="loket-times">
                                    {step.times.iter().map(|c| radio("start", c.value.clone(), c.label.clone(), c.value == chosen_start)).collect_view()}
                                </div>
                            </fieldset>
                            {(!step.details.is_empty()).then(|| view! {
                                <fieldset class="utrecht-form-fieldset">
                                    <legend class="utrecht-form-fieldset__legend">{say("booking-details-legend")}</legend>
                                    <p class="utrecht-paragraph">{say("booking-details-text")}</p>
                                    {step.details.iter().map(|d| detail_field(lang, d, problem.as_ref())).collect_view()}
                                </fieldset>
                            })}
                            {moving.is_none().then(|| view! {
                                <fieldset class="utrecht-form-fieldset">
                                    <legend class="utrecht-form-fieldset__legend">{say("booking-channel-legend")}</legend>
                                    {radio("kanaal", String::new(), say("booking-channel-usual"), chosen_channel.is_empty())}
                                    {step.channels.iter().map(|c| radio("kanaal", c.value.clone(), c.label.clone(), c.value == chosen_channel)).collect_view()}
                                    {staff.then(|| view! {
                                        {new_error.clone().map(|message| view! { <p class="utrecht-form-field-error-message" id="booking-new-error" role="alert">{message}</p> })}
                                        {radio("kanaal", String::from("nieuw-sms"), tr(lang, "staff-channel-new-sms"), chosen_channel == "nieuw-sms")}
                                        <div class="utrecht-form-field loket-indent">
                                            <label class="utrecht-form-label" for="booking-nieuw-sms">{tr(lang, "staff-channel-new-sms-number")}</label>
                                            <input class="utrecht-textbox" id="booking-nieuw-sms" name="nieuw-sms" type="tel" autocomplete="off"
                                                value=new_value("nieuw-sms") aria-describedby=new_error.as_ref().map(|_| "booking-new-error") />
                                        </div>
                                        {radio("kanaal", String::from("nieuw-email"), tr(lang, "staff-channel-new-email"), chosen_channel == "nieuw-email")}
                                        <div class="utrecht-form-field loket-indent">
                                            <label class="utrecht-form-label" for="booking-nieuw-email">{tr(lang, "staff-channel-new-email-address")}</label>
                                            <input class="utrecht-textbox" id="booking-nieuw-email" name="nieuw-email" type="email" autocomplete="off"
                                                value=new_value("nieuw-email") aria-describedby=new_error.as_ref().map(|_| "booking-new-error") />
                                        </div>
                                    })}
                                </fieldset>
                            })}
                            <input type="hidden" name="service" value=service.as_ref().map(|s| s.value.clone()).unwrap_or_default() />
                            <input type="hidden" name="location" value=location.as_ref().map(|l| l.value.clone()).unwrap_or_default() />
                            <input type="hidden" name="day" value=day.clone() />
                            <input type="hidden" name="key" value=step.key.clone() />
                            <input type="hidden" name="sequence" value=step.sequence.to_string() />
                            <CsrfField />
                            <p class="utrecht-paragraph">{say("booking-confirm-text")}</p>
                            <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, confirm_key)}</button>
                        </form>
                    }.into_any()
                }}
            </section>
        }
    });
    view! {
        <Title text=title.clone() />
        <h1 class="utrecht-heading-1">{title.clone()}</h1>
        {moving.clone().map(|line| view! {
            <p class="utrecht-paragraph">{tr_args(lang, "booking-moving", &[("service", &line.service), ("when", &when(lang, &line))])}</p>
        })}
        {problem.clone().filter(|_| step.day.is_none()).map(|p| view! { <p class="loket-notice" role="alert">{p.message}</p> })}
        {service_step}
        {location_step}
        {day_step}
        {time_step}
        <p><a class="utrecht-link" href=back.0>{tr(lang, back.1)}</a></p>
    }
}

/// `/afspraak/{token}`: the link from a message about an appointment the contact centre made. Someone without
/// an account opens that one appointment with a second check: their birth date when Loket knows it (day, month
/// and year as three fields, the accessible pattern for a known date), or a 6-digit code sent to where the
/// confirmation went. Only POSTs check or send anything; this GET shows the forms.
#[component]
pub fn AppointmentLinkPage() -> impl IntoView {
    let lang = use_lang();
    let token = use_params_map()
        .get_untracked()
        .get("token")
        .unwrap_or_default();
    let check = Resource::new_blocking(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_appointment_link,
    );
    view! {
        <Title text=tr(lang, "appointment-link-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "appointment-link-title")}</h1>
        <Suspense fallback=|| ()>
            {move || {
                let token = token.clone();
                check.get().map(move |result| match result {
                    Ok(Some(check)) => view! { <LinkForms lang token check /> }.into_any(),
                    Ok(None) => view! {
                        <p class="loket-notice" role="status">{tr(lang, "appointment-link-gone")}</p>
                    }.into_any(),
                    Err(error) => error_notice(lang, &error),
                })
            }}
        </Suspense>
        <p class="utrecht-paragraph">{tr(lang, "appointment-link-account")}" "<a class="utrecht-link" href=crate::paths::SIGN_IN>{tr(lang, "sign-in")}</a></p>
    }
}

/// The second checks a working link offers: the code form when a code is on its way, the birth date when
/// Loket knows it, and the button that sends a (new) code.
#[component]
fn LinkForms(lang: Lang, token: String, check: LinkCheck) -> impl IntoView {
    let action = paths::appointment_link(&token);
    let problem = use_context::<FormProblem>();
    let send_problem = problem.clone().filter(|p| p.form == FormId::LinkSend);
    let code_problem = problem.clone().filter(|p| p.form == FormId::LinkCode);
    // A refusal for a form this page does not show (the birth date on a link that opens by code, a code that
    // expired meanwhile) is shown on its own, above the forms.
    let orphan = problem.filter(|p| {
        (p.form == FormId::Link && !check.birth_date)
            || (p.form == FormId::LinkCode && !check.code_waiting)
    });
    let intro = match (check.birth_date, check.code_waiting) {
        (_, true) => "appointment-link-code-sent",
        (true, false) => "appointment-link-text",
        (false, false) => "appointment-link-code-text",
    };
    let code_form = check.code_waiting.then(|| {
        let invalid = code_problem.is_some().then_some("true");
        let described = if code_problem.is_some() {
            "link-code-hint link-code-error"
        } else {
            "link-code-hint"
        };
        let typed = code_problem
            .as_ref()
            .and_then(|p| p.value("code"))
            .unwrap_or_default();
        view! {
            <form method="post" action=action.clone()>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="link-code">{tr(lang, "appointment-link-code-label")}</label>
                    <p class="utrecht-form-field-description" id="link-code-hint">{tr(lang, "appointment-link-code-hint")}</p>
                    {code_problem.clone().map(|p| view! { <p class="utrecht-form-field-error-message" id="link-code-error" role="alert">{p.message}</p> })}
                    <input class="utrecht-textbox loket-code-6" id="link-code" name="code" type="text" inputmode="numeric"
                        autocomplete="one-time-code" maxlength="7" required=true value=typed
                        aria-invalid=invalid aria-describedby=described />
                </div>
                <CsrfField />
                <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "appointment-link-open")}</button>
            </form>
        }
    });
    let date_form = check
        .birth_date
        .then(|| view! { <BirthDateForm lang action=action.clone() /> });
    let (send_heading, send_text, send_button) = match (check.birth_date, check.code_waiting) {
        (_, true) => (
            None,
            "appointment-link-code-again-text",
            "appointment-link-code-again",
        ),
        (true, false) => (
            Some("appointment-link-code-instead"),
            "appointment-link-code-instead-text",
            "appointment-link-code-send",
        ),
        (false, false) => (
            None,
            "appointment-link-code-where",
            "appointment-link-code-send",
        ),
    };
    view! {
        {orphan.map(|p| view! { <p class="loket-notice" role="alert">{p.message}</p> })}
        <p class="utrecht-paragraph">{tr(lang, intro)}</p>
        {code_form}
        {date_form}
        <section class="loket-card" aria-labelledby=send_heading.map(|_| "link-send-title")>
            {send_heading.map(|key| view! { <h2 class="utrecht-heading-2" id="link-send-title">{tr(lang, key)}</h2> })}
            <p class="utrecht-paragraph">{tr(lang, send_text)}</p>
            {send_problem.map(|p| view! { <p class="loket-notice" role="alert">{p.message}</p> })}
            <form method="post" action=format!("{action}/code")>
                <CsrfField />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, send_button)}</button>
            </form>
        </section>
    }
}

/// The birth date as three fields (the accessible pattern for a known date), with what was typed kept.
#[component]
fn BirthDateForm(lang: Lang, action: String) -> impl IntoView {
    let problem = use_context::<FormProblem>().filter(|p| p.form == FormId::Link);
    let value = |name: &str| {
        problem
            .as_ref()
            .and_then(|p| p.value(name))
            .unwrap_or_default()
    };
    let (day, month, year) = (value("dag"), value("maand"), value("jaar"));
    let invalid = problem.is_some().then_some("true");
    let described = if problem.is_some() {
        "link-date-hint link-date-error"
    } else {
        "link-date-hint"
    };
    view! {
        <form method="post" action=action>
            <fieldset class="utrecht-form-fieldset" aria-describedby=described>
                <legend class="utrecht-form-fieldset__legend">{tr(lang, "appointment-link-legend")}</legend>
                <p class="utrecht-form-field-description" id="link-date-hint">{tr(lang, "appointment-link-hint")}</p>
                {problem.clone().map(|p| view! { <p class="utrecht-form-field-error-message" id="link-date-error" role="alert">{p.message}</p> })}
                <div class="loket-date-fields">
                    <div class="utrecht-form-field">
                        <label class="utrecht-form-label" for="link-dag">{tr(lang, "appointment-link-day")}</label>
                        <input class="utrecht-textbox loket-date-2" id="link-dag" name="dag" type="text" inputmode="numeric"
                            autocomplete="bday-day" maxlength="2" required=true value=day aria-invalid=invalid />
                    </div>
                    <div class="utrecht-form-field">
                        <label class="utrecht-form-label" for="link-maand">{tr(lang, "appointment-link-month")}</label>
                        <input class="utrecht-textbox loket-date-2" id="link-maand" name="maand" type="text" inputmode="numeric"
                            autocomplete="bday-month" maxlength="2" required=true value=month aria-invalid=invalid />
                    </div>
                    <div class="utrecht-form-field">
                        <label class="utrecht-form-label" for="link-jaar">{tr(lang, "appointment-link-year")}</label>
                        <input class="utrecht-textbox loket-date-4" id="link-jaar" name="jaar" type="text" inputmode="numeric"
                            autocomplete="bday-year" maxlength="4" required=true value=year aria-invalid=invalid />
                    </div>
                </div>
            </fieldset>
            <CsrfField />
            <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "appointment-link-open")}</button>
        </form>
    }
}
