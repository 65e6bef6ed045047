//! Small pages: settings, offline, not found.

use crate::i18n::{tr, Lang};
use crate::shell::{use_lang, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;

/// Instellingen: the language choice works for everyone, signed in or not (a plain form; no JavaScript needed).
#[component]
pub fn SettingsPage() -> impl IntoView {
    let lang = use_lang();
    let options = Lang::ALL
        .into_iter()
        .map(|option| {
            let id = format!("lang-{}", option.code());
            view! {
                <div class="utrecht-form-field utrecht-form-field--radio">
                    <input
                        class="utrecht-radio-button"
                        type="radio"
                        name="lang"
                        id=id.clone()
                        value=option.code()
                        checked=option == lang
                    />
                    <label class="utrecht-form-label utrecht-form-label--radio" for=id lang=option.code()>
                        {tr(lang, &format!("settings-language-{}", option.code()))}
                    </label>
                </div>
            }
        })
        .collect_view();
    view! {
        <Title text=tr(lang, "settings-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "settings-title")}</h1>
        <form class="loket-card" method="post" action=crate::paths::LANGUAGE>
            <fieldset class="utrecht-form-fieldset">
                <legend class="utrecht-form-fieldset__legend utrecht-heading-2">{tr(lang, "settings-language-title")}</legend>
                <p class="utrecht-paragraph">{tr(lang, "settings-language-text")}</p>
                {options}
            </fieldset>
            <input type="hidden" name="return_to" value="/instellingen" />
            <CsrfField />
            <button class="utrecht-button utrecht-button--primary-action" type="submit">
                {tr(lang, "settings-language-save")}
            </button>
        </form>
        <super::identity::AccountSettings />
        {super::identity::use_viewer().signed_in.is_some().then(|| view! {
            <section class="loket-card" aria-labelledby="messages-settings-title">
                <h2 id="messages-settings-title" class="utrecht-heading-2">{tr(lang, "messages-title")}</h2>
                <p class="utrecht-paragraph">{tr(lang, "messages-settings-text")}</p>
                <a class="utrecht-button-link utrecht-button-link--secondary-action" href=crate::paths::MESSAGE_SETTINGS>{tr(lang, "messages-link")}</a>
            </section>
        })}
    }
}

/// Shown by the service worker when a navigation fails without a network.
#[component]
pub fn OfflinePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=tr(lang, "offline-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "offline-title")}</h1>
        <p class="utrecht-paragraph">{tr(lang, "offline-text")}</p>
        <a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::HOME>{tr(lang, "offline-retry")}</a>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=tr(lang, "not-found-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "not-found-title")}</h1>
        <p class="utrecht-paragraph">{tr(lang, "not-found-text")}</p>
        <a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::HOME>{tr(lang, "not-found-home")}</a>
    }
}
