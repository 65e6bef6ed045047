//! Instellingen → Berichten: the resident's own addresses (confirmed with a code), where each kind of message
//! goes, and the messages Loket sent with their status. Plain forms (POST /instellingen/berichten), so it all
//! works without JavaScript; a refused form comes back with the reason and what was typed.

use super::SignedOutPage;
use crate::api::{get_message_settings, AddressLine, FormProblem, MessageLine, MessageSettings};
use crate::i18n::{long_date, tr, tr_args, Lang};
use crate::paths::{FormId, MessagesForm, Notice};
use crate::shell::{use_lang, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;

const ACTION: &str = "/instellingen/berichten";

fn problem_for(
    problem: &Option<FormProblem>,
    form: MessagesForm,
    address: Option<&str>,
) -> Option<FormProblem> {
    problem
        .as_ref()
        .filter(|p| {
            p.form == FormId::Messages(form)
                && (address.is_none() || p.value("address").as_deref() == address)
        })
        .cloned()
}

#[component]
pub fn MessagesPage() -> impl IntoView {
    let lang = use_lang();
    if super::identity::use_viewer().signed_in.is_none() {
        return view! { <SignedOutPage title_key="messages-title" text_key="messages-signed-out" /> }
            .into_any();
    }
    let problem = use_context::<FormProblem>();
    let notice = super::notice()
        .filter(|done| {
            [
                Notice::CodeSent,
                Notice::Confirmed,
                Notice::Removed,
                Notice::Saved,
                Notice::PushOn,
            ]
            .contains(done)
        })
        .map(|done| tr(lang, &format!("messages-done-{}", done.as_str())));
    let settings = Resource::new_blocking(|| (), |_| get_message_settings());
    view! {
        <Title text=tr(lang, "messages-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "messages-title")}</h1>
        <p class="utrecht-paragraph">{tr(lang, "messages-intro")}</p>
        {notice.map(|text| view! { <p class="loket-notice" role="status">{text}</p> })}
        {problem.clone().map(|p| view! {
            <div class="loket-notice loket-notice--error" role="alert">
                <p class="utrecht-paragraph"><strong>{tr(lang, "messages-problem-title")}</strong>" "{p.message}</p>
            </div>
        })}
        <Suspense fallback=|| ()>
            {move || settings.get().map(|result| match result {
                Ok(Some(settings)) => view! { <Settings lang settings problem=problem.clone() /> }.into_any(),
                Ok(None) => view! { <p class="utrecht-paragraph">{tr(lang, "messages-signed-out")}</p> }.into_any(),
                Err(error) => view! { <p class="loket-notice" role="alert">{tr(lang, error.message_key())}</p> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Settings(lang: Lang, settings: MessageSettings, problem: Option<FormProblem>) -> impl IntoView {
    let unreachable: Vec<String> = settings
        .addresses
        .iter()
        .filter(|a| a.failed)
        .map(|a| a.label.clone())
        .collect();
    let confirmed: Vec<AddressLine> = settings
        .addresses
        .iter()
        .filter(|a| a.state == "confirmed")
        .cloned()
        .collect();
    view! {
        {unreachable.into_iter().map(|label| view! {
            <p class="loket-notice" role="status">{tr_args(lang, "messages-unreachable", &[("label", &label)])}</p>
        }).collect_view()}
        <section class="loket-card" aria-labelledby="addresses-title">
            <h2 id="addresses-title" class="utrecht-heading-2">{tr(lang, "messages-addresses-title")}</h2>
            {if settings.addresses.is_empty() {
                view! { <p class="utrecht-paragraph">{tr(lang, "messages-addresses-none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="loket-addresses">
                        {settings.addresses.iter().map(|a| view! { <Address lang address=a.clone() problem=problem.clone() /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <AddAddress lang problem=problem_for(&problem, MessagesForm::Add, None) />
        <PushDevice lang key=settings.push_key.clone() />
        <Choices lang choices=settings.choices.clone() confirmed problem=problem_for(&problem, MessagesForm::Choose, None) />
        <section class="loket-card" aria-labelledby="recent-title">
            <h2 id="recent-title" class="utrecht-heading-2">{tr(lang, "messages-recent-title")}</h2>
            {if settings.recent.is_empty() {
                view! { <p class="utrecht-paragraph">{tr(lang, "messages-recent-none")}</p> }.into_any()
            } else {
                view! { <SentList lang messages=settings.recent.clone() /> }.into_any()
            }}
        </section>
    }
}

#[component]
fn Address(lang: Lang, address: AddressLine, problem: Option<FormProblem>) -> impl IntoView {
    let code_problem = problem_for(&problem, MessagesForm::Verify, Some(&address.id))
        .or_else(|| problem_for(&problem, MessagesForm::Resend, Some(&address.id)));
    let code_id = format!("code-{}", address.id);
    let hint_id = format!("code-hint-{}", address.id);
    let error_id = format!("code-error-{}", address.id);
    let described = if code_problem.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        hint_id.clone()
    };
    // Push subscriptions are confirmed by the device itself; a code form would make no sense for them.
    let needs_code = address.state != "confirmed" && address.channel != "push";
    let state = tr(lang, &format!("messages-state-{}", address.state));
    let remove_label = tr_args(lang, "messages-remove", &[("label", &address.label)]);
    view! {
        <li class="loket-addresses__item">
            <p class="utrecht-paragraph">
                <strong>{address.label.clone()}</strong>" · "
                {if address.channel == "push" { tr(lang, "messages-channel-push") } else { address.value.clone() }}
                " · "
                <span class="loket-addresses__state">{state}</span>
                {address.failed.then(|| view! { " · " <span class="loket-addresses__failed">{tr(lang, "messages-failed")}</span> })}
            </p>
            {needs_code.then(|| view! {
                <form method="post" action=ACTION class="loket-inline-form">
                    <input type="hidden" name="form" value=MessagesForm::Verify.as_str() />
                    <input type="hidden" name="address" value=address.id.clone() />
                    <div class="utrecht-form-field">
                        <label class="utrecht-form-label" for=code_id.clone()>{tr(lang, "messages-code")}</label>
                        <p class="utrecht-form-field-description" id=hint_id.clone()>{tr(lang, "messages-code-hint")}</p>
                        {code_problem.clone().map(|p| view! { <p class="utrecht-form-field-error-message" id=error_id.clone()>{p.message}</p> })}
                        <input class="utrecht-textbox" id=code_id.clone() name="code" type="text" inputmode="numeric"
                            autocomplete="one-time-code" maxlength="7" required=true
                            aria-describedby=described aria-invalid=code_problem.is_some().then_some("true") />
                    </div>
                    <CsrfField />
                    <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "messages-verify")}</button>
                </form>
                <form method="post" action=ACTION class="loket-inline-form">
                    <input type="hidden" name="form" value=MessagesForm::Resend.as_str() />
                    <input type="hidden" name="address" value=address.id.clone() />
                    <CsrfField />
                    <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "messages-resend")}</button>
                </form>
            })}
            {(address.state == "confirmed").then(|| {
                let (value, key) = if address.fallback {
                    ("nee", "messages-fallback-off")
                } else {
                    ("ja", "messages-fallback-on")
                };
                view! {
                    {address.fallback.then(|| view! { <p class="utrecht-paragraph">{tr(lang, "messages-fallback-is")}</p> })}
                    <form method="post" action=ACTION class="loket-inline-form">
                        <input type="hidden" name="form" value=MessagesForm::Fallback.as_str() />
                        <input type="hidden" name="address" value=address.id.clone() />
                        <input type="hidden" name="fallback" value=value />
                        <CsrfField />
                        <button class="utrecht-button utrecht-button--secondary-action" type="submit">
                            {tr_args(lang, key, &[("label", &address.label)])}
                        </button>
                    </form>
                }
            })}
            <form method="post" action=ACTION class="loket-inline-form">
                <input type="hidden" name="form" value=MessagesForm::Remove.as_str() />
                <input type="hidden" name="address" value=address.id.clone() />
                <CsrfField />
                <button class="utrecht-button utrecht-button--subtle" type="submit">{remove_label}</button>
            </form>
        </li>
    }
}

#[component]
fn AddAddress(lang: Lang, problem: Option<FormProblem>) -> impl IntoView {
    let typed = |name: &str| {
        problem
            .as_ref()
            .and_then(|p| p.value(name))
            .unwrap_or_default()
    };
    let sms = typed("channel") == "sms";
    let error = |field: &str| {
        problem
            .as_ref()
            .filter(|p| p.field == field)
            .map(|p| p.message.clone())
    };
    let value_error = error("value");
    let label_error = error("label");
    let describe = |hint: &str, error: &Option<String>, error_id: &str| {
        if error.is_some() {
            format!("{hint} {error_id}")
        } else {
            hint.to_owned()
        }
    };
    view! {
        <form class="loket-card" method="post" action=ACTION aria-labelledby="add-title">
            <h2 id="add-title" class="utrecht-heading-2">{tr(lang, "messages-add-title")}</h2>
            <input type="hidden" name="form" value=MessagesForm::Add.as_str() />
            <fieldset class="utrecht-form-fieldset">
                <legend class="utrecht-form-fieldset__legend">{tr(lang, "messages-channel")}</legend>
                <div class="utrecht-form-field utrecht-form-field--radio">
                    <input class="utrecht-radio-button" type="radio" name="channel" id="channel-email" value="email" checked=!sms />
                    <label class="utrecht-form-label utrecht-form-label--radio" for="channel-email">{tr(lang, "messages-channel-email")}</label>
                </div>
                <div class="utrecht-form-field utrecht-form-field--radio">
                    <input class="utrecht-radio-button" type="radio" name="channel" id="channel-sms" value="sms" checked=sms />
                    <label class="utrecht-form-label utrecht-form-label--radio" for="channel-sms">{tr(lang, "messages-channel-sms")}</label>
                </div>
            </fieldset>
            <div class="utrecht-form-field">
                <label class="utrecht-form-label" for="address-value">{tr(lang, "messages-value")}</label>
                <p class="utrecht-form-field-description" id="address-value-hint">{tr(lang, "messages-value-hint")}</p>
                {value_error.clone().map(|m| view! { <p class="utrecht-form-field-error-message" id="address-value-error">{m}</p> })}
                <input class="utrecht-textbox" id="address-value" name="value" type="text" autocomplete="email" maxlength="254"
                    required=true value=typed("value")
                    aria-describedby=describe("address-value-hint", &value_error, "address-value-error")
                    aria-invalid=value_error.is_some().then_some("true") />
            </div>
            <div class="utrecht-form-field">
                <label class="utrecht-form-label" for="address-label">{tr(lang, "messages-label")}</label>
                <p class="utrecht-form-field-description" id="address-label-hint">{tr(lang, "messages-label-hint")}</p>
                {label_error.clone().map(|m| view! { <p class="utrecht-form-field-error-message" id="address-label-error">{m}</p> })}
                <input class="utrecht-textbox" id="address-label" name="label" type="text" maxlength="40" required=true
                    value=typed("label")
                    aria-describedby=describe("address-label-hint", &label_error, "address-label-error")
                    aria-invalid=label_error.is_some().then_some("true") />
            </div>
            <CsrfField />
            <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "messages-add")}</button>
        </form>
    }
}

/// "Meldingen op dit apparaat": hidden until `/push.js` finds a browser that can receive web push; that script
/// subscribes with `key` and posts this form with the subscription's endpoint and keys.
#[component]
fn PushDevice(lang: Lang, key: String) -> impl IntoView {
    view! {
        <section class="loket-card" id="push-device" aria-labelledby="push-title" hidden=true data-key=key
            data-refused=tr(lang, "messages-push-refused") data-failed=tr(lang, "messages-push-failed")>
            <h2 id="push-title" class="utrecht-heading-2">{tr(lang, "messages-push-title")}</h2>
            <p class="utrecht-paragraph">{tr(lang, "messages-push-text")}</p>
            <form method="post" action=ACTION id="push-form">
                <input type="hidden" name="form" value=MessagesForm::Push.as_str() />
                <input type="hidden" name="endpoint" value="" />
                <input type="hidden" name="p256dh" value="" />
                <input type="hidden" name="auth" value="" />
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="push-label">{tr(lang, "messages-push-label")}</label>
                    <input class="utrecht-textbox" id="push-label" name="label" type="text" maxlength="40" required=true
                        value=tr(lang, "messages-push-default-label") />
                </div>
                <CsrfField />
                <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "messages-push-on")}</button>
                <p class="utrecht-paragraph" id="push-status" role="status"></p>
            </form>
            <script type="module" src="/push.js"></script>
        </section>
    }
}

#[component]
fn Choices(
    lang: Lang,
    choices: Vec<(String, Option<String>)>,
    confirmed: Vec<AddressLine>,
    problem: Option<FormProblem>,
) -> impl IntoView {
    if confirmed.is_empty() {
        return ().into_any();
    }
    let rows = choices
        .into_iter()
        .map(|(kind, chosen)| {
            let id = format!("choice-{kind}");
            let options = confirmed
                .iter()
                .map(|a| {
                    let selected = chosen.as_deref() == Some(a.id.as_str());
                    let shown = if a.channel == "push" { tr(lang, "messages-channel-push") } else { a.value.clone() };
                    view! { <option value=a.id.clone() selected=selected>{format!("{} ({shown})", a.label)}</option> }
                })
                .collect_view();
            view! {
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for=id.clone()>{tr(lang, &format!("messages-kind-{kind}"))}</label>
                    <select class="utrecht-select" id=id name=kind>
                        <option value="" selected=chosen.is_none()>{tr(lang, "messages-default")}</option>
                        {options}
                    </select>
                </div>
            }
        })
        .collect_view();
    view! {
        <form class="loket-card" method="post" action=ACTION aria-labelledby="choices-title">
            <h2 id="choices-title" class="utrecht-heading-2">{tr(lang, "messages-choices-title")}</h2>
            <p class="utrecht-paragraph">{tr(lang, "messages-choices-text")}</p>
            {problem.map(|p| view! { <p class="utrecht-form-field-error-message">{p.message}</p> })}
            <input type="hidden" name="form" value=MessagesForm::Choose.as_str() />
            {rows}
            <CsrfField />
            <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "messages-save")}</button>
        </form>
    }
    .into_any()
}

/// Messages sent to a resident and whether they arrived (her settings page and the contact centre's card).
#[component]
pub fn SentList(lang: Lang, messages: Vec<MessageLine>) -> impl IntoView {
    view! {
        <ul class="loket-sent">
            {messages.into_iter().map(|m| {
                let status_class = format!("loket-sent__status loket-sent__status--{}", m.status);
                view! {
                    <li class="loket-sent__item">
                        {tr_args(lang, "messages-sent-line", &[
                            ("date", &long_date(lang, &m.date)),
                            ("time", &m.time),
                            ("kind", &tr(lang, &format!("messages-sent-kind-{}", m.kind))),
                            ("label", &m.to_label),
                        ])}
                        " "
                        <span class=status_class>{tr(lang, &format!("messages-status-{}", m.status))}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
