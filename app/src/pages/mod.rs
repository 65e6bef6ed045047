//! The pages. Each is server-rendered in full (`SsrMode::Async`), so it works without JavaScript.

mod admin;
mod appointments;
mod cases;
mod catalogue;
mod development;
pub mod documents;
mod identity;
mod messages;
mod overview;
mod simple;
mod staff;

pub use admin::AdminStaffPage;
pub use appointments::{
    AppointmentLinkPage, AppointmentPage, AppointmentsPage, BookingPage, CancelPage, MovePage,
    StaffBookingPage, StaffMovePage,
};
pub use cases::{CasePage, CasesPage, ContactsPage};
pub use catalogue::{AdminCataloguePage, AdminLocationPage, AdminResourcePage, AdminServicePage};
pub use development::OutboxFilesPage;
pub use documents::DocumentsPage;
pub use identity::{use_viewer, ActivationPage, ActivityPage, DemoPage, MyDetailsPage, SignInPage};
pub use messages::MessagesPage;
pub use overview::OverviewPage;
pub use simple::{NotFoundPage, OfflinePage, SettingsPage};
pub use staff::{StaffCheckInPage, StaffPage, StaffReportPage, StaffResidentPage, StaffTodayPage};

use crate::api::OpeningLine;
use crate::i18n::{tr, weekday_name, Lang};
use leptos::prelude::*;

/// The text of a `<textarea>`, escaped. Leptos writes a textarea's children unescaped (as for `<script>`),
/// so a value holding `</textarea><script>` would otherwise end the field and become markup.
pub fn textarea_text(value: &str) -> String {
    html_escape::encode_text(value).into_owned()
}

/// Opening hours as a description list: "maandag 08:30–17:00".
#[component]
pub fn OpeningHours(lang: Lang, lines: Vec<OpeningLine>) -> impl IntoView {
    let rows = lines
        .into_iter()
        .map(|line| {
            let hours = line.hours.unwrap_or_else(|| tr(lang, "closed"));
            view! {
                <dt>{weekday_name(lang, line.weekday)}</dt>
                <dd>{hours}</dd>
            }
        })
        .collect_view();
    view! { <dl class="loket-hours">{rows}</dl> }
}

/// The card a signed-out visitor sees in place of personal data.
#[component]
pub fn SignedOutCard(lang: Lang, text_key: &'static str) -> impl IntoView {
    // Opened one appointment with the link from her message: that appointment is all she can open, so say so
    // and lead back to it rather than only to a sign-in she may not have.
    if let Some(id) = use_viewer().appointment_link {
        return view! {
            <section class="loket-card" aria-labelledby="signed-out-title">
                <h2 id="signed-out-title" class="utrecht-heading-2">{tr(lang, "link-session-only-title")}</h2>
                <p class="utrecht-paragraph">{tr(lang, "link-session-only-text")}</p>
                <p class="loket-actions">
                    <a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::appointment(&id)>
                        {tr(lang, "link-session-back")}
                    </a>
                    " "
                    <a class="utrecht-button-link utrecht-button-link--secondary-action" href=crate::paths::SIGN_IN>{tr(lang, "sign-in")}</a>
                </p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="loket-card" aria-labelledby="signed-out-title">
            <h2 id="signed-out-title" class="utrecht-heading-2">{tr(lang, "signed-out-title")}</h2>
            <p class="utrecht-paragraph">{tr(lang, text_key)}</p>
            <a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::SIGN_IN>
                {tr(lang, "sign-in")}
            </a>
        </section>
    }
    .into_any()
}

/// A page's title and heading with only the sign-in card: what signed-out visitors see of personal pages.
#[component]
pub fn SignedOutPage(title_key: &'static str, text_key: &'static str) -> impl IntoView {
    let lang = crate::shell::use_lang();
    view! {
        <leptos_meta::Title text=tr(lang, title_key) />
        <h1 class="utrecht-heading-1">{tr(lang, title_key)}</h1>
        <SignedOutCard lang text_key />
    }
}

pub(crate) use crate::paths::encode;

/// In place of her cases, contact moments and documents when this session does not open them (a passkey, or
/// DigiD below the level they need): what opens them, and the way there, back to this page.
#[component]
pub fn RecordsClosedCard(lang: Lang, closed: crate::api::RecordsClosed) -> impl IntoView {
    let here = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let level = tr(lang, &format!("level-{}", closed.level));
    let text_key = if closed.by_digid {
        "records-closed-low"
    } else {
        "records-closed-text"
    };
    let href = crate::paths::door_start_at("digid", &closed.level, &here);
    view! {
        <section class="loket-card" aria-labelledby="records-closed-title">
            <h2 id="records-closed-title" class="utrecht-heading-2">{tr(lang, "records-closed-title")}</h2>
            <p class="utrecht-paragraph">{crate::i18n::tr_args(lang, text_key, &[("level", &level)])}</p>
            <a class="utrecht-button-link utrecht-button-link--primary-action" href=href>
                {tr(lang, "records-closed-button")}
            </a>
        </section>
    }
}

/// The page a session that does not open her records gets for a records page (cases, contact moments,
/// documents), if it is one.
pub(crate) fn records_closed_page(title_key: &'static str) -> Option<AnyView> {
    let lang = crate::shell::use_lang();
    let closed = identity::use_viewer().signed_in?.records_closed?;
    Some(
        view! {
            <leptos_meta::Title text=tr(lang, title_key) />
            <h1 class="utrecht-heading-1">{tr(lang, title_key)}</h1>
            <RecordsClosedCard lang closed />
        }
        .into_any(),
    )
}

/// The notice the form before this page left (`?gelukt=…`), when it is one Loket knows.
pub(crate) fn notice() -> Option<crate::paths::Notice> {
    leptos_router::hooks::use_query_map()
        .get_untracked()
        .get(crate::paths::NOTICE)
        .and_then(|word| crate::paths::Notice::parse(&word))
}

/// A notice that the page's data could not be fetched (the resident-facing text of an API error).
pub(crate) fn error_notice(lang: Lang, error: &crate::api::ApiError) -> AnyView {
    view! { <p class="loket-notice" role="alert">{error.message(lang)}</p> }.into_any()
}
