//! Islands: the only parts of Loket that ship WASM. Everything else is plain server-rendered HTML.

use leptos::prelude::*;

/// Announces, politely, when the device goes offline, so a resident on a bad connection knows why nothing
/// happens. Renders nothing while online.
#[island]
pub fn ConnectionStatus(offline_text: String) -> impl IntoView {
    let (online, set_online) = signal(true);
    #[cfg(feature = "hydrate")]
    {
        set_online.set(window().navigator().on_line());
        let on = window_event_listener(leptos::ev::online, move |_| set_online.set(true));
        let off = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
        on_cleanup(move || {
            on.remove();
            off.remove();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_online;
    view! {
        <div class="loket-connection" role="status" aria-live="polite">
            {move || (!online.get()).then(|| view! { <p class="loket-connection__offline">{offline_text.clone()}</p> })}
        </div>
    }
}

/// Texts the passkey islands show for failures the browser (not the server) reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BrowserTexts {
    pub cancelled: String,
    pub unsupported: String,
    pub network: String,
}

#[cfg(feature = "hydrate")]
fn failure_text(failure: crate::browser::Failure, texts: &BrowserTexts) -> String {
    use crate::browser::Failure;
    match failure {
        Failure::Server(message) if !message.is_empty() => message,
        Failure::Server(_) | Failure::Network => texts.network.clone(),
        Failure::Cancelled => texts.cancelled.clone(),
        Failure::Unsupported => texts.unsupported.clone(),
    }
}

/// After a sign-in or activation: go where the server says, or show why it failed and let the visitor retry.
#[cfg(feature = "hydrate")]
fn go_on_or_explain(
    result: Result<wasm_bindgen::JsValue, crate::browser::Failure>,
    texts: &BrowserTexts,
    set_message: WriteSignal<String>,
    set_busy: WriteSignal<bool>,
) {
    use crate::browser::{self, field};
    match result {
        Ok(answer) => browser::go(
            &field(&answer, "next")
                .as_string()
                .unwrap_or_else(|| String::from("/")),
        ),
        Err(failure) => {
            set_message.set(failure_text(failure, texts));
            set_busy.set(false);
        }
    }
}

/// The message area every island has: the live region is always there (so a screen reader announces what
/// appears in it), the styled message only while there is something to say: an empty one showed as a bare
/// coloured bar under the form.
#[component]
pub fn Message(text: ReadSignal<String>) -> impl IntoView {
    view! {
        <div class="loket-live" role="alert">
            {move || {
                let text = text.get();
                (!text.is_empty()).then(|| view! { <p class="loket-message">{text}</p> })
            }}
        </div>
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignInTexts {
    pub with_passkey: String,
    pub other_way: String,
    pub account_number: String,
    pub account_number_hint: String,
    pub with_account_number: String,
    pub browser: BrowserTexts,
}

/// Sign-in with a passkey: username-less first; a fallback asks for the account number (for passkeys the
/// authenticator cannot find by itself).
#[island]
pub fn PasskeySignIn(texts: SignInTexts) -> impl IntoView {
    let (message, set_message) = signal(String::new());
    let (busy, set_busy) = signal(false);
    let number = NodeRef::<leptos::html::Input>::new();
    let browser_texts = StoredValue::new(texts.browser.clone());
    let sign_in = move |with_number: bool| {
        #[cfg(feature = "hydrate")]
        {
            use crate::browser::{self, field, object};
            let browser_texts = browser_texts.get_value();
            let typed = if with_number {
                number.get().map(|input| input.value()).unwrap_or_default()
            } else {
                String::new()
            };
            set_busy.set(true);
            set_message.set(String::new());
            leptos::task::spawn_local(async move {
                let result = async {
                    let start = object(&[("account_number", typed.into())]);
                    let challenge = browser::post("/api/auth/sign-in/start", &start).await?;
                    let credential = browser::use_passkey(&field(&challenge, "options")).await?;
                    let finish = object(&[
                        ("ceremony", field(&challenge, "ceremony")),
                        ("credential", credential),
                    ]);
                    browser::post("/api/auth/sign-in/finish", &finish).await
                }
                .await;
                go_on_or_explain(result, &browser_texts, set_message, set_busy);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (with_number, set_busy, set_message, number, browser_texts);
    };
    view! {
        <div class="loket-passkey">
            <button class="utrecht-button utrecht-button--primary-action" type="button"
                disabled=move || busy.get() on:click=move |_| sign_in(false)>
                {texts.with_passkey.clone()}
            </button>
            <details class="loket-details">
                <summary>{texts.other_way.clone()}</summary>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="account-number">{texts.account_number.clone()}</label>
                    <p class="utrecht-form-field-description" id="account-number-hint">{texts.account_number_hint.clone()}</p>
                    <input class="utrecht-textbox" id="account-number" name="account_number" type="text"
                        autocomplete="username" autocapitalize="characters" spellcheck="false"
                        aria-describedby="account-number-hint" node_ref=number />
                </div>
                <button class="utrecht-button utrecht-button--secondary-action" type="button"
                    disabled=move || busy.get() on:click=move |_| sign_in(true)>
                    {texts.with_account_number.clone()}
                </button>
            </details>
            <Message text=message />
        </div>
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActivationTexts {
    pub code: String,
    pub code_hint: String,
    pub name: String,
    pub name_hint: String,
    pub phone: String,
    pub computer: String,
    pub submit: String,
    pub browser: BrowserTexts,
}

/// Activation: the code from the desk, phone or letter, then a passkey on this device, in one flow.
#[island]
pub fn PasskeyActivation(texts: ActivationTexts) -> impl IntoView {
    let (message, set_message) = signal(String::new());
    let (busy, set_busy) = signal(false);
    let code = NodeRef::<leptos::html::Input>::new();
    let name = NodeRef::<leptos::html::Input>::new();
    let browser_texts = StoredValue::new(texts.browser.clone());
    #[cfg(feature = "hydrate")]
    {
        let suggestion = crate::browser::device_name(&texts.phone, &texts.computer);
        Effect::new(move |_| {
            if let Some(input) = name.get() {
                if input.value().is_empty() {
                    input.set_value(&suggestion);
                }
            }
        });
    }
    let activate = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use crate::browser::{self, field, object};
            let browser_texts = browser_texts.get_value();
            let typed = code.get().map(|i| i.value()).unwrap_or_default();
            let chosen = name.get().map(|i| i.value()).unwrap_or_default();
            set_busy.set(true);
            set_message.set(String::new());
            leptos::task::spawn_local(async move {
                let result = async {
                    let challenge = browser::post(
                        "/api/auth/activation/start",
                        &object(&[("code", typed.into())]),
                    )
                    .await?;
                    let credential = browser::create_passkey(&field(&challenge, "options")).await?;
                    let finish = object(&[
                        ("ceremony", field(&challenge, "ceremony")),
                        ("credential", credential),
                        ("name", chosen.into()),
                    ]);
                    browser::post("/api/auth/activation/finish", &finish).await
                }
                .await;
                go_on_or_explain(result, &browser_texts, set_message, set_busy);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (set_busy, set_message, code, name, browser_texts);
    };
    view! {
        <form class="loket-card loket-passkey" on:submit=activate>
            <div class="utrecht-form-field">
                <label class="utrecht-form-label" for="activation-code">{texts.code.clone()}</label>
                <p class="utrecht-form-field-description" id="activation-code-hint">{texts.code_hint.clone()}</p>
                <input class="utrecht-textbox" id="activation-code" name="code" type="text" required=true
                    autocomplete="one-time-code" autocapitalize="characters" spellcheck="false"
                    aria-describedby="activation-code-hint" node_ref=code />
            </div>
            <div class="utrecht-form-field">
                <label class="utrecht-form-label" for="passkey-name">{texts.name.clone()}</label>
                <p class="utrecht-form-field-description" id="passkey-name-hint">{texts.name_hint.clone()}</p>
                <input class="utrecht-textbox" id="passkey-name" name="name" type="text" maxlength="60"
                    autocomplete="off" aria-describedby="passkey-name-hint" node_ref=name />
            </div>
            <button class="utrecht-button utrecht-button--primary-action" type="submit" disabled=move || busy.get()>
                {texts.submit.clone()}
            </button>
            <Message text=message />
        </form>
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DemoTexts {
    /// (who, button label) for each demo identity.
    pub identities: Vec<(String, String)>,
    pub code_for: String,
    pub next: String,
    pub browser: BrowserTexts,
}

/// Demo mode only: fresh activation codes for the demo identities, shown on screen.
#[island]
pub fn DemoCodes(texts: DemoTexts) -> impl IntoView {
    let (message, set_message) = signal(String::new());
    let (code, set_code) = signal(None::<(String, String)>);
    let browser_texts = StoredValue::new(texts.browser.clone());
    let buttons = texts
        .identities
        .iter()
        .map(|(who, label)| {
            let who = StoredValue::new(who.clone());
            let label_for_code = StoredValue::new(label.clone());
            let issue = move |_| {
                #[cfg(feature = "hydrate")]
                {
                    use crate::browser::{self, field, object};
                    let browser_texts = browser_texts.get_value();
                    let who = who.get_value();
                    let label = label_for_code.get_value();
                    leptos::task::spawn_local(async move {
                        match browser::post("/api/demo/activation-codes", &object(&[("who", who.into())])).await {
                            Ok(answer) => {
                                set_message.set(String::new());
                                set_code.set(field(&answer, "code").as_string().map(|c| (label, c)));
                            }
                            Err(failure) => set_message.set(failure_text(failure, &browser_texts)),
                        }
                    });
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (who, label_for_code, browser_texts, set_code, set_message);
            };
            view! {
                <li>
                    <button class="utrecht-button utrecht-button--secondary-action" type="button" on:click=issue>
                        {label.clone()}
                    </button>
                </li>
            }
        })
        .collect_view();
    let code_for = texts.code_for.clone();
    let next = texts.next.clone();
    view! {
        <div class="loket-demo-codes">
            <ul class="loket-button-list">{buttons}</ul>
            <div role="status" aria-live="polite">
                {move || code.get().map(|(label, code)| view! {
                    <p class="utrecht-paragraph">{format!("{code_for} {label}:")}</p>
                    <p class="loket-code" data-testid="demo-code">{code}</p>
                    <a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::ACTIVATE>{next.clone()}</a>
                })}
            </div>
            <Message text=message />
        </div>
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasskeyActionTexts {
    pub add: String,
    pub phone: String,
    pub computer: String,
    pub remove: String,
    pub browser: BrowserTexts,
}

/// Adds a passkey on this device to the signed-in account, then shows the updated list.
#[island]
pub fn PasskeyAdd(texts: PasskeyActionTexts) -> impl IntoView {
    let (message, set_message) = signal(String::new());
    let browser_texts = StoredValue::new(texts.browser.clone());
    let names = StoredValue::new((texts.phone.clone(), texts.computer.clone()));
    let add = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use crate::browser::{self, field, object};
            let browser_texts = browser_texts.get_value();
            let (phone, computer) = names.get_value();
            leptos::task::spawn_local(async move {
                let result = async {
                    let challenge =
                        browser::post("/api/account/passkeys/start", &object(&[])).await?;
                    let credential = browser::create_passkey(&field(&challenge, "options")).await?;
                    let finish = object(&[
                        ("ceremony", field(&challenge, "ceremony")),
                        ("credential", credential),
                        ("name", browser::device_name(&phone, &computer).into()),
                    ]);
                    browser::post("/api/account/passkeys/finish", &finish).await
                }
                .await;
                match result {
                    Ok(_) => browser::reload(),
                    Err(failure) => set_message.set(failure_text(failure, &browser_texts)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (browser_texts, names, set_message);
    };
    view! {
        <div>
            <button class="utrecht-button utrecht-button--secondary-action" type="button" on:click=add>
                {texts.add.clone()}
            </button>
            <Message text=message />
        </div>
    }
}

/// Removes one passkey (the server refuses the last one, or without a recent sign-in, with a message).
#[island]
pub fn PasskeyRemove(id: String, label: String, texts: PasskeyActionTexts) -> impl IntoView {
    let (message, set_message) = signal(String::new());
    let browser_texts = StoredValue::new(texts.browser.clone());
    let id = StoredValue::new(id);
    let remove = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use crate::browser::{self, object};
            let browser_texts = browser_texts.get_value();
            let path = format!("/api/account/passkeys/{}/remove", id.get_value());
            leptos::task::spawn_local(async move {
                match browser::post(&path, &object(&[])).await {
                    Ok(_) => browser::reload(),
                    Err(failure) => set_message.set(failure_text(failure, &browser_texts)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (browser_texts, id, set_message);
    };
    view! {
        <div>
            <button class="utrecht-button utrecht-button--secondary-action" type="button" on:click=remove aria-label=label>
                {texts.remove.clone()}
            </button>
            <Message text=message />
        </div>
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionTexts {
    pub title: String,
    pub text: String,
    pub stay: String,
    pub sign_out: String,
}

/// The session clock: two minutes before the idle timeout a dialog offers "Blijf ingelogd"; when the time is up
/// it ends the session on the server too and goes to the sign-in page, which says why.
#[island]
pub fn SessionTimer(remaining_ms: i64, texts: SessionTexts) -> impl IntoView {
    // The deadline on this device's clock: now + what the server says is left.
    #[cfg(feature = "hydrate")]
    let deadline = js_sys::Date::now() + remaining_ms as f64;
    #[cfg(not(feature = "hydrate"))]
    let deadline = remaining_ms as f64;
    let (ends_at, set_ends_at) = signal(deadline);
    let (warning, set_warning) = signal(false);
    let stay_button = NodeRef::<leptos::html::Button>::new();
    #[cfg(feature = "hydrate")]
    {
        use crate::browser::{self, field, object};
        const WARN_MS: f64 = 120_000.0;
        // Sign out once, not on every tick while the sign-in page loads.
        let ending = StoredValue::new(false);
        let tick = move || {
            let left = ends_at.get_untracked() - js_sys::Date::now();
            if left <= 0.0 && !ending.get_value() {
                ending.set_value(true);
                leptos::task::spawn_local(async move {
                    let _ = browser::post("/api/auth/sign-out", &object(&[])).await;
                    browser::go("/inloggen?reden=verlopen");
                });
            } else if left <= WARN_MS && !warning.get_untracked() {
                set_warning.set(true);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
        Effect::new(move |_| {
            if warning.get() {
                if let Some(button) = stay_button.get() {
                    let _ = button.focus();
                }
            }
        });
        let _ = (field, set_ends_at);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ends_at, set_warning, stay_button);
    let stay = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use crate::browser::{self, field, object};
            leptos::task::spawn_local(async move {
                if let Ok(answer) = browser::post("/api/auth/session/extend", &object(&[])).await {
                    let left = field(&answer, "remaining_ms").as_f64().unwrap_or_default();
                    set_ends_at.set(js_sys::Date::now() + left);
                    set_warning.set(false);
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (set_ends_at, set_warning);
    };
    let sign_out = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::browser::{self, object};
            let _ = browser::post("/api/auth/sign-out", &object(&[])).await;
            browser::go("/inloggen?reden=uitgelogd");
        });
    };
    view! {
        <Show when=move || warning.get()>
            <div class="loket-dialog-backdrop">
                <div class="loket-dialog" role="alertdialog" aria-modal="true"
                    aria-labelledby="session-warning-title" aria-describedby="session-warning-text">
                    <h2 id="session-warning-title" class="utrecht-heading-2">{texts.title.clone()}</h2>
                    <p id="session-warning-text" class="utrecht-paragraph">{texts.text.clone()}</p>
                    <div class="loket-dialog__actions">
                        <button class="utrecht-button utrecht-button--primary-action" type="button"
                            node_ref=stay_button on:click=stay>{texts.stay.clone()}</button>
                        <button class="utrecht-button utrecht-button--secondary-action" type="button"
                            on:click=sign_out>{texts.sign_out.clone()}</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
