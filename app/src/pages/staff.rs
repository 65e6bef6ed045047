//! Medewerkers: the contact centre's start page with the one search box. The search is a POST and its results
//! come back in that response only (what a caller says never goes into a URL); each person shown is written to
//! their activity log by the server.

use super::appointments::AppointmentItem;
use super::{encode, error_notice, SignedOutPage};
use crate::api::{get_staff_resident, FormProblem, SearchHit, StaffResident, StaffSearch};
use crate::i18n::{long_date, tr, tr_args, Lang};
use crate::pages::identity::use_viewer;
use crate::shell::{use_lang, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

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
    view! {
        <Title text=tr(lang, "staff-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "staff-title")}</h1>
        <section class="loket-card" aria-labelledby="staff-search">
            <h2 id="staff-search" class="utrecht-heading-2">{tr(lang, "staff-search")}</h2>
            <form method="post" action="/medewerkers">
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
        view! { <a class="utrecht-link" href=format!("/medewerkers/inwoners/{}", encode(&hit.id))><strong>{hit.name}</strong></a> }.into_any()
    } else {
        view! { <strong>{hit.name}</strong> }.into_any()
    };
    view! {
        <li class="loket-hits__item">
            {name}
            {(!facts.is_empty()).then(|| view! { <span class="loket-hits__facts">{facts.join(" · ")}</span> })}
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
    let done = use_query_map().get_untracked().get("gelukt");
    let card = Resource::new_blocking(move || id.clone(), get_staff_resident);
    view! {
        <Suspense fallback=|| ()>
            {move || card.get().map(|result| match result {
                Ok(Some(card)) => view! { <Card lang card done=done.clone() /> }.into_any(),
                Ok(None) => view! {
                    <Title text=tr(lang, "staff-title") />
                    <h1 class="utrecht-heading-1">{tr(lang, "staff-resident-unknown")}</h1>
                    <p><a class="utrecht-link" href="/medewerkers">{tr(lang, "staff-back-to-search")}</a></p>
                }.into_any(),
                Err(error) => error_notice(lang, error.message_key()),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Card(lang: Lang, card: StaffResident, done: Option<String>) -> impl IntoView {
    let done_key = match done.as_deref() {
        Some("geboekt") => Some("staff-booked"),
        Some("geannuleerd") => Some("staff-cancelled"),
        _ => None,
    };
    let problem = use_context::<FormProblem>().filter(|p| p.form == "cancel");
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
    let booking = format!("/medewerkers/inwoners/{}/afspraak-maken", encode(&card.id));
    view! {
        <Title text=card.name.clone() />
        <h1 class="utrecht-heading-1">{card.name.clone()}</h1>
        {done_key.map(|key| view! { <p class="loket-notice" role="status">{tr(lang, key)}</p> })}
        {problem.map(|p| view! { <p class="loket-notice" role="alert">{p.message}</p> })}
        <p class="utrecht-paragraph">{facts.join(" · ")}</p>
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
        </section>
        <section class="loket-card" aria-labelledby="card-appointments">
            <h2 id="card-appointments" class="utrecht-heading-2">{tr(lang, "staff-card-appointments")}</h2>
            {if card.appointments.is_empty() {
                view! { <p class="utrecht-paragraph">{tr(lang, "staff-card-no-appointments")}</p> }.into_any()
            } else {
                view! {
                    <ul class="loket-case-list">
                        {card.appointments.into_iter().map(|(line, key)| {
                            let action = format!("/medewerkers/inwoners/{}/afspraken/{}/annuleren", encode(&card.id), encode(&line.id));
                            view! { <AppointmentItem lang line staff_cancel=(action, key) /> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p><a class="utrecht-button-link utrecht-button-link--primary-action" href=booking>{tr_args(lang, "staff-booking-title", &[("name", &card.name)])}</a></p>
        </section>
        <p><a class="utrecht-link" href="/medewerkers">{tr(lang, "staff-back-to-search")}</a></p>
    }
}
