//! Medewerkers: the contact centre's start page with the one search box. The search is a POST and its results
//! come back in that response only (what a caller says never goes into a URL); each person shown is written to
//! their activity log by the server.

use crate::api::{SearchHit, StaffSearch};
use crate::i18n::{long_date, tr, tr_args, Lang};
use crate::pages::identity::use_viewer;
use crate::shell::{use_lang, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;

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
    view! {
        <li class="loket-hits__item">
            <strong>{hit.name}</strong>
            {(!facts.is_empty()).then(|| view! { <span class="loket-hits__facts">{facts.join(" · ")}</span> })}
        </li>
    }
}
