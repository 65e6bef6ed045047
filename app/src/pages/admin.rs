//! `/beheer/medewerkers`: the administrators' page. Every employee with their role and whether they can sign
//! in (passkeys) or have a code out; adding one, a new code for one, revoking an open code. Plain forms: it
//! works without JavaScript. A code just issued is shown once, in the answer to the form.

use super::{encode, error_notice, SignedOutPage};
use crate::api::{get_staff_members, FormProblem, IssuedActivation, StaffMemberView};
use crate::i18n::{long_date, tr, tr_args, Lang};
use crate::pages::identity::use_viewer;
use crate::paths::Notice;
use crate::shell::{use_lang, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;

const ROLES: [&str; 3] = ["kcc", "backoffice", "admin"];

/// The page for anyone but an administrator (sign in, or "only administrators"); `None` for an administrator.
pub(super) fn not_an_administrator(lang: Lang, title_key: &'static str) -> Option<AnyView> {
    let viewer = use_viewer();
    if viewer.signed_in.is_none() {
        return Some(view! { <SignedOutPage title_key text_key="admin-only" /> }.into_any());
    }
    if !viewer.signed_in.as_ref().is_some_and(|s| s.admin) {
        return Some(
            view! {
                <Title text=tr(lang, title_key) />
                <h1 class="utrecht-heading-1">{tr(lang, title_key)}</h1>
                <p class="utrecht-paragraph">{tr(lang, "admin-only")}</p>
            }
            .into_any(),
        );
    }
    None
}

#[component]
pub fn AdminStaffPage() -> impl IntoView {
    let lang = use_lang();
    if let Some(refusal) = not_an_administrator(lang, "admin-staff-title") {
        return refusal;
    }
    let members = Resource::new_blocking(|| (), |_| get_staff_members());
    let notice = super::notice().and_then(|done| match done {
        Notice::StaffCodeRevoked => Some("admin-code-revoked"),
        Notice::Left => Some("admin-left-done"),
        Notice::Role => Some("admin-role-done"),
        _ => None,
    });
    view! {
        <Title text=tr(lang, "admin-staff-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "admin-staff-title")}</h1>
        <p class="utrecht-paragraph loket-lead">{tr(lang, "admin-staff-intro")}</p>
        {use_context::<IssuedActivation>().map(|issued| view! {
            <div class="loket-notice" role="status">
                <p class="utrecht-paragraph">{tr_args(lang, "admin-code-issued", &[
                    ("name", &issued.for_whom.clone().unwrap_or_default()),
                    ("date", &long_date(lang, &issued.until_date)),
                    ("time", &issued.until_time),
                ])}</p>
                <p class="loket-code">{issued.code}</p>
            </div>
        })}
        {notice.map(|key| view! { <p class="loket-notice" role="status">{tr(lang, key)}</p> })}
        <Suspense fallback=|| ()>
            {move || members.get().map(|result| match result {
                Ok(Some(members)) => view! {
                    <ul class="loket-case-list">
                        {members.into_iter().map(|member| view! { <Member lang member /> }).collect_view()}
                    </ul>
                }.into_any(),
                Ok(None) => view! { <p class="utrecht-paragraph">{tr(lang, "admin-only")}</p> }.into_any(),
                Err(error) => error_notice(lang, &error),
            })}
        </Suspense>
        <AddStaff lang />
        <p class="utrecht-paragraph"><a class="utrecht-link" href=crate::paths::ADMIN_CATALOGUE>{tr(lang, "catalogue-title")}</a></p>
    }
    .into_any()
}

#[component]
fn Member(lang: Lang, member: StaffMemberView) -> impl IntoView {
    let path = format!("/beheer/medewerkers/{}", encode(&member.id));
    let sign_in = if member.passkeys == 0 {
        tr(lang, "admin-no-passkey")
    } else {
        tr_args(
            lang,
            "admin-passkeys",
            &[("count", &member.passkeys.to_string())],
        )
    };
    let name = member.name.clone();
    if member.left {
        return view! {
            <li class="loket-case" id=format!("medewerker-{}", member.id)>
                <h2 class="loket-case__title">{member.name.clone()}</h2>
                <p class="loket-case__meta">{tr(lang, &format!("staff-role-{}", member.role))} " · " {tr(lang, "admin-left")}</p>
            </li>
        }
        .into_any();
    }
    let role_id = format!("rol-{}", member.id);
    let roles = ["kcc", "backoffice", "admin"]
        .into_iter()
        .map(|role| {
            let selected = role == member.role;
            view! { <option value=role selected=selected>{tr(lang, &format!("staff-role-{role}"))}</option> }
        })
        .collect_view();
    view! {
        <li class="loket-case" id=format!("medewerker-{}", member.id)>
            <h2 class="loket-case__title">{member.name.clone()}</h2>
            <p class="loket-case__meta">{tr(lang, &format!("staff-role-{}", member.role))} " · " {sign_in}</p>
            {member.open_code.clone().map(|(date, time)| view! {
                <p class="utrecht-paragraph">{tr_args(lang, "staff-code-open", &[("date", &long_date(lang, &date)), ("time", &time)])}</p>
                <form method="post" action=format!("{path}/activeringscode/intrekken")>
                    <CsrfField />
                    <button class="utrecht-button utrecht-button--secondary-action" type="submit"
                        aria-label=format!("{}: {name}", tr(lang, "staff-code-revoke"))>
                        {tr(lang, "staff-code-revoke")}
                    </button>
                </form>
            })}
            <form method="post" action=format!("{path}/activeringscode")>
                <CsrfField />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit"
                    aria-label=format!("{}: {}", tr(lang, "admin-new-code"), member.name)>
                    {tr(lang, "admin-new-code")}
                </button>
            </form>
            <form method="post" action=format!("{path}/rol") class="loket-inline-form">
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for=role_id.clone()>{tr_args(lang, "admin-role-label", &[("name", &member.name)])}</label>
                    <select class="utrecht-select" id=role_id name="rol">{roles}</select>
                </div>
                <CsrfField />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit"
                    aria-label=format!("{}: {}", tr(lang, "admin-role-save"), member.name)>
                    {tr(lang, "admin-role-save")}
                </button>
            </form>
            <form method="post" action=format!("{path}/uit-dienst")>
                <CsrfField />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit"
                    aria-label=format!("{}: {}", tr(lang, "admin-leave"), member.name)>
                    {tr(lang, "admin-leave")}
                </button>
            </form>
        </li>
    }
    .into_any()
}

/// "Medewerker toevoegen": name and role; the answer shows their code.
#[component]
fn AddStaff(lang: Lang) -> impl IntoView {
    let problem = use_context::<FormProblem>().filter(|p| p.form == crate::paths::FormId::AddStaff);
    let value = |name: &str| {
        problem
            .as_ref()
            .and_then(|p| p.value(name))
            .unwrap_or_default()
    };
    let error_at = |name: &str| {
        problem
            .clone()
            .filter(|p| p.field == name)
            .map(|p| p.message)
    };
    let (name_error, role_error) = (error_at("naam"), error_at("rol"));
    let chosen = value("rol");
    let options = ROLES
        .into_iter()
        .map(|role| view! { <option value=role selected=chosen == role>{tr(lang, &format!("staff-role-{role}"))}</option> })
        .collect_view();
    view! {
        <section class="loket-card" aria-labelledby="add-staff-title">
            <h2 id="add-staff-title" class="utrecht-heading-2">{tr(lang, "admin-add-title")}</h2>
            <form method="post" action=crate::paths::ADMIN_STAFF>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="staff-name">{tr(lang, "admin-add-name")}</label>
                    {name_error.clone().map(|m| view! { <p class="utrecht-form-field-error-message" id="staff-name-error">{m}</p> })}
                    <input class="utrecht-textbox" id="staff-name" name="naam" type="text" maxlength="100" autocomplete="off"
                        value=value("naam")
                        aria-describedby=name_error.is_some().then_some("staff-name-error")
                        aria-invalid=name_error.is_some().then_some("true") />
                </div>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="staff-role">{tr(lang, "admin-add-role")}</label>
                    {role_error.clone().map(|m| view! { <p class="utrecht-form-field-error-message" id="staff-role-error">{m}</p> })}
                    <select class="utrecht-select" id="staff-role" name="rol"
                        aria-describedby=role_error.is_some().then_some("staff-role-error")
                        aria-invalid=role_error.is_some().then_some("true")>
                        {options}
                    </select>
                </div>
                <CsrfField />
                <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "admin-add-button")}</button>
            </form>
        </section>
    }
}
