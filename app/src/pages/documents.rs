//! Documents: the list of what a resident sent (with a plain remove form), and the one island that
//! photographs, previews, turns, orders, shrinks and sends pages — each page its own request, so a page that
//! failed is sent again alone.

use super::{error_notice, SignedOutPage};
use crate::api::{get_documents, DocumentView};
use crate::i18n::{tr, tr_args, Lang};
use crate::pages::identity::use_viewer;
use crate::shell::{use_lang, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;

/// Documenten: what she sent, per appointment, to open or (until it is taken into processing) remove.
/// Sending happens on the appointment's own page, next to what to bring.
#[component]
pub fn DocumentsPage() -> impl IntoView {
    let lang = use_lang();
    if use_viewer().signed_in.is_none() {
        return view! { <SignedOutPage title_key="documents-title" text_key="documents-signed-out" /> }.into_any();
    }
    if let Some(page) = super::records_closed_page("documents-title") {
        return page;
    }
    let groups = Resource::new_blocking(|| (), |_| get_documents());
    view! {
        <Title text=tr(lang, "documents-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "documents-title")}</h1>
        <Suspense fallback=|| ()>
            {move || groups.get().map(|result| match result {
                Ok(Some(groups)) if groups.is_empty() => view! {
                    <p class="utrecht-paragraph">{tr(lang, "documents-none")}</p>
                    <p><a class="utrecht-link" href=crate::paths::APPOINTMENTS>{tr(lang, "appointments-title")}</a></p>
                }.into_any(),
                Ok(Some(groups)) => groups
                    .into_iter()
                    .enumerate()
                    .map(|(i, group)| {
                        let heading_id = format!("documents-group-{i}");
                        let labelled_by = heading_id.clone();
                        view! {
                            <section class="loket-card" aria-labelledby=labelled_by>
                                <h2 id=heading_id class="utrecht-heading-2">
                                    {match group.link.clone() {
                                        Some(href) => view! { <a class="utrecht-link" href=href>{group.heading.clone()}</a> }.into_any(),
                                        None => group.heading.clone().into_any(),
                                    }}
                                </h2>
                                <DocumentList lang documents=group.documents.clone() removable=group.removable />
                            </section>
                        }
                    })
                    .collect_view()
                    .into_any(),
                Ok(None) => view! { <SignedOutPage title_key="documents-title" text_key="documents-signed-out" /> }.into_any(),
                Err(error) => error_notice(lang, &error),
            })}
        </Suspense>
    }
    .into_any()
}

/// The documents sent so far, each to open (when the reader may) and to remove (until the municipality has
/// taken it into processing). On the staff card `take_for` is the card's path: a role that may open a
/// document takes it into processing there.
#[component]
pub fn DocumentList(
    lang: Lang,
    documents: Vec<DocumentView>,
    removable: bool,
    #[prop(optional_no_strip)] take_for: Option<String>,
) -> impl IntoView {
    let items = documents
        .into_iter()
        .map(|document| {
            let pages = if document.pages == 1 {
                tr(lang, "documents-page-one")
            } else {
                tr_args(lang, "documents-pages", &[("count", &document.pages.to_string())])
            };
            let mut sent = tr_args(lang, "documents-sent", &[("when", &crate::i18n::long_date_time(lang, &document.sent))]);
            if !document.removable {
                sent = format!("{sent} · {}", tr(lang, "documents-taken"));
            }
            let title = document.title.clone();
            let remove_label = tr_args(lang, "documents-remove-label", &[("title", &title)]);
            let take_label = tr_args(lang, "documents-take-label", &[("title", &title)]);
            let take = take_for
                .clone()
                .filter(|_| document.openable && document.removable)
                .map(|card| format!("{card}/documenten/{}/in-behandeling", document.id));
            view! {
                <li class="loket-documents__item">
                    {if document.openable {
                        view! { <a class="utrecht-link" href=format!("/documenten/{}", document.id)>{title.clone()}</a> }.into_any()
                    } else {
                        view! { <strong>{title.clone()}</strong> }.into_any()
                    }}
                    <span class="loket-documents__meta">{format!(" · {pages} · {sent}")}</span>
                    {(removable && document.removable).then(|| view! {
                        <form class="loket-documents__remove" method="post" action=format!("/documenten/{}/verwijderen", document.id)>
                            <CsrfField />
                            <button class="utrecht-button utrecht-button--subtle" type="submit" aria-label=remove_label.clone()>
                                {tr(lang, "documents-remove")}
                            </button>
                        </form>
                    })}
                    {take.map(|action| view! {
                        <form class="loket-documents__remove" method="post" action=action>
                            <CsrfField />
                            <button class="utrecht-button utrecht-button--secondary-action" type="submit" aria-label=take_label.clone()>
                                {tr(lang, "documents-take")}
                            </button>
                        </form>
                    })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="loket-documents">{items}</ul> }
}

/// What the upload island says; filled in by the page in the visitor's language.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UploadTexts {
    pub title: String,
    pub title_hint: String,
    pub take_photo: String,
    pub choose_files: String,
    pub choose_hint: String,
    /// "Or drag files here" (shown where a mouse can drag).
    pub drop: String,
    /// "Pagina {n}" with `{n}` replaced per page.
    pub page: String,
    pub turn: String,
    pub earlier: String,
    pub later: String,
    pub remove: String,
    pub send: String,
    pub waiting: String,
    pub sending: String,
    pub sent: String,
    pub failed: String,
    /// "{done} van {total} pagina's verstuurd".
    pub progress: String,
    pub no_title: String,
    pub no_pages: String,
    /// "Pagina {n} is groter dan … MB" (the limit filled in).
    pub too_large: String,
    pub network: String,
    pub unsupported: String,
}

/// Where one page is. (Only the browser sends, so the server build never makes the sending states.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum PageState {
    Waiting,
    Sending(u32),
    Sent,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Page {
    /// Stable within this page view: the key of its file.
    key: u32,
    name: String,
    /// Preview (an object URL of the file on this device); `None` for a PDF.
    preview: Option<String>,
    quarter_turns: u32,
    state: PageState,
}

/// Adding documents to an appointment or a case: `start` is where a draft is started (`/afspraken/{id}/
/// documenten`, `/zaken/{id}/documenten`), `done` the page to show once it is sent. Without JavaScript
/// the page shows the list only; this island is the camera, the preview and the sending.
#[island]
pub fn DocumentUpload(
    start: String,
    done: String,
    titles: Vec<String>,
    max_bytes: u64,
    texts: UploadTexts,
) -> impl IntoView {
    let pages = RwSignal::new(Vec::<Page>::new());
    let (message, set_message) = signal(String::new());
    let (busy, set_busy) = signal(false);
    let title = NodeRef::<leptos::html::Input>::new();
    let texts = StoredValue::new(texts);
    let start = StoredValue::new(start);
    let done = StoredValue::new(done);
    #[cfg(feature = "hydrate")]
    let files = StoredValue::new_local(Vec::<(u32, web_sys::Blob)>::new());
    #[cfg(feature = "hydrate")]
    let draft = StoredValue::new(None::<String>);
    #[cfg(feature = "hydrate")]
    let next_key = StoredValue::new(0u32);

    // Any change to the pages after some were sent starts a new draft: page numbers follow the order.
    let changed = move || {
        #[cfg(feature = "hydrate")]
        draft.set_value(None);
        pages.update(|pages| {
            for page in pages.iter_mut() {
                page.state = PageState::Waiting;
            }
        });
    };

    // Files chosen with a picker or dropped on the form become pages, in the order given.
    #[cfg(feature = "hydrate")]
    let add_list = move |list: web_sys::FileList| {
        for i in 0..list.length() {
            let Some(file) = list.get(i) else { continue };
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            let pdf =
                file.type_() == "application/pdf" || file.name().to_lowercase().ends_with(".pdf");
            let preview = if pdf {
                None
            } else {
                crate::browser::object_url(&file)
            };
            let name = file.name();
            files.update_value(|files| files.push((key, file.into())));
            pages.update(|pages| {
                pages.push(Page {
                    key,
                    name,
                    preview,
                    quarter_turns: 0,
                    state: PageState::Waiting,
                })
            });
        }
        changed();
        set_message.set(String::new());
    };
    let add_files = move |event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&event);
            if let Some(list) = input.files() {
                add_list(list);
            }
            input.set_value("");
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    // Dragging files onto the form (on a computer) adds them as the picker does; the picker stays the way
    // by keyboard.
    let (dragging, set_dragging) = signal(false);
    let drag_over = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        set_dragging.set(true);
    };
    let drop_files = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        set_dragging.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(list) = event.data_transfer().and_then(|data| data.files()) {
            add_list(list);
        }
    };

    let remove = move |key: u32| {
        pages.update(|pages| {
            if let Some(at) = pages.iter().position(|p| p.key == key) {
                let page = pages.remove(at);
                #[cfg(feature = "hydrate")]
                if let Some(url) = page.preview {
                    crate::browser::revoke_object_url(&url);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = page;
            }
        });
        #[cfg(feature = "hydrate")]
        files.update_value(|files| files.retain(|(k, _)| *k != key));
        changed();
        // The row and its buttons are gone: the focus goes to the choice of files, not to the page's start.
        #[cfg(feature = "hydrate")]
        focus_later(String::from("document-files"));
    };
    let shift = move |key: u32, by: isize, button: &'static str| {
        pages.update(|pages| {
            if let Some(at) = pages.iter().position(|p| p.key == key) {
                let to = at.checked_add_signed(by).filter(|to| *to < pages.len());
                if let Some(to) = to {
                    pages.swap(at, to);
                }
            }
        });
        changed();
        // Moving a row can take the focus off the button that moved it: give it back.
        #[cfg(feature = "hydrate")]
        focus_later(format!("page-{key}-{button}"));
        #[cfg(not(feature = "hydrate"))]
        let _ = button;
    };
    let turn = move |key: u32| {
        pages.update(|pages| {
            if let Some(page) = pages.iter_mut().find(|p| p.key == key) {
                page.quarter_turns = (page.quarter_turns + 1) % 4;
            }
        });
        changed();
    };

    let send = move || {
        #[cfg(feature = "hydrate")]
        {
            use crate::browser::{self, field, Failure};
            let texts = texts.get_value();
            let title_text = title.get().map(|t| t.value()).unwrap_or_default();
            if title_text.trim().is_empty() {
                set_message.set(texts.no_title.clone());
                if let Some(input) = title.get() {
                    let _ = input.focus();
                }
                return;
            }
            if pages.with_untracked(Vec::is_empty) {
                set_message.set(texts.no_pages.clone());
                return;
            }
            set_busy.set(true);
            set_message.set(String::new());
            let (start, done) = (start.get_value(), done.get_value());
            leptos::task::spawn_local(async move {
                let explain = |failure: Failure| match failure {
                    Failure::Server(text) if !text.is_empty() => text,
                    Failure::Unsupported => texts.unsupported.clone(),
                    _ => texts.network.clone(),
                };
                let draft_id = match draft.get_value() {
                    Some(id) => id,
                    None => {
                        match browser::post_form(&start, &[("title", title_text.trim())]).await {
                            Ok(answer) => {
                                let id = field(&answer, "draft").as_string().unwrap_or_default();
                                draft.set_value(Some(id.clone()));
                                id
                            }
                            Err(failure) => {
                                set_message.set(explain(failure));
                                set_busy.set(false);
                                return;
                            }
                        }
                    }
                };
                let order: Vec<(usize, Page)> =
                    pages.get_untracked().into_iter().enumerate().collect();
                for (n, page) in order {
                    if page.state == PageState::Sent {
                        continue;
                    }
                    let set_state = move |state: PageState| {
                        pages.update(|pages| {
                            if let Some(p) = pages.iter_mut().find(|p| p.key == page.key) {
                                p.state = state;
                            }
                        })
                    };
                    set_state(PageState::Sending(0));
                    let Some(file) = files.with_value(|files| {
                        files
                            .iter()
                            .find(|(k, _)| *k == page.key)
                            .map(|(_, f)| f.clone())
                    }) else {
                        continue;
                    };
                    // A photo the browser cannot read (a HEIC one in Chrome, say) goes as it is: the server
                    // then says what to do with it.
                    let body = if page.preview.is_some() {
                        browser::downscale(&file, page.quarter_turns, 2000)
                            .await
                            .unwrap_or(file)
                    } else {
                        file
                    };
                    // Said here, before sending: the server refuses it too, but only after it arrived.
                    #[allow(clippy::cast_precision_loss)]
                    if body.size() > max_bytes as f64 {
                        set_state(PageState::Failed);
                        set_message.set(texts.too_large.replace("{n}", &(n + 1).to_string()));
                        set_busy.set(false);
                        return;
                    }
                    let path = format!("/documenten/concepten/{draft_id}/paginas/{n}");
                    let progress = move |share: f64| {
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        set_state(PageState::Sending((share * 100.0).round() as u32));
                    };
                    match browser::put_with_progress(&path, &body, progress).await {
                        Ok(_) => set_state(PageState::Sent),
                        Err(failure) => {
                            set_state(PageState::Failed);
                            set_message.set(explain(failure));
                            set_busy.set(false);
                            return;
                        }
                    }
                }
                let path = format!("/documenten/concepten/{draft_id}/versturen");
                match browser::post_form(&path, &[]).await {
                    Ok(_) => browser::go(&done),
                    Err(failure) => {
                        set_message.set(explain(failure));
                        set_busy.set(false);
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (set_message, set_busy, start, done, title, max_bytes);
    };

    let progress = move || {
        let pages = pages.get();
        let total = pages.len();
        let done = pages.iter().filter(|p| p.state == PageState::Sent).count();
        let percent: u32 = if total == 0 {
            0
        } else {
            let sum: u32 = pages
                .iter()
                .map(|p| match p.state {
                    PageState::Sent => 100,
                    PageState::Sending(share) => share,
                    _ => 0,
                })
                .sum();
            sum / u32::try_from(total).unwrap_or(1)
        };
        (done, total, percent)
    };
    let t = move |pick: fn(&UploadTexts) -> &String| texts.with_value(|t| pick(t).clone());
    let datalist = titles
        .into_iter()
        .map(|title| view! { <option value=title></option> })
        .collect_view();

    view! {
        <div class=move || if dragging.get() { "loket-upload loket-upload--dragging" } else { "loket-upload" }
            on:dragover=drag_over on:dragleave=move |_| set_dragging.set(false) on:drop=drop_files>
            <div class="utrecht-form-field">
                <label class="utrecht-form-label" for="document-title">{t(|t| &t.title)}</label>
                <p class="utrecht-form-field-description" id="document-title-hint">{t(|t| &t.title_hint)}</p>
                <input class="utrecht-textbox" id="document-title" name="title" type="text" maxlength="120"
                    list="document-titles" aria-describedby="document-title-hint" autocomplete="off" node_ref=title />
                <datalist id="document-titles">{datalist}</datalist>
            </div>
            <p class="utrecht-form-field-description" id="document-files-hint">{t(|t| &t.choose_hint)}</p>
            <p class="utrecht-form-field-description loket-upload__drop">{t(|t| &t.drop)}</p>
            <div class="loket-upload__pick">
                <label class="utrecht-button utrecht-button--secondary-action loket-upload__picker">
                    {t(|t| &t.take_photo)}
                    <input class="loket-visually-hidden" type="file" accept="image/*" capture="environment"
                        aria-describedby="document-files-hint"
                        on:change=add_files />
                </label>
                <label class="utrecht-button utrecht-button--secondary-action loket-upload__picker">
                    {t(|t| &t.choose_files)}
                    <input class="loket-visually-hidden" type="file" multiple accept="image/jpeg,image/png,image/heic,image/heif,application/pdf"
                        aria-describedby="document-files-hint" id="document-files"
                        on:change=add_files />
                </label>
            </div>
            <ol class="loket-upload__pages">
                <For each=move || pages.get() key=|page| page.key let:page>
                    {
                        let key = page.key;
                        // Number, turn and state follow the list as it changes; the row itself stays (and with it
                        // the keyboard focus on its buttons).
                        let at = move || pages.with(|all| all.iter().position(|p| p.key == key));
                        let current = move || pages.with(|all| all.iter().find(|p| p.key == key).cloned());
                        let label = move || {
                            let number = at().map_or(0, |i| i + 1);
                            t(|t| &t.page).replace("{n}", &number.to_string())
                        };
                        let state = move || match current().map(|p| p.state) {
                            Some(PageState::Sending(share)) => t(|t| &t.sending).replace("{percent}", &share.to_string()),
                            Some(PageState::Sent) => t(|t| &t.sent),
                            Some(PageState::Failed) => t(|t| &t.failed),
                            _ => t(|t| &t.waiting),
                        };
                        let turns = move || current().map_or(0, |p| p.quarter_turns);
                        let button = move |name: fn(&UploadTexts) -> &String, id: &'static str, action: Box<dyn Fn() + Send + Sync>| {
                            view! {
                                <button type="button" class="utrecht-button utrecht-button--subtle"
                                    id=format!("page-{key}-{id}")
                                    aria-label=move || format!("{}: {}", t(name), label())
                                    disabled=move || busy.get() on:click=move |_| action()>{t(name)}</button>
                            }
                            .into_any()
                        };
                        view! {
                            <li class="loket-upload__page">
                                {match page.preview.clone() {
                                    Some(src) => view! {
                                        <img class=move || format!("loket-upload__thumb loket-turn-{}", turns()) src=src alt=label />
                                    }.into_any(),
                                    None => {
                                        let name = page.name.clone();
                                        view! { <span class="loket-upload__pdf">{move || format!("{}: {name}", label())}</span> }.into_any()
                                    }
                                }}
                                <span class="loket-upload__state">{state}</span>
                                <span class="loket-upload__actions">
                                    {page.preview.is_some().then(|| button(|t| &t.turn, "turn", Box::new(move || turn(key))))}
                                    {button(|t| &t.earlier, "earlier", Box::new(move || shift(key, -1, "earlier")))}
                                    {button(|t| &t.later, "later", Box::new(move || shift(key, 1, "later")))}
                                    {button(|t| &t.remove, "remove", Box::new(move || remove(key)))}
                                </span>
                            </li>
                        }
                        .into_any()
                    }
                </For>
            </ol>
            <div class="loket-upload__progress" aria-live="polite">
                {move || {
                    let (done, total, percent) = progress();
                    (total > 0 && (busy.get() || done > 0)).then(|| view! {
                        <label for="document-progress">
                            {t(|t| &t.progress).replace("{done}", &done.to_string()).replace("{total}", &total.to_string())}
                        </label>
                        <progress id="document-progress" max="100" value=percent.to_string()>{format!("{percent}%")}</progress>
                    })
                }}
            </div>
            <button class="utrecht-button utrecht-button--primary-action" type="button"
                disabled=move || busy.get() on:click=move |_| send()>{t(|t| &t.send)}</button>
            <crate::islands::Message text=message />
        </div>
    }
    .into_any()
}

/// Focuses element `id` once the view has caught up with the change that moved or removed it.
#[cfg(feature = "hydrate")]
fn focus_later(id: String) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}

/// The texts of [`DocumentUpload`] in `lang`, for files up to `max_bytes`.
pub fn upload_texts(lang: Lang, max_bytes: u64) -> UploadTexts {
    UploadTexts {
        title: tr(lang, "upload-title"),
        title_hint: tr(lang, "upload-title-hint"),
        take_photo: tr(lang, "upload-take-photo"),
        choose_files: tr(lang, "upload-choose-files"),
        choose_hint: tr(lang, "upload-choose-hint"),
        drop: tr(lang, "upload-drop"),
        page: tr_args(lang, "upload-page", &[("n", "{n}")]),
        turn: tr(lang, "upload-turn"),
        earlier: tr(lang, "upload-earlier"),
        later: tr(lang, "upload-later"),
        remove: tr(lang, "upload-remove"),
        send: tr(lang, "upload-send"),
        waiting: tr(lang, "upload-waiting"),
        sending: tr_args(lang, "upload-sending", &[("percent", "{percent}")]),
        sent: tr(lang, "upload-sent"),
        failed: tr(lang, "upload-failed"),
        progress: tr_args(
            lang,
            "upload-progress",
            &[("done", "{done}"), ("total", "{total}")],
        ),
        no_title: tr(lang, "upload-no-title"),
        no_pages: tr(lang, "upload-no-pages"),
        too_large: tr_args(
            lang,
            "upload-too-large",
            &[
                ("n", "{n}"),
                ("mb", &(max_bytes / (1024 * 1024)).to_string()),
            ],
        ),
        network: tr(lang, "upload-network"),
        unsupported: tr(lang, "upload-unsupported"),
    }
}
