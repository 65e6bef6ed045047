//! The HTML document, the router and the app frame (header, navigation, footer) every page shares.

use crate::api::MunicipalityView;
use crate::i18n::{tr, tr_args, Lang};
use crate::islands::{ConnectionStatus, SessionTexts, SessionTimer};
use crate::pages::{
    ActivationPage, ActivityPage, AdminCataloguePage, AdminLocationPage, AdminResourcePage,
    AdminServicePage, AdminStaffPage, AppointmentLinkPage, AppointmentPage, AppointmentsPage,
    BookingPage, CancelPage, CasePage, CasesPage, ContactsPage, DemoPage, DocumentsPage,
    MessagesPage, MovePage, MyDetailsPage, NotFoundPage, OfflinePage, OutboxFilesPage,
    OverviewPage, SettingsPage, SignInPage, StaffBookingPage, StaffCheckInPage, StaffMovePage,
    StaffPage, StaffReportPage, StaffResidentPage, StaffTodayPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_location,
    path, SsrMode,
};

/// The current visitor's language (from the language cookie; Dutch by default).
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Translate `key` in the current visitor's language.
pub fn t(key: &str) -> String {
    tr(use_lang(), key)
}

/// The municipality this request is for. The server always provides it; a bare default keeps the UI total.
pub fn use_municipality() -> MunicipalityView {
    use_context::<MunicipalityView>().unwrap_or_else(|| MunicipalityView {
        name: String::from("Gemeente"),
        short_name: String::from("Gemeente"),
        logo_url: String::new(),
        phone: String::from("14 0"),
        email: String::new(),
        address: Vec::new(),
        opening_hours: Vec::new(),
        demo: false,
        doors: Vec::new(),
    })
}

/// The visitor's CSRF token (empty in the browser, where pages are not rendered).
pub fn use_csrf_token() -> String {
    use_context::<crate::api::CsrfToken>().unwrap_or_default().0
}

/// The hidden field every state-changing form carries.
#[component]
pub fn CsrfField() -> impl IntoView {
    view! { <input type="hidden" name="csrf" value=use_csrf_token() /> }
}

/// The whole HTML document, rendered on the server for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = use_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="csrf-token" content=use_csrf_token() />
                <HashedStylesheet options=options.clone() id="loket-css" />
                <link rel="stylesheet" href="/theme.css" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" type="image/png" sizes="192x192" href="/icons/icon-192.png" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let municipality = use_municipality();
    let lang = use_lang();
    let description = tr(lang, "signed-out-text");
    view! {
        <Title formatter=move |page: String| format!("{page} – {}", municipality.name) />
        <Meta name="description" content=description />
        <Router>
            <Frame>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=OverviewPage ssr=SsrMode::Async />
                    <Route path=path!("/zaken") view=CasesPage ssr=SsrMode::Async />
                    <Route path=path!("/zaken/:id") view=CasePage ssr=SsrMode::Async />
                    <Route path=path!("/contactmomenten") view=ContactsPage ssr=SsrMode::Async />
                    <Route path=path!("/afspraken") view=AppointmentsPage ssr=SsrMode::Async />
                    <Route path=path!("/afspraken/:id") view=AppointmentPage ssr=SsrMode::Async />
                    <Route path=path!("/afspraken/:id/verzetten") view=MovePage ssr=SsrMode::Async />
                    <Route path=path!("/afspraken/:id/annuleren") view=CancelPage ssr=SsrMode::Async />
                    <Route path=path!("/afspraak-maken") view=BookingPage ssr=SsrMode::Async />
                    <Route path=path!("/afspraak/:token") view=AppointmentLinkPage ssr=SsrMode::Async />
                    <Route path=path!("/documenten") view=DocumentsPage ssr=SsrMode::Async />
                    <Route path=path!("/instellingen") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/instellingen/berichten") view=MessagesPage ssr=SsrMode::Async />
                    <Route path=path!("/medewerkers") view=StaffPage ssr=SsrMode::Async />
                    <Route path=path!("/medewerkers/inwoners/:id") view=StaffResidentPage ssr=SsrMode::Async />
                    <Route path=path!("/medewerkers/inwoners/:id/afspraak-maken") view=StaffBookingPage ssr=SsrMode::Async />
                    <Route path=path!("/medewerkers/inwoners/:id/afspraken/:appointment/verzetten") view=StaffMovePage ssr=SsrMode::Async />
                    <Route path=path!("/medewerkers/berichten") view=OutboxFilesPage ssr=SsrMode::Async />
                    <Route path=path!("/medewerkers/rapport") view=StaffReportPage ssr=SsrMode::Async />
                    <Route path=path!("/medewerkers/vandaag") view=StaffTodayPage ssr=SsrMode::Async />
                    <Route path=path!("/beheer/medewerkers") view=AdminStaffPage ssr=SsrMode::Async />
                    <Route path=path!("/beheer/afspraken") view=AdminCataloguePage ssr=SsrMode::Async />
                    <Route path=path!("/beheer/afspraken/diensten/:id") view=AdminServicePage ssr=SsrMode::Async />
                    <Route path=path!("/beheer/afspraken/locaties/:id") view=AdminLocationPage ssr=SsrMode::Async />
                    <Route path=path!("/beheer/afspraken/agendas/:id") view=AdminResourcePage ssr=SsrMode::Async />
                    <Route path=path!("/medewerkers/inchecken") view=StaffCheckInPage ssr=SsrMode::Async />
                    <Route path=path!("/inloggen") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/activeren") view=ActivationPage ssr=SsrMode::Async />
                    <Route path=path!("/activiteit") view=ActivityPage ssr=SsrMode::Async />
                    <Route path=path!("/mijn-gegevens") view=MyDetailsPage ssr=SsrMode::Async />
                    <Route path=path!("/demo") view=DemoPage ssr=SsrMode::Async />
                    <Route path=path!("/offline") view=OfflinePage ssr=SsrMode::Async />
                </Routes>
            </Frame>
        </Router>
    }
}

/// Header, navigation (bottom bar on phones, side bar on desktop), main landmark and footer.
#[component]
fn Frame(children: Children) -> impl IntoView {
    let lang = use_lang();
    let municipality = use_municipality();
    let path = use_location().pathname.get_untracked();
    let other = match lang {
        Lang::Nl => Lang::En,
        Lang::En => Lang::Nl,
    };
    let viewer = crate::pages::use_viewer();
    // Staff have their own work, not a resident's (empty) pages; a preview shows the resident's own.
    let staff = viewer
        .signed_in
        .as_ref()
        .filter(|s| s.staff && viewer.preview.is_none());
    let nav: Vec<(&str, &str, &str)> = match staff {
        Some(signed_in) => {
            let mut nav = vec![
                ("/medewerkers", "nav-staff-search", ICON_SEARCH),
                ("/medewerkers/vandaag", "nav-staff-today", ICON_CALENDAR),
                ("/medewerkers/rapport", "nav-staff-report", ICON_CASES),
            ];
            if signed_in.admin {
                nav.push(("/beheer/medewerkers", "nav-admin", ICON_DOCUMENT));
            }
            nav.push(("/instellingen", "nav-settings", ICON_SETTINGS));
            nav
        }
        None => vec![
            ("/", "nav-overview", ICON_HOME),
            ("/zaken", "nav-cases", ICON_CASES),
            ("/afspraken", "nav-appointments", ICON_CALENDAR),
            ("/documenten", "nav-documents", ICON_DOCUMENT),
            ("/instellingen", "nav-settings", ICON_SETTINGS),
        ],
    };
    let nav_items = nav
        .into_iter()
        .map(|(href, key, icon)| {
            let current = (path == href).then_some("page");
            view! {
                <li class="loket-nav__item">
                    <a class="loket-nav__link" href=href aria-current=current>
                        <svg class="loket-nav__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                            <path d=icon />
                        </svg>
                        <span class="loket-nav__text">{tr(lang, key)}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let demo = municipality.demo.then(|| {
        view! {
            <p class="loket-demo-banner">
                <strong>"Demo"</strong>
                " "
                {tr(lang, "demo-banner")}
            </p>
        }
    });
    let address = municipality.address.join(", ");
    // The language switch and the account, twice: inline in the header from 48rem, and in a menu that
    // opens below the header on a phone, where they do not fit beside the municipality's name (at 320 px).
    // The copy that does not apply is `display: none`, so it is neither seen, read out nor tabbed to.
    let tools = |place: &'static str| {
        let switch = view! {
            <form class="loket-lang-switch" method="post" action=crate::paths::LANGUAGE>
                <input type="hidden" name="lang" value=other.code() />
                <CsrfField />
                <input type="hidden" name="return_to" value=path.clone() />
                <button class="utrecht-button utrecht-button--subtle" type="submit" lang=other.code()>
                    <span aria-hidden="true">{tr(lang, "lang-switch-to")}</span>
                    <span class="loket-visually-hidden">{tr(lang, "lang-switch-hint")}</span>
                </button>
            </form>
        };
        let account = match &viewer.signed_in {
            Some(signed_in) => view! {
                <form class="loket-account" method="post" action=crate::paths::SIGN_OUT>
                    <CsrfField />
                    <span class="loket-account__name">
                        {match &signed_in.acting_as {
                            Some((_, organisation)) => tr_args(lang, "acting-as-header", &[("name", &signed_in.display_name), ("organisation", organisation)]),
                            None => signed_in.display_name.clone(),
                        }}
                    </span>
                    <button class="utrecht-button utrecht-button--subtle" type="submit">{tr(lang, "sign-out")}</button>
                </form>
            }
            .into_any(),
            None => view! {
                <a class="loket-account utrecht-link" href=crate::paths::SIGN_IN>{tr(lang, "sign-in")}</a>
            }
            .into_any(),
        };
        view! { <div class=format!("loket-header__tools loket-header__tools--{place}")>{switch}{account}</div> }
    };
    let inline_tools = tools("inline");
    let menu_tools = tools("menu");
    let timer = viewer.signed_in.as_ref().map(|signed_in| {
        let texts = SessionTexts {
            title: tr(lang, "session-warning-title"),
            text: tr(lang, "session-warning-text"),
            stay: tr(lang, "session-stay"),
            sign_out: tr(lang, "sign-out"),
        };
        view! { <SessionTimer remaining_ms=signed_in.remaining_ms texts /> }
    });
    // A change tried in the preview comes back here (see the server's preview guard).
    let refused = leptos_router::hooks::use_query_map()
        .get_untracked()
        .get("voorbeeld")
        .is_some_and(|v| v == "alleen-lezen");
    // "Bekijk als inwoner": on every page of the preview, who is looking and the way back.
    let preview = viewer.preview.clone().map(|preview| {
        let role = tr(lang, &format!("staff-role-{}", preview.role));
        view! {
            <section class="loket-preview" aria-label=tr(lang, "preview-label")>
                {refused.then(|| view! { <p class="loket-preview__refused" role="alert">{tr(lang, "preview-refused")}</p> })}
                <p class="loket-preview__text">
                    <strong>{tr_args(lang, "preview-banner", &[("name", &preview.staff_name), ("role", &role)])}</strong>
                    " "
                    {tr(lang, "preview-read-only")}
                </p>
                <form method="post" action=crate::paths::PREVIEW_STOP>
                    <CsrfField />
                    <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "preview-stop")}</button>
                </form>
            </section>
        }
    });
    // DigiD Machtigen: on every page, whose pages these are and that they are read-only.
    let on_behalf = viewer
        .signed_in
        .as_ref()
        .and_then(|s| s.on_behalf_of.clone())
        .map(|name| {
            let banner = if name.is_empty() {
                tr(lang, "on-behalf-banner-unnamed")
            } else {
                tr_args(lang, "on-behalf-banner", &[("name", &name)])
            };
            view! {
                <section class="loket-preview" aria-label=tr(lang, "on-behalf-label")>
                    {refused.then(|| view! { <p class="loket-preview__refused" role="alert">{tr(lang, "on-behalf-refused")}</p> })}
                    <p class="loket-preview__text">
                        <strong>{banner}</strong>
                        " "
                        {tr(lang, "on-behalf-read-only")}
                    </p>
                </section>
            }
        });
    view! {
        <a class="loket-skip-link" href="#inhoud">
            {tr(lang, "skip-to-content")}
        </a>
        {preview}
        {on_behalf}
        {demo}
        <header class="loket-header">
            <a class="loket-header__home" href=crate::paths::HOME>
                <img class="loket-header__logo" src=municipality.logo_url.clone() alt="" width="40" height="40" />
                <span class="loket-header__name">{municipality.name.clone()}</span>
            </a>
            {inline_tools}
            <details class="loket-header__menu">
                <summary class="loket-header__menu-button">
                    <svg class="loket-header__menu-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                        <path d=ICON_MENU />
                    </svg>
                    {tr(lang, "header-menu")}
                </summary>
                {menu_tools}
            </details>
        </header>
        {timer}
        <div class="loket-body">
            <nav class="loket-nav" aria-label=tr(lang, "nav-label")>
                <ul class="loket-nav__list">{nav_items}</ul>
            </nav>
            <main id="inhoud" class="loket-main" tabindex="-1">
                <ConnectionStatus offline_text=tr(lang, "offline-banner") />
                {children()}
            </main>
        </div>
        <footer class="loket-footer">
            <h2 class="utrecht-heading-2">{tr(lang, "contact-title")}</h2>
            <dl class="loket-contact">
                <dt>{tr(lang, "contact-phone")}</dt>
                <dd>
                    <a href=format!("tel:{}", municipality.phone.replace(' ', ""))>{municipality.phone.clone()}</a>
                </dd>
                <dt>{tr(lang, "contact-email")}</dt>
                <dd>
                    <a href=format!("mailto:{}", municipality.email)>{municipality.email.clone()}</a>
                </dd>
                <dt>{tr(lang, "contact-address")}</dt>
                <dd>{address}</dd>
            </dl>
        </footer>
    }
}

const ICON_MENU: &str = "M3 5h18v2H3zm0 6h18v2H3zm0 6h18v2H3z";
const ICON_SEARCH: &str = "M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z";
const ICON_HOME: &str = "M3 11.5 12 4l9 7.5V20a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z";
const ICON_CASES: &str = "M4 4h16v4H4zm0 6h16v10H4zm4 3v2h8v-2z";
const ICON_CALENDAR: &str = "M7 2v2H5a2 2 0 0 0-2 2v13a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2h-2V2h-2v2H9V2zM5 9h14v10H5z";
const ICON_DOCUMENT: &str =
    "M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5z";
const ICON_SETTINGS: &str = "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm8.5 4a8.4 8.4 0 0 0-.1-1.3l2-1.6-2-3.4-2.4 1a8 8 0 0 0-2.2-1.3L15.5 3h-4l-.4 2.4a8 8 0 0 0-2.2 1.3l-2.4-1-2 3.4 2 1.6a8.4 8.4 0 0 0 0 2.6l-2 1.6 2 3.4 2.4-1a8 8 0 0 0 2.2 1.3l.4 2.4h4l.4-2.4a8 8 0 0 0 2.2-1.3l2.4 1 2-3.4-2-1.6c.1-.4.1-.9.1-1.3z";
