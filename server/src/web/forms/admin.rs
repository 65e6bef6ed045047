//! The administrators' forms (`/beheer/medewerkers`): adding an employee (the answer shows their activation
//! code once), a new code for one who lost their passkeys, revoking a code that is still out, recording a
//! leaver, changing a role. Only staff with the administrator role, signed in with a passkey
//! ([`Administrator`]); every code issued or revoked is in the audit log.

use super::super::extract::{Administrator, PageForm, StaffAccounts};
use super::super::reply::{q, see_other, PageError, Refused};
use super::super::AppState;
use crate::identity::accounts::StaffRole;
use crate::identity::activation::IssuedCode;
use crate::services::Services;
use crate::staff::StaffChange;
use app::api::IssuedActivation;
use app::i18n::tr;
use app::paths::{FormId, Notice};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;

const PAGE: &str = app::paths::ADMIN_STAFF;
const NOT_NOW: PageError = PageError::Said(StatusCode::SERVICE_UNAVAILABLE, "page-refused-not-now");

/// The staff page again, now with `issued` on it once (never in a URL, never cached).
fn with_code(services: &Services, issued: IssuedCode, name: String) -> Response {
    let (until_date, until_time) = services.date_and_time(issued.expires_at);
    let shown = IssuedActivation {
        for_whom: Some(name),
        code: issued.code,
        until_date,
        until_time,
    };
    let mut response =
        PageError::render(Some(PAGE.to_owned()), StatusCode::OK, shown).into_response();
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct AddForm {
    naam: String,
    rol: String,
}

/// POST /beheer/medewerkers (`naam`, `rol`): a new employee, and the activation code for their first passkey.
/// A refusal shows the page again with the reason at the field and what was typed.
pub async fn add(
    State(state): State<AppState>,
    admin: Administrator<StaffAccounts>,
    PageForm(form): PageForm<AddForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let lang = super::super::request_lang();
    let name = form.naam.trim();
    let refused = |field: &str, key: &str| {
        Refused::form(FormId::AddStaff)
            .at(PAGE.to_owned())
            .keeping(vec![
                (String::from("naam"), name.chars().take(200).collect()),
                (String::from("rol"), form.rol.clone()),
            ])
            .saying(StatusCode::UNPROCESSABLE_ENTITY, field, tr(lang, key))
    };
    if name.is_empty() || name.chars().count() > 100 {
        return Err(refused("naam", "admin-refused-name"));
    }
    let Some(role) = StaffRole::parse(&form.rol) else {
        return Err(refused("rol", "admin-refused-choose-role"));
    };
    let issued = crate::staff::add_with_activation_code(
        &services.db,
        &services.municipality.id,
        name,
        role,
        &format!("staff:{}", admin.staff_id),
        Timestamp::now(),
    )
    .await
    .map_err(|error| {
        tracing::error!(%error, "staff member could not be added");
        NOT_NOW
    })?;
    Ok(with_code(services, issued, name.to_owned()))
}

/// POST /beheer/medewerkers/{id}/activeringscode: a new code for an employee (a new phone, a lost passkey);
/// earlier open codes stop working.
pub async fn new_code(
    State(state): State<AppState>,
    admin: Administrator<StaffAccounts>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let now = Timestamp::now();
    let member = ours(services, &id, now).await?;
    let issued = crate::staff::new_staff_code(
        &services.db,
        &services.municipality.id,
        &id,
        &admin.staff_id,
        now,
    )
    .await
    .map_err(|error| {
        tracing::error!(%error, "staff activation code could not be issued");
        NOT_NOW
    })?;
    Ok(with_code(services, issued, member.name))
}

/// POST /beheer/medewerkers/{id}/activeringscode/intrekken: the employee's open code stops working.
pub async fn revoke_code(
    State(state): State<AppState>,
    admin: Administrator<StaffAccounts>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let now = Timestamp::now();
    ours(services, &id, now).await?;
    crate::staff::revoke_staff_codes(
        &services.db,
        &services.municipality.id,
        &id,
        &admin.staff_id,
        now,
    )
    .await
    .map_err(|error| {
        tracing::error!(%error, "staff activation code could not be revoked");
        NOT_NOW
    })?;
    Ok(see_other(at_entry(Notice::StaffCodeRevoked, &id)))
}

/// POST /beheer/medewerkers/{id}/uit-dienst: the employee left; their sessions end at once and their
/// passkeys go (audited). An administrator does not do this to themselves.
pub async fn leave(
    State(state): State<AppState>,
    admin: Administrator<StaffAccounts>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let now = Timestamp::now();
    let done = crate::staff::leave(
        &services.db,
        &services.municipality.id,
        &id,
        &admin.staff_id,
        now,
    )
    .await;
    changed(done, Notice::Left, &id)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RoleForm {
    rol: String,
}

/// POST /beheer/medewerkers/{id}/rol (`rol`): another role; their sessions end, the next sign-in has it.
pub async fn set_role(
    State(state): State<AppState>,
    admin: Administrator<StaffAccounts>,
    Path(id): Path<String>,
    PageForm(form): PageForm<RoleForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let role = StaffRole::parse(&form.rol).ok_or(PageError::Said(
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin-refused-role",
    ))?;
    let done = crate::staff::set_role(
        &services.db,
        &services.municipality.id,
        &id,
        role,
        &admin.staff_id,
        Timestamp::now(),
    )
    .await;
    changed(done, Notice::Role, &id)
}

/// The staff page at employee `id`'s entry, with `notice`.
fn at_entry(notice: Notice, id: &str) -> String {
    format!("{}#medewerker-{}", notice.on(PAGE), q(id))
}

/// The answer to a change of an employee: back to the list at their entry, or why not.
fn changed(done: Result<(), StaffChange>, notice: Notice, id: &str) -> Result<Response, PageError> {
    match done {
        Ok(()) => Ok(see_other(at_entry(notice, id))),
        Err(StaffChange::NotFound) => Err(PageError::Said(
            StatusCode::NOT_FOUND,
            "admin-refused-staff-gone",
        )),
        Err(StaffChange::Oneself) => Err(PageError::Said(
            StatusCode::CONFLICT,
            "admin-refused-oneself",
        )),
        Err(StaffChange::Identity(error)) => {
            tracing::error!(%error, "staff change failed");
            Err(NOT_NOW)
        }
    }
}

/// Employee `id` when they work for this municipality (404 otherwise, 503 when that cannot be read).
async fn ours(
    services: &Services,
    id: &str,
    now: Timestamp,
) -> Result<crate::staff::Member, PageError> {
    match crate::staff::member(&services.db, &services.municipality.id, id, now).await {
        Ok(Some(member)) => Ok(member),
        Ok(None) => Err(PageError::Said(
            StatusCode::NOT_FOUND,
            "admin-refused-staff-unknown",
        )),
        Err(error) => {
            tracing::error!(%error, "staff member could not be read");
            Err(NOT_NOW)
        }
    }
}
