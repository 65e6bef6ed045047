//! Identity pages: sign in, activate (code + first passkey), the demo's activation codes, the Activiteit page,
//! and the account part of Instellingen (passkeys, sign out everywhere).

use super::SignedOutPage;
use crate::api::{get_activity, get_passkeys, ActivityLine, Viewer};
use crate::i18n::{long_date, tr, tr_args, Lang};
use crate::islands::{
    ActivationTexts, BrowserTexts, DemoCodes, DemoTexts, PasskeyActionTexts, PasskeyActivation,
    PasskeyAdd, PasskeyRemove, PasskeySignIn, SignInTexts,
};
use crate::shell::{use_lang, use_municipality, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub fn use_viewer() -> Viewer {
    use_context::<Viewer>().unwrap_or_default()
}

fn browser_texts(lang: Lang) -> BrowserTexts {
    BrowserTexts {
        cancelled: tr(lang, "passkey-cancelled"),
        unsupported: tr(lang, "passkey-unsupported"),
        network: tr(lang, "error-transport"),
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let lang = use_lang();
    let viewer = use_viewer();
    let municipality = use_municipality();
    let reason = use_query_map().get_untracked().get("reden");
    let notice = match reason.as_deref() {
        Some("verlopen") => Some(tr(lang, "sign-in-expired")),
        Some("uitgelogd") => Some(tr(lang, "sign-in-signed-out")),
        _ if viewer.session_ended => Some(tr(lang, "sign-in-expired")),
        _ => None,
    };
    let refused = use_query_map()
        .get_untracked()
        .get(crate::paths::DOOR_REFUSED)
        .and_then(|word| crate::paths::DoorRefusal::parse(&word))
        .map(|refusal| tr(lang, refusal.key()));
    // One section per configured door; Logius' checklist: the municipality's name stands at the DigiD button.
    let door = |name: &'static str, primary: bool| {
        municipality.doors.iter().any(|d| d == name).then(|| {
            let title_id = format!("{name}-title");
            let labelled_by = title_id.clone();
            let kind = if primary { "primary" } else { "secondary" };
            view! {
                <section class="loket-card" aria-labelledby=labelled_by>
                    <h2 id=title_id class="utrecht-heading-2">{tr(lang, &format!("sign-in-{name}-title"))}</h2>
                    <p class="utrecht-paragraph">{tr_args(lang, &format!("sign-in-{name}-text"), &[("municipality", &municipality.name)])}</p>
                    <a class=format!("utrecht-button-link utrecht-button-link--{kind}-action") href=crate::paths::door_start(name)>
                        {tr(lang, &format!("sign-in-{name}-button"))}
                    </a>
                </section>
            }
        })
    };
    let digid = door("digid", true);
    let eidas = door("eidas", false);
    let eherkenning = door("eherkenning", false);
    // Without a broker the activation code and passkey are the only way in: said as the demo door it is.
    let demo_door = municipality.doors.is_empty().then(|| {
        view! {
            <p class="loket-notice" role="note">
                <strong>{tr(lang, "sign-in-demo-title")}</strong>" "{tr(lang, "sign-in-demo-text")}
            </p>
        }
    });
    // With DigiD, a passkey no longer opens her cases: said where she would choose it.
    let passkey_limits = digid.is_some().then(
        || view! { <p class="utrecht-paragraph">{tr(lang, "sign-in-passkey-with-digid")}</p> },
    );
    let texts = SignInTexts {
        with_passkey: tr(lang, "sign-in-with-passkey"),
        other_way: tr(lang, "sign-in-other-way"),
        account_number: tr(lang, "sign-in-account-number"),
        account_number_hint: tr(lang, "sign-in-account-number-hint"),
        with_account_number: tr(lang, "sign-in-with-account-number"),
        browser: browser_texts(lang),
    };
    let body = match viewer.signed_in {
        Some(signed_in) => view! {
            <section class="loket-card">
                <p class="utrecht-paragraph">{tr_args(lang, "sign-in-already", &[("name", &signed_in.display_name)])}</p>
                <a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::HOME>{tr(lang, "not-found-home")}</a>
            </section>
        }
        .into_any(),
        None => view! {
            {demo_door}
            {digid}
            {eidas}
            {eherkenning}
            <section class="loket-card" aria-labelledby="passkey-title">
                <h2 id="passkey-title" class="utrecht-heading-2">{tr(lang, "sign-in-passkey-title")}</h2>
                <p class="utrecht-paragraph">{tr(lang, "sign-in-passkey-text")}</p>
                {passkey_limits}
                <PasskeySignIn texts />
            </section>
            <section class="loket-card" aria-labelledby="first-time-title">
                <h2 id="first-time-title" class="utrecht-heading-2">{tr(lang, "sign-in-first-time-title")}</h2>
                <p class="utrecht-paragraph">{tr_args(lang, "sign-in-first-time-text", &[("phone", &municipality.phone)])}</p>
                <a class="utrecht-button-link utrecht-button-link--secondary-action" href=crate::paths::ACTIVATE>{tr(lang, "activate-title")}</a>
            </section>
        }
        .into_any(),
    };
    view! {
        <Title text=tr(lang, "sign-in-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "sign-in-title")}</h1>
        {notice.map(|text| view! { <p class="loket-notice" role="status">{text}</p> })}
        {refused.map(|text| view! { <p class="loket-notice loket-notice--error" role="alert">{text}</p> })}
        {body}
    }
}

#[component]
pub fn ActivationPage() -> impl IntoView {
    let lang = use_lang();
    let municipality = use_municipality();
    let texts = ActivationTexts {
        code: tr(lang, "activate-code"),
        code_hint: tr(lang, "activate-code-hint"),
        name: tr(lang, "activate-name"),
        name_hint: tr(lang, "activate-name-hint"),
        phone: tr(lang, "device-phone"),
        computer: tr(lang, "device-computer"),
        submit: tr(lang, "activate-submit"),
        browser: browser_texts(lang),
    };
    view! {
        <Title text=tr(lang, "activate-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "activate-title")}</h1>
        <p class="utrecht-paragraph">{tr(lang, "activate-intro")}</p>
        <PasskeyActivation texts />
        <p class="utrecht-paragraph">{tr_args(lang, "activate-no-code", &[("phone", &municipality.phone)])}</p>
    }
}

/// Demo mode only (404 otherwise): activation codes for the demo identities.
#[component]
pub fn DemoPage() -> impl IntoView {
    let lang = use_lang();
    if !use_municipality().demo {
        return view! { <super::NotFoundPage /> }.into_any();
    }
    let texts = DemoTexts {
        identities: vec![
            (String::from("desiree"), tr(lang, "demo-who-desiree")),
            (String::from("bedrijf"), tr(lang, "demo-who-company")),
            (String::from("karin"), tr(lang, "demo-who-karin")),
            (String::from("sanne"), tr(lang, "demo-who-sanne")),
            (String::from("bram"), tr(lang, "demo-who-bram")),
        ],
        code_for: tr(lang, "demo-code-for"),
        next: tr(lang, "demo-next"),
        browser: browser_texts(lang),
    };
    view! {
        <Title text=tr(lang, "demo-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "demo-title")}</h1>
        <p class="loket-notice">{tr(lang, "demo-warning")}</p>
        <p class="utrecht-paragraph">{tr(lang, "demo-intro")}</p>
        <DemoCodes texts />
    }
    .into_any()
}

fn activity_text(lang: Lang, line: &ActivityLine) -> String {
    let key = format!("activity-{}", line.event);
    // A message names its kind as the message list does; every other line names a kind of data or action.
    let prefix = if line.event == "message-sent" {
        "messages-sent-kind"
    } else {
        "data-kind"
    };
    let data = line
        .data_kind
        .as_deref()
        .map(|kind| tr(lang, &format!("{prefix}-{kind}")))
        .unwrap_or_default();
    let role = line
        .staff_role
        .as_deref()
        .map(|role| tr(lang, &format!("staff-role-{role}")))
        .unwrap_or_default();
    tr_args(
        lang,
        &key,
        &[
            ("name", line.staff_name.as_deref().unwrap_or_default()),
            ("role", &role),
            ("data", &data),
        ],
    )
}

/// Activiteit: what happened with the resident's account and who at the municipality looked at their data.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let lang = use_lang();
    if use_viewer().signed_in.is_none() {
        return view! { <SignedOutPage title_key="activity-title" text_key="activity-sign-in-to-see" /> }
            .into_any();
    }
    let lines = Resource::new_blocking(|| (), |_| get_activity());
    view! {
        <Title text=tr(lang, "activity-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "activity-title")}</h1>
        <p class="utrecht-paragraph">{tr(lang, "activity-intro")}</p>
        <Suspense fallback=|| ()>
            {move || lines.get().map(|result| match result {
                Ok(lines) if lines.is_empty() => view! { <p class="utrecht-paragraph">{tr(lang, "activity-none")}</p> }.into_any(),
                Ok(lines) => view! {
                    <ol class="loket-activity">
                        {lines.iter().map(|line| view! {
                            <li class="loket-activity__item">
                                <span class="loket-activity__when">{tr_args(lang, "activity-when", &[("date", &long_date(lang, &line.date)), ("time", &line.time)])}</span>
                                <span>{activity_text(lang, line)}</span>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
                Err(error) => view! { <p class="loket-notice" role="alert">{tr(lang, error.message_key())}</p> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

/// "Naam wijzigen" for one passkey: a plain form behind a disclosure (no script needed). A refused name
/// opens it again with the reason at the field and what was typed.
#[component]
fn PasskeyRename(lang: Lang, id: String, name: String) -> impl IntoView {
    let problem = use_context::<crate::api::FormProblem>()
        .filter(|p| p.form == crate::paths::FormId::Passkey(id.clone()));
    // The notice names the passkey (see `paths::passkey_renamed`), so it shows next to that one.
    let renamed = use_query_map()
        .get_untracked()
        .get(crate::paths::NOTICE)
        .is_some_and(|done| done == format!("passkey-{id}"));
    let input_id = format!("passkey-name-{id}");
    let error_id = format!("passkey-name-{id}-error");
    let value = problem
        .as_ref()
        .and_then(|p| p.value("naam"))
        .unwrap_or_else(|| name.clone());
    view! {
        {renamed.then(|| view! { <p class="loket-notice" role="status">{tr(lang, "passkeys-renamed")}</p> })}
        <details class="loket-details loket-passkeys__rename" open=problem.is_some()>
            <summary>{tr(lang, "passkeys-rename")}<span class="loket-visually-hidden">{format!(": {name}")}</span></summary>
            <form method="post" action=format!("/instellingen/passkeys/{}/naam", super::encode(&id))>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for=input_id.clone()>{tr(lang, "passkeys-new-name")}</label>
                    {problem.as_ref().map(|p| view! { <p class="utrecht-form-field-error-message" id=error_id.clone()>{p.message.clone()}</p> })}
                    <input class="utrecht-textbox" id=input_id type="text" name="naam" maxlength="60" autocomplete="off"
                        value=value
                        aria-describedby=problem.is_some().then(|| error_id.clone())
                        aria-invalid=problem.is_some().then_some("true") />
                </div>
                <CsrfField />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "passkeys-save-name")}</button>
            </form>
        </details>
    }
}

/// The signed-in part of Instellingen: account number, passkeys, sign out everywhere.
#[component]
pub fn AccountSettings() -> impl IntoView {
    let lang = use_lang();
    let Some(signed_in) = use_viewer().signed_in else {
        return ().into_any();
    };
    let texts = PasskeyActionTexts {
        add: tr(lang, "passkeys-add"),
        phone: tr(lang, "device-phone"),
        computer: tr(lang, "device-computer"),
        remove: tr(lang, "passkeys-remove"),
        browser: browser_texts(lang),
    };
    let passkeys = Resource::new_blocking(|| (), |_| get_passkeys());
    let activity_link = view! {
        <p class="utrecht-paragraph"><a href=crate::paths::ACTIVITY>{tr(lang, "activity-link")}</a></p>
        <p class="utrecht-paragraph"><a href=crate::paths::MY_DETAILS>{tr(lang, "my-details-link")}</a></p>
    };
    let row_texts = texts.clone();
    view! {
        <section class="loket-card" aria-labelledby="passkeys-title">
            <h2 id="passkeys-title" class="utrecht-heading-2">{tr(lang, "passkeys-title")}</h2>
            <p class="utrecht-paragraph">{tr_args(lang, "passkeys-account-number", &[("number", &signed_in.account_number)])}</p>
            <Suspense fallback=|| ()>
                {move || passkeys.get().map(|result| match result {
                    Ok(list) => view! {
                        <ul class="loket-passkeys">
                            {list.into_iter().map(|p| {
                                let used = p.last_used.as_deref().map(|d| long_date(lang, d)).unwrap_or_else(|| tr(lang, "passkeys-never-used"));
                                let label = tr_args(lang, "passkeys-remove-label", &[("name", &p.name)]);
                                view! {
                                    <li class="loket-passkeys__item">
                                        <span class="loket-passkeys__name">{p.name.clone()}</span>
                                        <span>{tr_args(lang, "passkeys-dates", &[("created", &long_date(lang, &p.created)), ("used", &used)])}</span>
                                        <PasskeyRename lang id=p.id.clone() name=p.name.clone() />
                                        <PasskeyRemove id=p.id label texts=row_texts.clone() />
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <p class="loket-notice" role="alert">{tr(lang, error.message_key())}</p> }.into_any(),
                })}
            </Suspense>
            <PasskeyAdd texts />
            {activity_link}
        </section>
        {(!signed_in.memberships.is_empty()).then(|| {
            let acting = signed_in.acting_as.as_ref().map(|(id, _)| id.clone()).unwrap_or_default();
            let mut choices = vec![(String::new(), tr_args(lang, "acting-as-myself", &[("name", &signed_in.display_name)]))];
            choices.extend(signed_in.memberships.iter().cloned());
            let options = choices.into_iter().enumerate().map(|(i, (id, label))| {
                let input_id = format!("acting-as-{i}");
                let checked = id == acting;
                view! {
                    <div class="utrecht-form-field utrecht-form-field--radio">
                        <input class="utrecht-radio-button" type="radio" name="organisation" id=input_id.clone() value=id checked=checked />
                        <label class="utrecht-form-label utrecht-form-label--radio" for=input_id>{label}</label>
                    </div>
                }
            }).collect_view();
            view! {
                <form class="loket-card" method="post" action=crate::paths::ACT_AS>
                    <fieldset class="utrecht-form-fieldset">
                        <legend class="utrecht-form-fieldset__legend utrecht-heading-2">{tr(lang, "acting-as-title")}</legend>
                        <p class="utrecht-paragraph">{tr(lang, "acting-as-text")}</p>
                        {options}
                    </fieldset>
                    <CsrfField />
                    <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "acting-as-save")}</button>
                </form>
            }
        })}
        <section class="loket-card" aria-labelledby="sessions-title">
            <h2 id="sessions-title" class="utrecht-heading-2">{tr(lang, "sessions-title")}</h2>
            <p class="utrecht-paragraph">{tr(lang, "sessions-text")}</p>
            <form method="post" action=crate::paths::SIGN_OUT_EVERYWHERE>
                <CsrfField />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "sessions-everywhere")}</button>
            </form>
        </section>
    }
    .into_any()
}

/// Mijn gegevens: what the BRP knows of her, read for this page in her DigiD session. A session that does not
/// open her records is asked to sign in with DigiD; without a BRP connection the page says where to look.
#[component]
pub fn MyDetailsPage() -> impl IntoView {
    let lang = use_lang();
    if use_viewer().signed_in.is_none() {
        return view! { <super::SignedOutPage title_key="my-details-title" text_key="my-details-signed-out" /> }.into_any();
    }
    if let Some(page) = super::records_closed_page("my-details-title") {
        return page;
    }
    let details = OnceResource::new(crate::api::get_my_details());
    view! {
        <Title text=tr(lang, "my-details-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "my-details-title")}</h1>
        <p class="utrecht-paragraph loket-lead">{tr(lang, "my-details-intro")}</p>
        <Suspense>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(Some(crate::api::MyDetails::Found { name, birth_date, birth_place, address, in_research })) => {
                        let research = (!in_research.is_empty()).then(|| {
                            let parts: Vec<String> = in_research.iter().map(|p| tr(lang, &format!("research-{p}"))).collect();
                            view! {
                                <p class="loket-notice" role="status">
                                    {tr_args(lang, "my-details-research", &[("parts", &parts.join(", "))])}
                                </p>
                            }
                        });
                        let born = birth_date.map(|date| crate::i18n::long_date(lang, &date)).unwrap_or_default();
                        view! {
                            {research}
                            <section class="loket-card" aria-labelledby="my-details-brp">
                                <h2 id="my-details-brp" class="utrecht-heading-2">{tr(lang, "my-details-brp")}</h2>
                                <dl class="loket-given">
                                    <dt>{tr(lang, "my-details-name")}</dt><dd>{name}</dd>
                                    <dt>{tr(lang, "my-details-born")}</dt><dd>{born}</dd>
                                    {birth_place.map(|place| view! { <dt>{tr(lang, "my-details-born-in")}</dt><dd>{place}</dd> })}
                                    <dt>{tr(lang, "my-details-address")}</dt>
                                    <dd>{address.into_iter().map(|line| view! { <span class="loket-hits__facts">{line}</span> }).collect_view()}</dd>
                                </dl>
                                <p class="utrecht-paragraph">{tr(lang, "my-details-wrong")}</p>
                            </section>
                        }.into_any()
                    }
                    Ok(Some(crate::api::MyDetails::NotFound)) => view! {
                        <p class="loket-notice" role="status">{tr(lang, "my-details-not-found")}</p>
                    }.into_any(),
                    Ok(Some(crate::api::MyDetails::NoRegister)) | Ok(None) => view! {
                        <p class="utrecht-paragraph">{tr(lang, "my-details-no-register")}</p>
                    }.into_any(),
                    Err(error) => super::error_notice(lang, &error),
                }
            })}
        </Suspense>
    }
    .into_any()
}
