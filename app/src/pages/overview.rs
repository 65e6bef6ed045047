use super::cases::PersonalSection;
use super::identity::use_viewer;
use super::{OpeningHours, SignedOutCard};
use crate::api::{get_overview, DemoOverview, Overview};
use crate::i18n::{long_date, tr, tr_args, Lang};
use crate::shell::{use_lang, use_municipality};
use leptos::prelude::*;
use leptos_meta::Title;

/// Overzicht: the resident's starting point — what needs action, open cases, recent contact. Signed out it
/// offers sign-in; in demo mode it also shows the demo resident's data straight from the database.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let lang = use_lang();
    let municipality = use_municipality();
    let viewer = use_viewer();
    let overview = OnceResource::new(get_overview());
    let staff = viewer.signed_in.as_ref().is_some_and(|s| s.staff);
    view! {
        <Title text=tr(lang, "overview-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "overview-title")}</h1>
        <p class="utrecht-paragraph loket-lead">
            {tr_args(lang, "overview-intro", &[("name", &municipality.name)])}
        </p>
        {viewer.signed_in.is_none().then(|| view! { <SignedOutCard lang text_key="signed-out-text" /> })}
        {staff.then(|| view! {
            <p class="loket-notice">{tr(lang, "overview-staff")} " "
                <a class="utrecht-link" href=crate::paths::STAFF>{tr(lang, "overview-staff-link")}</a></p>
        })}
        <Suspense>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(Overview { personal: Some(personal), .. }) => {
                        Some(view! { <PersonalSection lang overview=personal /> }.into_any())
                    }
                    Ok(Overview { demo, .. }) => demo.map(|demo| view! { <DemoSection lang demo /> }.into_any()),
                    Err(error) => Some(
                        view! {
                            <p class="loket-alert" role="alert">{tr(lang, error.message_key())}</p>
                        }
                            .into_any(),
                    ),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DemoSection(lang: Lang, demo: DemoOverview) -> impl IntoView {
    let cases = if demo.cases.is_empty() {
        view! { <p class="utrecht-paragraph">{tr(lang, "no-cases")}</p> }.into_any()
    } else {
        let items = demo
            .cases
            .into_iter()
            .map(|case| {
                let state = if case.closed { tr(lang, "case-closed") } else { tr(lang, "case-open") };
                let since = tr_args(lang, "case-since", &[("date", &long_date(lang, &case.status_since))]);
                view! {
                    <li class="loket-case">
                        <h4 class="loket-case__title">{case.type_name}</h4>
                        <p class="loket-case__meta">
                            <span class="loket-badge">{state}</span>
                            " "
                            <span>{case.identifier}</span>
                        </p>
                        <p class="loket-case__status">
                            <span class="loket-visually-hidden">{tr(lang, "case-status")} ": "</span>
                            {case.status_text}
                            " "
                            <span class="loket-case__since">{since}</span>
                        </p>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="loket-case-list">{items}</ul> }.into_any()
    };
    let locations = demo
        .locations
        .into_iter()
        .map(|location| {
            view! {
                <div class="loket-location">
                    <h4 class="loket-location__name">{location.name}</h4>
                    <p class="utrecht-paragraph">{location.street} <br /> {location.postcode_city}</p>
                    <h5 class="loket-location__hours-title">{tr(lang, "opening-hours")}</h5>
                    <OpeningHours lang lines=location.opening_hours />
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="loket-card loket-card--demo" aria-labelledby="demo-title">
            <h2 id="demo-title" class="utrecht-heading-2">{tr(lang, "demo-section-title")}</h2>
            <p class="utrecht-paragraph">{tr(lang, "demo-section-text")}</p>
            <h3 class="utrecht-heading-3">{tr_args(lang, "demo-cases-title", &[("name", &demo.resident_name)])}</h3>
            {cases}
            <h3 class="utrecht-heading-3">{tr(lang, "locations-title")}</h3>
            {locations}
        </section>
    }
}
