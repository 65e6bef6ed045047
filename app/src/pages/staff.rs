//! Medewerkers: the contact centre's start page with the one search box. The search is a POST and its results
//! come back in that response only (what a caller says never goes into a URL); each person shown is written to
//! their activity log by the server.

use super::appointments::AppointmentItem;
use super::documents::DocumentList;
use super::messages::SentList;
use super::{encode, error_notice, SignedOutPage};
use crate::api::{
    contact_reason_key, contact_subject, get_staff_report, get_staff_resident, get_staff_today,
    CheckInResult, ContactLine, FormProblem, IssuedActivation, ReportRow, SearchHit, StaffCase,
    StaffResident, StaffSearch, CONTACT_CHANNELS, CONTACT_REASONS,
};
use crate::i18n::{long_date, tr, tr_args, Lang};
use crate::pages::identity::use_viewer;
use crate::paths::{self, Notice};
use crate::shell::{use_lang, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn StaffPage() -> impl IntoView {
    let lang = use_lang();
    let staff = use_viewer().signed_in.as_ref().is_some_and(|s| s.staff);
    if !staff {
        return view! {
            <Title text=tr(lang, "staff-title") />
            <h1 class="utrecht-heading-1">{tr(lang, "staff-title")}</h1>
            <p class="utrecht-paragraph">{tr(lang, "staff-only")}</p>
        }
        .into_any();
    }
    let admin = use_viewer().signed_in.as_ref().is_some_and(|s| s.admin);
    let search = use_context::<StaffSearch>();
    let searched = search.is_some();
    let search = search.unwrap_or_default();
    let problem = search.problem.clone();
    let described = if problem.is_some() {
        "zoek-hint zoek-error"
    } else {
        "zoek-hint"
    };
    let results = (searched && problem.is_none()).then(|| {
        let count = search.hits.len().to_string();
        view! {
            <section class="loket-card" aria-labelledby="staff-results">
                <h2 id="staff-results" class="utrecht-heading-2">{tr(lang, "staff-results")}</h2>
                <p class="utrecht-paragraph" role="status">{tr_args(lang, "staff-results-count", &[("count", &count)])}</p>
                <ul class="loket-hits">
                    {search.hits.iter().map(|hit| view! { <Hit lang hit=hit.clone() /> }).collect_view()}
                </ul>
            </section>
        }
    });
    // Not found (or not in the BRP): record her as she tells it. Shown after a search, and again when the
    // form came back refused.
    let caller_problem =
        use_context::<FormProblem>().filter(|p| p.form == crate::paths::FormId::NewCaller);
    let new_caller = (searched && problem.is_none() || caller_problem.is_some()).then(|| {
        view! { <NewCaller lang problem=caller_problem.clone() /> }
    });
    view! {
        <Title text=tr(lang, "staff-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "staff-title")}</h1>
        <section class="loket-card" aria-labelledby="staff-search">
            <h2 id="staff-search" class="utrecht-heading-2">{tr(lang, "staff-search")}</h2>
            <form method="post" action=crate::paths::STAFF>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="zoek">{tr(lang, "staff-search-label")}</label>
                    <p class="utrecht-form-field-description" id="zoek-hint">{tr(lang, "staff-search-hint")}</p>
                    {problem.clone().map(|message| view! { <p class="utrecht-form-field-error-message" id="zoek-error" role="alert">{message}</p> })}
                    <input class="utrecht-textbox" id="zoek" name="zoek" type="search" autocomplete="off" required=true
                        maxlength="100" value=search.query.clone() aria-describedby=described
                        aria-invalid=problem.as_ref().map(|_| "true") />
                </div>
                <CsrfField />
                <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "staff-search-button")}</button>
            </form>
        </section>
        {results}
        {new_caller}
        <p><a class="utrecht-link" href=crate::paths::STAFF_CHECK_IN>{tr(lang, "checkin-link")}</a></p>
        <p><a class="utrecht-link" href=crate::paths::STAFF_REPORT>{tr(lang, "staff-report-link")}</a></p>
        {admin.then(|| view! {
            <p><a class="utrecht-link" href=crate::paths::ADMIN_STAFF>{tr(lang, "admin-staff-link")}</a></p>
            <p><a class="utrecht-link" href=crate::paths::ADMIN_CATALOGUE>{tr(lang, "catalogue-title")}</a></p>
        })}
    }
    .into_any()
}

/// "Beller niet gevonden": a first-time caller recorded as she tells it, marked "niet geverifieerd".
#[component]
fn NewCaller(lang: Lang, problem: Option<FormProblem>) -> impl IntoView {
    let on = |field: &str| {
        problem
            .as_ref()
            .filter(|p| p.field == field)
            .map(|p| p.message.clone())
    };
    let kept = |field: &str| {
        problem
            .as_ref()
            .and_then(|p| p.value(field))
            .unwrap_or_default()
    };
    let (name_error, date_error) = (on("naam"), on("geboortedatum"));
    let name_described = if name_error.is_some() {
        "beller-naam-error"
    } else {
        ""
    };
    let date_described = if date_error.is_some() {
        "beller-geboortedatum-hint beller-geboortedatum-error"
    } else {
        "beller-geboortedatum-hint"
    };
    view! {
        <section class="loket-card" aria-labelledby="staff-new-caller">
            <h2 id="staff-new-caller" class="utrecht-heading-2">{tr(lang, "staff-new-caller")}</h2>
            <p class="utrecht-paragraph">{tr(lang, "staff-new-caller-intro")}</p>
            <form method="post" action=crate::paths::STAFF_NEW_CALLER>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="beller-naam">{tr(lang, "staff-new-caller-name")}</label>
                    {name_error.clone().map(|message| view! { <p class="utrecht-form-field-error-message" id="beller-naam-error" role="alert">{message}</p> })}
                    <input class="utrecht-textbox" id="beller-naam" name="naam" type="text" autocomplete="off" required=true
                        maxlength="200" value=kept("naam") aria-describedby=(!name_described.is_empty()).then_some(name_described)
                        aria-invalid=name_error.as_ref().map(|_| "true") />
                </div>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="beller-geboortedatum">{tr(lang, "staff-new-caller-birth-date")}</label>
                    <p class="utrecht-form-field-description" id="beller-geboortedatum-hint">{tr(lang, "staff-new-caller-birth-date-hint")}</p>
                    {date_error.clone().map(|message| view! { <p class="utrecht-form-field-error-message" id="beller-geboortedatum-error" role="alert">{message}</p> })}
                    <input class="utrecht-textbox" id="beller-geboortedatum" name="geboortedatum" type="text" inputmode="numeric"
                        autocomplete="off" required=true maxlength="10" value=kept("geboortedatum")
                        aria-describedby=date_described aria-invalid=date_error.as_ref().map(|_| "true") />
                </div>
                <CsrfField />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "staff-new-caller-button")}</button>
            </form>
        </section>
    }
}

/// `/medewerkers/inchecken`: the desk scans (a scanner types, then Enter) or types the code on the resident's
/// appointment card. A plain form: it works without JavaScript and by keyboard.
#[component]
pub fn StaffCheckInPage() -> impl IntoView {
    let lang = use_lang();
    if !use_viewer().signed_in.as_ref().is_some_and(|s| s.staff) {
        return view! { <SignedOutPage title_key="checkin-title" text_key="staff-only" /> }
            .into_any();
    }
    let result = use_context::<CheckInResult>().unwrap_or_default();
    let problem = result.problem.clone();
    let described = if problem.is_some() {
        "code-hint code-error"
    } else {
        "code-hint"
    };
    let done = result.done.clone().map(|done| {
        let key = if done.again { "checkin-again" } else { "checkin-done" };
        view! {
            <p class="loket-notice" role="status">
                {tr_args(lang, key, &[("service", &done.service), ("time", &done.time), ("location", &done.location)])}
            </p>
        }
    });
    view! {
        <Title text=tr(lang, "checkin-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "checkin-title")}</h1>
        {done}
        <section class="loket-card" aria-labelledby="checkin-form">
            <h2 id="checkin-form" class="utrecht-heading-2">{tr(lang, "checkin-form")}</h2>
            <form method="post" action=crate::paths::STAFF_CHECK_IN>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="code">{tr(lang, "checkin-code")}</label>
                    <p class="utrecht-form-field-description" id="code-hint">{tr(lang, "checkin-code-hint")}</p>
                    {problem.clone().map(|message| view! { <p class="utrecht-form-field-error-message" id="code-error" role="alert">{message}</p> })}
                    <input class="utrecht-textbox" id="code" name="code" type="text" autocomplete="off" required=true
                        autocapitalize="characters" spellcheck="false" maxlength="40" value=result.code.clone()
                        aria-describedby=described aria-invalid=problem.as_ref().map(|_| "true") />
                </div>
                <CsrfField />
                <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "checkin-button")}</button>
            </form>
        </section>
        <p><a class="utrecht-link" href=crate::paths::STAFF>{tr(lang, "checkin-back")}</a></p>
    }
    .into_any()
}

#[component]
fn Hit(lang: Lang, hit: SearchHit) -> impl IntoView {
    let mut facts = Vec::new();
    if let Some(date) = &hit.birth_date {
        facts.push(tr_args(
            lang,
            "staff-hit-born",
            &[("date", &long_date(lang, date))],
        ));
    }
    if let Some(place) = &hit.place {
        facts.push(if hit.kind == "organisation" {
            tr_args(lang, "staff-hit-kvk", &[("number", place)])
        } else {
            place.clone()
        });
    }
    let name = if hit.kind == "person" {
        view! { <a class="utrecht-link" href=paths::staff_resident(&hit.id)><strong>{hit.name}</strong></a> }.into_any()
    } else {
        view! { <strong>{hit.name}</strong> }.into_any()
    };
    // The BRP's own markers: geheimhouding (never to be passed on) and data under investigation.
    let secret = hit
        .secret
        .then(|| view! { <span class="loket-hits__warning">{tr(lang, "staff-hit-secret")}</span> });
    let research = (!hit.in_research.is_empty()).then(|| {
        let parts: Vec<String> = hit
            .in_research
            .iter()
            .map(|part| tr(lang, &format!("research-{part}")))
            .collect();
        view! {
            <span class="loket-hits__warning">
                {tr_args(lang, "staff-hit-research", &[("parts", &parts.join(", "))])}
            </span>
        }
    });
    let unverified = hit.unverified.then(
        || view! { <span class="loket-hits__warning">{tr(lang, "staff-hit-unverified")}</span> },
    );
    view! {
        <li class="loket-hits__item">
            {name}
            {(!facts.is_empty()).then(|| view! { <span class="loket-hits__facts">{facts.join(" · ")}</span> })}
            {unverified}
            {secret}
            {research}
        </li>
    }
}

/// `/medewerkers/inwoners/{id}`: the contact centre's card of one resident (each look is in her activity log).
#[component]
pub fn StaffResidentPage() -> impl IntoView {
    let lang = use_lang();
    if !use_viewer().signed_in.as_ref().is_some_and(|s| s.staff) {
        return view! { <SignedOutPage title_key="staff-title" text_key="staff-only" /> }
            .into_any();
    }
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .unwrap_or_default();
    let done = super::notice();
    let card = Resource::new_blocking(move || id.clone(), get_staff_resident);
    view! {
        <Suspense fallback=|| ()>
            {move || card.get().map(|result| match result {
                Ok(Some(card)) => view! { <Card lang card done=done /> }.into_any(),
                Ok(None) => view! {
                    <Title text=tr(lang, "staff-title") />
                    <h1 class="utrecht-heading-1">{tr(lang, "staff-resident-unknown")}</h1>
                    <p><a class="utrecht-link" href=crate::paths::STAFF>{tr(lang, "staff-back-to-search")}</a></p>
                }.into_any(),
                Err(error) => error_notice(lang, &error),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Card(lang: Lang, card: StaffResident, done: Option<Notice>) -> impl IntoView {
    let done_key = match done {
        Some(Notice::Booked) => Some("staff-booked"),
        Some(Notice::Cancelled) => Some("staff-cancelled"),
        Some(Notice::Contact) => Some("staff-contact-recorded"),
        Some(Notice::Address) => Some("staff-address-corrected"),
        Some(Notice::Moved) => Some("staff-moved"),
        Some(Notice::DocumentTaken) => Some("staff-document-taken"),
        Some(Notice::CodeRevoked) => Some("staff-code-revoked"),
        Some(Notice::CallerRecorded) => Some("staff-caller-recorded"),
        _ => None,
    };
    let problem = use_context::<FormProblem>().filter(|p| p.form == crate::paths::FormId::Cancel);
    let contact_problem =
        use_context::<FormProblem>().filter(|p| p.form == crate::paths::FormId::Contact);
    let mut facts = Vec::new();
    if let Some(date) = &card.birth_date {
        facts.push(tr_args(
            lang,
            "staff-hit-born",
            &[("date", &long_date(lang, date))],
        ));
    }
    if let Some(place) = &card.place {
        facts.push(place.clone());
    }
    let booking = paths::staff_book(&card.id);
    view! {
        <Title text=card.name.clone() />
        <h1 class="utrecht-heading-1">{card.name.clone()}</h1>
        <Notices lang notices=card.notices.clone() />
        {done_key.map(|key| view! { <p class="loket-notice" role="status">{tr(lang, key)}</p> })}
        {problem.map(|p| view! { <p class="loket-notice" role="alert">{p.message}</p> })}
        <p class="utrecht-paragraph">{facts.join(" · ")}</p>
        <form method="post" action=paths::staff_preview(&card.id)>
            <CsrfField />
            <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "staff-preview")}</button>
        </form>
        // At a desk the card uses the width: her appointments and cases beside the conversation.
        <div class="loket-card-grid">
            <div class="loket-card-grid__column">
                // Each column a view of its own: the card as one type is deeper than the compiler allows.
                {view! {
                <section class="loket-card" aria-labelledby="card-appointments">
                    <h2 id="card-appointments" class="utrecht-heading-2">{tr(lang, "staff-card-appointments")}</h2>
                    {if card.appointments.is_empty() {
                        view! { <p class="utrecht-paragraph">{tr(lang, "staff-card-no-appointments")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="loket-case-list">
                                {card.appointments.into_iter().map(|(line, key)| {
                                    let action = paths::staff_appointment_cancel(&card.id, &line.id);
                                    let moving = paths::staff_appointment_move(&card.id, &line.id);
                                    let details = card.appointment_details.iter().find(|(a, _)| *a == line.id).map(|(_, d)| d.clone()).unwrap_or_default();
                                    let documents = card.appointment_documents.iter().find(|(a, _)| *a == line.id).map(|(_, d)| d.clone()).unwrap_or_default();
                                    let take_for = Some(paths::staff_resident(&card.id));
                                    view! { <AppointmentItem lang line staff_cancel=(action, key) staff_move=moving details documents take_for /> }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <p><a class="utrecht-button-link utrecht-button-link--primary-action" href=booking>{tr_args(lang, "staff-booking-title", &[("name", &card.name)])}</a></p>
                </section>
                <section class="loket-card" aria-labelledby="card-cases">
                    <h2 id="card-cases" class="utrecht-heading-2">{tr(lang, "staff-card-cases")}</h2>
                    {if card.cases.is_empty() {
                        view! { <p class="utrecht-paragraph">{tr(lang, "staff-card-no-cases")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="loket-hits">
                                {card.cases.into_iter().map(|case| {
                                    let take_for = Some(paths::staff_resident(&card.id));
                                    view! { <CaseItem lang case take_for /> }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                <section class="loket-card" aria-labelledby="card-addresses">
                    <h2 id="card-addresses" class="utrecht-heading-2">{tr(lang, "staff-card-addresses")}</h2>
                    {if card.addresses.is_empty() {
                        view! { <p class="utrecht-paragraph">{tr(lang, "staff-card-no-addresses")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="loket-hits">
                                {card.addresses.iter().map(|a| view! { <li class="loket-hits__item">{a.label.clone()}</li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    {card.failing.iter().map(|a| view! { <CorrectAddress lang person=card.id.clone() address=a.clone() /> }).collect_view()}
                </section>
                <section class="loket-card" aria-labelledby="card-messages">
                    <h2 id="card-messages" class="utrecht-heading-2">{tr(lang, "staff-card-messages")}</h2>
                    {if card.messages.is_empty() {
                        view! { <p class="utrecht-paragraph">{tr(lang, "staff-card-no-messages")}</p> }.into_any()
                    } else {
                        view! { <SentList lang messages=card.messages /> }.into_any()
                    }}
                </section>
                <section class="loket-card" aria-labelledby="card-code">
                    <h2 id="card-code" class="utrecht-heading-2">{tr(lang, "staff-code-title")}</h2>
                    {use_context::<IssuedActivation>().map(|issued| view! {
                        <div class="loket-notice" role="status">
                            <p class="utrecht-paragraph">{tr_args(lang, "staff-code-issued", &[
                                ("date", &long_date(lang, &issued.until_date)),
                                ("time", &issued.until_time),
                            ])}</p>
                            <p class="loket-code">{issued.code}</p>
                        </div>
                    })}
                    {card.open_code.clone().filter(|_| card.may_issue_code).map(|(date, time)| view! {
                        <p class="utrecht-paragraph">{tr_args(lang, "staff-code-open", &[("date", &long_date(lang, &date)), ("time", &time)])}</p>
                        <form method="post" action=paths::staff_code_revoke(&card.id)>
                            <CsrfField />
                            <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "staff-code-revoke")}</button>
                        </form>
                    })}
                    {if card.may_issue_code {
                        view! {
                            <p class="utrecht-paragraph">{tr(lang, "staff-code-text")}</p>
                            <form method="post" action=paths::staff_code(&card.id)>
                                <CsrfField />
                                <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "staff-code-button")}</button>
                            </form>
                        }.into_any()
                    } else {
                        view! { <p class="utrecht-paragraph">{tr(lang, "staff-code-not-yours")}</p> }.into_any()
                    }}
                </section>
                }.into_any()}
            </div>
            <div class="loket-card-grid__column">
                {view! {
                <section class="loket-card" aria-labelledby="card-contacts">
                    <h2 id="card-contacts" class="utrecht-heading-2">{tr(lang, "staff-card-contacts")}</h2>
                    {if card.contacts.is_empty() {
                        view! { <p class="utrecht-paragraph">{tr(lang, "staff-card-no-contacts")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="loket-hits">
                                {card.contacts.into_iter().map(|contact| view! { <ContactItem lang contact /> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                <RecordContact lang id=card.id.clone() cases=card.contact_cases new_cases=card.new_cases key=card.contact_key problem=contact_problem />
                }.into_any()}
            </div>
        </div>
        <p><a class="utrecht-link" href=crate::paths::STAFF>{tr(lang, "staff-back-to-search")}</a></p>
    }
}

/// What matters right now, as a dialog that is open when the card opens; its button closes it without
/// script (`method="dialog"`), and it takes the focus so a keyboard or screen-reader user meets it first.
#[component]
fn Notices(lang: Lang, notices: Vec<(String, Vec<(String, String)>)>) -> impl IntoView {
    (!notices.is_empty()).then(|| {
        view! {
            <dialog open class="loket-notices" aria-labelledby="notices-title">
                <h2 id="notices-title" class="utrecht-heading-2">{tr(lang, "staff-notices-title")}</h2>
                <ul class="loket-notices__list">
                    {notices.into_iter().map(|(key, args)| {
                        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                        view! { <li>{tr_args(lang, &key, &args)}</li> }
                    }).collect_view()}
                </ul>
                <form method="dialog">
                    <button class="utrecht-button utrecht-button--primary-action" type="submit" autofocus=true>
                        {tr(lang, "staff-notices-close")}
                    </button>
                </form>
            </dialog>
        }
    })
}

#[component]
fn CaseItem(lang: Lang, case: StaffCase, take_for: Option<String>) -> impl IntoView {
    let since = tr_args(
        lang,
        "staff-case-since",
        &[("date", &long_date(lang, &case.start_date))],
    );
    let state = if case.closed {
        tr(lang, "staff-case-closed")
    } else {
        since
    };
    match case.what {
        Some(what) => {
            let mut parts = vec![what.identifier, what.type_name];
            parts.extend(what.status);
            parts.push(state);
            let documents = case.documents;
            view! {
                <li class="loket-hits__item">
                    {parts.join(" · ")}
                    {(!documents.is_empty()).then(|| view! {
                        <p class="loket-case__meta">{tr(lang, "staff-card-documents")}</p>
                        <DocumentList lang documents removable=false take_for />
                    })}
                </li>
            }
            .into_any()
        }
        None => view! {
            <li class="loket-hits__item">{tr(lang, "staff-case-that")} " · " {state}</li>
        }
        .into_any(),
    }
}

#[component]
fn ContactItem(lang: Lang, contact: ContactLine) -> impl IntoView {
    let date = long_date(lang, &contact.date);
    let channel = tr(lang, &format!("channel-{}", contact.channel));
    match contact_subject(lang, &contact) {
        // The role may know THAT, not WHAT.
        None => view! {
            <li class="loket-hits__item">{tr_args(lang, "staff-contact-confidential", &[("date", &date)])}</li>
        }
        .into_any(),
        Some(subject) => {
            let mut head = format!("{date} {} · {channel} · {subject}", contact.time);
            if contact.confidential {
                head.push_str(&format!(" · {}", tr(lang, "staff-contact-marked-confidential")));
            }
            view! {
                <li class="loket-hits__item">
                    <strong>{head}</strong>
                    {contact.text.map(|text| view! { <span class="loket-hits__facts">{text}</span> })}
                    {contact.case_identifier.map(|number| view! {
                        <span class="loket-hits__facts">{tr_args(lang, "contact-about-case", &[("number", &number)])}</span>
                    })}
                </li>
            }
            .into_any()
        }
    }
}

/// Recording the contact the employee is having: channel, reason, text, confidential, and optionally the
/// case it is about — one of hers, or (a separate choice, confirmed once more) a new one of a type, started
/// with this contact. A refusal shows the reason at its field and keeps all that was typed.
#[component]
fn RecordContact(
    lang: Lang,
    id: String,
    cases: Vec<crate::api::Choice>,
    new_cases: Vec<crate::api::Choice>,
    key: String,
    problem: Option<FormProblem>,
) -> impl IntoView {
    let value = |name: &str| {
        problem
            .as_ref()
            .and_then(|p| p.value(name))
            .unwrap_or_default()
    };
    let (channel, reason, text, confidential, case, new_case) = (
        value("kanaal"),
        value("reden"),
        value("tekst"),
        value("vertrouwelijk") == "ja",
        value("zaak"),
        value("nieuwe_zaak"),
    );
    let confirm = problem
        .as_ref()
        .filter(|p| p.field == "bevestig")
        .map(|p| p.message.clone());
    let button = if confirm.is_some() {
        "staff-record-button-confirm"
    } else {
        "staff-record-button"
    };
    let channel = if channel.is_empty() {
        String::from("telefoon")
    } else {
        channel
    };
    let error_at = |name: &'static str| {
        problem
            .as_ref()
            .filter(|p| p.field == name)
            .map(|p| p.message.clone())
    };
    let error = move |name: &'static str| {
        error_at(name).map(|message| {
            view! { <p class="utrecht-form-field-error-message" id=format!("contact-{name}-error") role="alert">{message}</p> }
        })
    };
    let described = move |name: &'static str, hint: Option<&str>| {
        let mut ids: Vec<String> = hint.map(str::to_owned).into_iter().collect();
        if error_at(name).is_some() {
            ids.push(format!("contact-{name}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    let invalid = move |name: &'static str| error_at(name).map(|_| "true");
    view! {
        <section class="loket-card" aria-labelledby="card-record">
            <h2 id="card-record" class="utrecht-heading-2">{tr(lang, "staff-record-title")}</h2>
            <form method="post" action=paths::staff_contacts(&id)>
                <fieldset class="utrecht-form-fieldset" aria-describedby=described("kanaal", None)>
                    <legend class="utrecht-form-fieldset__legend">{tr(lang, "staff-record-channel")}</legend>
                    {error("kanaal")}
                    {CONTACT_CHANNELS.iter().map(|c| {
                        let input = format!("contact-kanaal-{c}");
                        view! {
                            <div class="utrecht-form-field utrecht-form-field--radio">
                                <input class="utrecht-radio-button" type="radio" name="kanaal" id=input.clone() value=*c checked=channel == *c />
                                <label class="utrecht-form-label utrecht-form-label--radio" for=input>{tr(lang, &format!("channel-{c}"))}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="contact-reden">{tr(lang, "staff-record-reason")}</label>
                    {error("reden")}
                    <select class="utrecht-select" id="contact-reden" name="reden" required=true
                        aria-describedby=described("reden", None) aria-invalid=invalid("reden")>
                        <option value="">{tr(lang, "staff-record-choose")}</option>
                        {CONTACT_REASONS.iter().map(|code| view! {
                            <option value=*code selected=reason == *code>{tr(lang, &contact_reason_key(code))}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="contact-tekst">{tr(lang, "staff-record-text")}</label>
                    <p class="utrecht-form-field-description" id="contact-tekst-hint">{tr(lang, "staff-record-text-hint")}</p>
                    {error("tekst")}
                    <textarea class="utrecht-textarea" id="contact-tekst" name="tekst" rows="4" maxlength="4000"
                        aria-describedby=described("tekst", Some("contact-tekst-hint")) aria-invalid=invalid("tekst")>{super::textarea_text(&text)}</textarea>
                </div>
                <div class="utrecht-form-field utrecht-form-field--checkbox">
                    <input class="utrecht-checkbox" type="checkbox" id="contact-vertrouwelijk" name="vertrouwelijk" value="ja"
                        checked=confidential aria-describedby="contact-vertrouwelijk-hint" />
                    <label class="utrecht-form-label utrecht-form-label--checkbox" for="contact-vertrouwelijk">{tr(lang, "staff-record-confidential")}</label>
                </div>
                <p class="utrecht-form-field-description" id="contact-vertrouwelijk-hint">{tr(lang, "staff-record-confidential-hint")}</p>
                // Linking to one of her cases and starting a new one are two separate choices: in one list a
                // case type read like one of her cases (a confidential case shows without its type).
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="contact-zaak">{tr(lang, "staff-record-case")}</label>
                    {error("zaak")}
                    <select class="utrecht-select" id="contact-zaak" name="zaak"
                        aria-describedby=described("zaak", None) aria-invalid=invalid("zaak")>
                        <option value="">{tr(lang, "staff-record-no-case")}</option>
                        {cases.into_iter().map(|c| {
                            let selected = case == c.value;
                            view! { <option value=c.value selected=selected>{c.label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                {(!new_cases.is_empty()).then(|| view! {
                    <div class="utrecht-form-field">
                        <label class="utrecht-form-label" for="contact-nieuwe-zaak">{tr(lang, "staff-record-new-case")}</label>
                        <p class="utrecht-form-field-description" id="contact-nieuwe-zaak-hint">{tr(lang, "staff-record-new-case-hint")}</p>
                        {error("nieuwe_zaak")}
                        <select class="utrecht-select" id="contact-nieuwe-zaak" name="nieuwe_zaak"
                            aria-describedby=described("nieuwe_zaak", Some("contact-nieuwe-zaak-hint")) aria-invalid=invalid("nieuwe_zaak")>
                            <option value="">{tr(lang, "staff-record-no-new-case")}</option>
                            {new_cases.into_iter().map(|c| {
                                let selected = new_case == c.value;
                                view! { <option value=c.value selected=selected>{c.label}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                })}
                // Starting a case is confirmed once more, naming the case type, before anything is stored.
                {confirm.map(|message| view! {
                    <div class="loket-notice" role="alert" id="contact-bevestig">
                        <p class="utrecht-paragraph">{message}</p>
                    </div>
                    <input type="hidden" name="bevestig" value="ja" />
                })}
                <input type="hidden" name="key" value=key />
                <CsrfField />
                <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, button)}</button>
            </form>
        </section>
    }
}

/// `/medewerkers/vandaag`: today's appointments at every location, soonest first, with who comes (her card) and
/// whether she checked in. The desk works from it; each name listed is in that resident's activity log.
#[component]
pub fn StaffTodayPage() -> impl IntoView {
    let lang = use_lang();
    if !use_viewer().signed_in.as_ref().is_some_and(|s| s.staff) {
        return view! { <SignedOutPage title_key="today-title" text_key="staff-only" /> }
            .into_any();
    }
    let today = Resource::new_blocking(|| (), |_| get_staff_today());
    view! {
        <Title text=tr(lang, "today-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "today-title")}</h1>
        <p><a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::STAFF_CHECK_IN>{tr(lang, "checkin-link")}</a></p>
        <Suspense fallback=|| ()>
            {move || today.get().map(|result| match result {
                Ok(Some(today)) if today.items.is_empty() => view! {
                    <p class="utrecht-paragraph">{tr_args(lang, "today-none", &[("date", &long_date(lang, &today.date))])}</p>
                }.into_any(),
                Ok(Some(today)) => view! {
                    <p class="utrecht-paragraph">{tr_args(lang, "today-intro", &[("date", &long_date(lang, &today.date)), ("count", &today.items.len().to_string())])}</p>
                    <ul class="loket-hits">
                        {today.items.into_iter().map(|item| {
                            let state = if item.checked_in { "today-checked-in" } else { "today-expected" };
                            view! {
                                <li class="loket-hits__item">
                                    <strong>{format!("{}–{}", item.line.time, item.line.end_time)}</strong>
                                    " "
                                    <a class="utrecht-link" href=paths::staff_resident(&item.person_id)>{item.name}</a>
                                    <span class="loket-hits__facts">{format!("{} · {}", item.line.service, item.line.location)}</span>
                                    <span class="loket-hits__facts">{tr(lang, state)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Ok(None) => view! { <p class="utrecht-paragraph">{tr(lang, "staff-only")}</p> }.into_any(),
                Err(error) => error_notice(lang, &error),
            })}
        </Suspense>
    }
    .into_any()
}

/// `/medewerkers/rapport`: counts per week (contacts per reason and channel, appointments booked per channel,
/// messages per channel and outcome), with a CSV download. Counts only: no person can be read from it.
#[component]
pub fn StaffReportPage() -> impl IntoView {
    let lang = use_lang();
    if !use_viewer().signed_in.as_ref().is_some_and(|s| s.staff) {
        return view! { <SignedOutPage title_key="report-title" text_key="staff-only" /> }
            .into_any();
    }
    let report = Resource::new_blocking(|| (), |_| get_staff_report());
    view! {
        <Title text=tr(lang, "report-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "report-title")}</h1>
        <p class="utrecht-paragraph">{tr(lang, "report-intro")}</p>
        <p><a class="utrecht-link" href=crate::paths::STAFF_REPORT_CSV download="loket-rapport.csv">{tr(lang, "report-csv")}</a></p>
        <Suspense fallback=|| ()>
            {move || report.get().map(|result| match result {
                Ok(Some(report)) => ["contacten", "afspraken", "berichten", "documenten", "opkomst"].into_iter().map(|measure| {
                    let rows: Vec<ReportRow> = report.rows.iter().filter(|r| r.measure == measure).cloned().collect();
                    view! { <ReportTable lang measure weeks=report.weeks.clone() rows /> }
                }).collect_view().into_any(),
                Ok(None) => view! { <p class="utrecht-paragraph">{tr(lang, "staff-only")}</p> }.into_any(),
                Err(error) => error_notice(lang, &error),
            })}
        </Suspense>
    }
    .into_any()
}

/// One measure as a table: a row per category and detail, a column per week, and a total.
#[component]
fn ReportTable(
    lang: Lang,
    measure: &'static str,
    weeks: Vec<String>,
    rows: Vec<ReportRow>,
) -> impl IntoView {
    let (section_for, title_id) = (format!("report-{measure}"), format!("report-{measure}"));
    let label = move |row: &ReportRow| match measure {
        "contacten" => {
            let reason = if CONTACT_REASONS.contains(&row.category.as_str()) {
                tr(lang, &contact_reason_key(&row.category))
            } else {
                tr(lang, "report-no-reason")
            };
            format!(
                "{reason} · {}",
                tr(lang, &format!("channel-{}", row.detail))
            )
        }
        "afspraken" => format!(
            "{} · {}",
            tr(lang, &format!("report-via-{}", row.category)),
            row.detail
        ),
        "documenten" => format!(
            "{} · {}",
            tr(lang, &format!("report-for-{}", row.category)),
            row.detail
        ),
        "opkomst" => format!(
            "{} · {}",
            row.category,
            tr(lang, &format!("report-attendance-{}", row.detail))
        ),
        _ => format!(
            "{} · {}",
            tr(lang, &format!("report-channel-{}", row.category)),
            tr(lang, &format!("report-outcome-{}", row.detail))
        ),
    };
    view! {
        <section class="loket-card" aria-labelledby=section_for>
            <h2 id=title_id class="utrecht-heading-2">{tr(lang, &format!("report-{measure}"))}</h2>
            {if rows.is_empty() {
                view! { <p class="utrecht-paragraph">{tr(lang, "report-none")}</p> }.into_any()
            } else {
                view! {
                    <div class="loket-table-scroll" role="region" aria-label=tr(lang, &format!("report-{measure}")) tabindex="0">
                        <table class="loket-report">
                            <thead>
                                <tr>
                                    <th scope="col">{tr(lang, "report-what")}</th>
                                    {weeks.iter().map(|w| view! {
                                        <th scope="col">{tr_args(lang, "report-week", &[("date", &long_date(lang, w))])}</th>
                                    }).collect_view()}
                                    <th scope="col">{tr(lang, "report-total")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.iter().map(|row| view! {
                                    <tr>
                                        <th scope="row">{label(row)}</th>
                                        {row.counts.iter().map(|c| view! { <td>{c.to_string()}</td> }).collect_view()}
                                        <td>{row.counts.iter().sum::<i64>().to_string()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// Correcting an address whose messages did not arrive, with the resident on the phone.
#[component]
fn CorrectAddress(lang: Lang, person: String, address: crate::api::Choice) -> impl IntoView {
    let problem = use_context::<FormProblem>()
        .filter(|p| p.form == crate::paths::FormId::Correct(address.value.clone()));
    let input = format!("juist-adres-{}", encode(&address.value).replace('%', "_"));
    let error_id = format!("{input}-error");
    let hint_id = format!("{input}-hint");
    let described = if problem.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        hint_id.clone()
    };
    let typed = problem
        .as_ref()
        .and_then(|p| p.value("juist-adres"))
        .unwrap_or_default();
    view! {
        <form class="loket-correct" method="post"
            action=paths::staff_address_correct(&person, &address.value)>
            <div class="utrecht-form-field">
                <label class="utrecht-form-label" for=input.clone()>{tr_args(lang, "staff-correct-label", &[("label", &address.label)])}</label>
                <p class="utrecht-form-field-description" id=hint_id>{tr(lang, "staff-correct-hint")}</p>
                {problem.as_ref().map(|p| view! { <p class="utrecht-form-field-error-message" id=error_id.clone() role="alert">{p.message.clone()}</p> })}
                <input class="utrecht-textbox" id=input name="juist-adres" type="text" autocomplete="off" required=true
                    maxlength="200" value=typed aria-describedby=described aria-invalid=problem.as_ref().map(|_| "true") />
            </div>
            <CsrfField />
            <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "staff-correct-button")}</button>
        </form>
    }
}
