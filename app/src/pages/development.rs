//! Medewerkers → Berichten in bestanden: the messages the embedded default wrote to files instead of sending
//! them (`data/outbox/`), for staff trying Loket out. Only staff of this municipality see it; every resident
//! whose message is shown is written to the audit log.

use super::SignedOutPage;
use crate::api::{get_outbox_files, OutboxFile};
use crate::i18n::{long_date, tr, tr_args, Lang};
use crate::shell::use_lang;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OutboxFilesPage() -> impl IntoView {
    let lang = use_lang();
    if super::identity::use_viewer().signed_in.is_none() {
        return view! { <SignedOutPage title_key="outbox-title" text_key="outbox-signed-out" /> }
            .into_any();
    }
    let files = Resource::new_blocking(|| (), |_| get_outbox_files());
    view! {
        <Title text=tr(lang, "outbox-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "outbox-title")}</h1>
        <Suspense fallback=|| ()>
            {move || files.get().map(|result| match result {
                Ok(Some(outbox)) if !outbox.files_route => view! {
                    <p class="utrecht-paragraph">{tr(lang, "outbox-not-files")}</p>
                }.into_any(),
                Ok(Some(outbox)) if outbox.messages.is_empty() => view! {
                    <p class="utrecht-paragraph">{tr(lang, "outbox-intro")}</p>
                    <p class="utrecht-paragraph">{tr(lang, "outbox-none")}</p>
                }.into_any(),
                Ok(Some(outbox)) => view! {
                    <p class="utrecht-paragraph">{tr(lang, "outbox-intro")}</p>
                    <ol class="loket-outbox">
                        {outbox.messages.into_iter().map(|m| view! { <Message lang message=m /> }).collect_view()}
                    </ol>
                }.into_any(),
                Ok(None) => view! { <p class="utrecht-paragraph">{tr(lang, "outbox-staff-only")}</p> }.into_any(),
                Err(error) => view! { <p class="loket-notice" role="alert">{tr(lang, error.message_key())}</p> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Message(lang: Lang, message: OutboxFile) -> impl IntoView {
    let channel = tr(lang, &format!("outbox-channel-{}", message.channel));
    view! {
        <li class="loket-outbox__item">
            <p class="loket-outbox__meta">
                {tr_args(lang, "outbox-meta", &[
                    ("date", &long_date(lang, &message.date)),
                    ("time", &message.time),
                    ("kind", &channel),
                    ("label", &message.to),
                ])}
            </p>
            {message.subject.map(|subject| view! { <p class="loket-outbox__subject"><strong>{subject}</strong></p> })}
            <pre class="loket-outbox__text">{message.text}</pre>
        </li>
    }
}
