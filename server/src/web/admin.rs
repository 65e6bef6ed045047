//! The administrators' side (`/beheer/medewerkers`): the municipality's employees, adding one (the answer
//! shows their activation code once), a new code for one who lost their passkeys, and revoking a code that is
//! still out. Only staff with the administrator role, signed in with a passkey; every code issued or revoked
//! is in the audit log.

use super::appointments::{
    field, principal_of, problem_page, q, read_form, see_other, sign_in_again,
};
use super::bridge::Services;
use super::router::render_page;
use super::{AppState, NOT_NOW};
use crate::authorization::{decide, Action, Principal, Resource};
use crate::identity::accounts::StaffRole;
use crate::identity::activation::IssuedCode;
use app::api::{ApiError, FormProblem, IssuedActivation, StaffMemberView};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{Request, StatusCode};
use jiff::Timestamp;

const PAGE: &str = "/beheer/medewerkers";

impl Services {
    /// The employees, for an administrator of this municipality; `None` for anyone else.
    pub(super) async fn staff_members_for(
        &self,
        now: Timestamp,
    ) -> Result<Option<Vec<StaffMemberView>>, ApiError> {
        let (principal, _) = super::bridge::visitor().identity();
        let resource = Resource::StaffAccounts {
            municipality_id: &self.municipality.id,
        };
        if !decide(&principal, Action::Read, resource).allowed() {
            return Ok(None);
        }
        let members = crate::staff::members(&self.db, &self.municipality.id, now).await?;
        Ok(Some(
            members
                .into_iter()
                .map(|member| StaffMemberView {
                    id: member.id,
                    name: member.name,
                    role: member.role.as_str().to_owned(),
                    passkeys: member.passkeys,
                    open_code: member
                        .open_code
                        .map(|code| self.date_and_time(code.expires_at)),
                    left: member.left,
                })
                .collect(),
        ))
    }
}

/// Why a request is not an administrator's.
pub(super) enum NotAdministrator {
    SignedOut,
    Refused(&'static str),
}

impl IntoResponse for NotAdministrator {
    fn into_response(self) -> Response {
        match self {
            NotAdministrator::SignedOut => sign_in_again(),
            NotAdministrator::Refused(text) => (StatusCode::FORBIDDEN, text).into_response(),
        }
    }
}

/// The administrator (staff id) behind `request`, signed in with a passkey; otherwise why not.
fn administrator(services: &Services, request: &Request<Body>) -> Result<String, NotAdministrator> {
    let resource = Resource::StaffAccounts {
        municipality_id: &services.municipality.id,
    };
    administrator_of(
        resource,
        request,
        "Alleen beheerders maken medewerkers aan en geven hun activeringscodes.",
    )
}

/// The staff id behind `request` when they may change `resource` and signed in with a passkey; otherwise why
/// not (`only` says who may, in Dutch).
pub(super) fn administrator_of(
    resource: Resource<'_>,
    request: &Request<Body>,
    only: &'static str,
) -> Result<String, NotAdministrator> {
    let principal = principal_of(request);
    let Some(session) = request
        .extensions()
        .get::<super::session::Visitor>()
        .and_then(|v| v.session().cloned())
    else {
        return Err(NotAdministrator::SignedOut);
    };
    let Principal::Staff { staff_id, .. } = &principal else {
        return Err(NotAdministrator::Refused(only));
    };
    if !decide(&principal, Action::Change, resource).allowed() {
        return Err(NotAdministrator::Refused(only));
    }
    if session
        .require(crate::identity::sessions::Assurance::Substantial)
        .is_err()
    {
        return Err(NotAdministrator::Refused("Log opnieuw in met uw passkey."));
    }
    Ok(staff_id.clone())
}

/// The staff page again, now with `issued` on it once (never in a URL, never cached).
async fn with_code(
    state: AppState,
    request: Request<Body>,
    issued: IssuedCode,
    name: String,
) -> Response {
    let (until_date, until_time) = state.services.date_and_time(issued.expires_at);
    let (mut parts, _) = request.into_parts();
    parts.method = http::Method::GET;
    if let Ok(uri) = PAGE.parse() {
        parts.uri = uri;
    }
    let mut request = Request::from_parts(parts, Body::empty());
    request.extensions_mut().insert(IssuedActivation {
        for_whom: Some(name),
        code: issued.code,
        until_date,
        until_time,
    });
    let mut response = render_page(state, request).await;
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}

/// POST /beheer/medewerkers (`naam`, `rol`): a new employee, and the activation code for their first passkey.
/// A refusal shows the page again with the reason at the field and what was typed.
pub async fn add(State(state): State<AppState>, request: Request<Body>) -> Response {
    let services = state.services.clone();
    let admin = match administrator(&services, &request) {
        Ok(admin) => admin,
        Err(refusal) => return refusal.into_response(),
    };
    let (parts, body) = request.into_parts();
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let (name, role) = (field(&fields, "naam").trim(), field(&fields, "rol"));
    let problem = |field_name: &str, message: &str| FormProblem {
        form: String::from("add-staff"),
        field: field_name.to_owned(),
        message: message.to_owned(),
        values: vec![
            (String::from("naam"), name.chars().take(200).collect()),
            (String::from("rol"), role.to_owned()),
        ],
    };
    let refused = |problem: FormProblem| {
        problem_page(
            state.clone(),
            parts.clone(),
            PAGE.to_owned(),
            problem,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if name.is_empty() || name.chars().count() > 100 {
        return refused(problem(
            "naam",
            "Vul de naam van de medewerker in (hoogstens 100 tekens).",
        ))
        .await;
    }
    let Some(role) = StaffRole::parse(role) else {
        return refused(problem("rol", "Kies wat de medewerker doet.")).await;
    };
    let now = Timestamp::now();
    let added = crate::staff::add_with_activation_code(
        &services.db,
        &services.municipality.id,
        name,
        role,
        &format!("staff:{admin}"),
        now,
    )
    .await;
    match added {
        Ok(issued) => {
            let request = Request::from_parts(parts, Body::empty());
            with_code(state, request, issued, name.to_owned()).await
        }
        Err(error) => {
            tracing::error!(%error, "staff member could not be added");
            (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response()
        }
    }
}

/// POST /beheer/medewerkers/{id}/activeringscode: a new code for an employee (a new phone, a lost passkey);
/// earlier open codes stop working.
pub async fn new_code(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let services = state.services.clone();
    let admin = match administrator(&services, &request) {
        Ok(admin) => admin,
        Err(refusal) => return refusal.into_response(),
    };
    let now = Timestamp::now();
    let member = match ours(&services, &id, now).await {
        Ok(member) => member,
        Err(refusal) => return refusal,
    };
    match crate::staff::new_staff_code(&services.db, &services.municipality.id, &id, &admin, now)
        .await
    {
        Ok(issued) => with_code(state, request, issued, member.name).await,
        Err(error) => {
            tracing::error!(%error, "staff activation code could not be issued");
            (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response()
        }
    }
}

/// POST /beheer/medewerkers/{id}/activeringscode/intrekken: the employee's open code stops working.
pub async fn revoke_code(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let services = &state.services;
    let admin = match administrator(services, &request) {
        Ok(admin) => admin,
        Err(refusal) => return refusal.into_response(),
    };
    let now = Timestamp::now();
    if let Err(refusal) = ours(services, &id, now).await {
        return refusal;
    }
    let revoked =
        crate::staff::revoke_staff_codes(&services.db, &services.municipality.id, &id, &admin, now);
    match revoked.await {
        Ok(_) => see_other(format!("{PAGE}?gelukt=ingetrokken#medewerker-{}", q(&id))),
        Err(error) => {
            tracing::error!(%error, "staff activation code could not be revoked");
            (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response()
        }
    }
}

/// POST /beheer/medewerkers/{id}/uit-dienst: the employee left; their sessions end at once and their
/// passkeys go (audited). An administrator does not do this to themselves.
pub async fn leave(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let services = &state.services;
    let admin = match administrator(services, &request) {
        Ok(admin) => admin,
        Err(refusal) => return refusal.into_response(),
    };
    let now = Timestamp::now();
    let done = crate::staff::leave(&services.db, &services.municipality.id, &id, &admin, now).await;
    changed(done, "uit-dienst", &id)
}

/// POST /beheer/medewerkers/{id}/rol (`rol`): another role; their sessions end, the next sign-in has it.
pub async fn set_role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let services = state.services.clone();
    let admin = match administrator(&services, &request) {
        Ok(admin) => admin,
        Err(refusal) => return refusal.into_response(),
    };
    let (_, body) = request.into_parts();
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let Some(role) = StaffRole::parse(field(&fields, "rol")) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Kies een rol: klantcontactcentrum, backoffice of beheerder.",
        )
            .into_response();
    };
    let now = Timestamp::now();
    let done = crate::staff::set_role(
        &services.db,
        &services.municipality.id,
        &id,
        role,
        &admin,
        now,
    )
    .await;
    changed(done, "rol", &id)
}

/// The answer to a change of an employee: back to the list at their entry, or why not.
fn changed(done: Result<(), crate::staff::StaffChange>, notice: &str, id: &str) -> Response {
    use crate::staff::StaffChange;
    match done {
        Ok(()) => see_other(format!("{PAGE}?gelukt={notice}#medewerker-{}", q(id))),
        Err(StaffChange::NotFound) => (
            StatusCode::NOT_FOUND,
            "Deze medewerker vinden we niet, of is al uit dienst.",
        )
            .into_response(),
        Err(StaffChange::Oneself) => (
            StatusCode::CONFLICT,
            "Uw eigen account verandert u niet hier. Vraag een andere beheerder.",
        )
            .into_response(),
        Err(StaffChange::Identity(error)) => {
            tracing::error!(%error, "staff change failed");
            (StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response()
        }
    }
}

/// Employee `id` when they work for this municipality; otherwise the answer to give (404 or 503).
async fn ours(
    services: &Services,
    id: &str,
    now: Timestamp,
) -> Result<crate::staff::Member, Response> {
    match crate::staff::member(&services.db, &services.municipality.id, id, now).await {
        Ok(Some(member)) => Ok(member),
        Ok(None) => Err((StatusCode::NOT_FOUND, "Deze medewerker vinden we niet.").into_response()),
        Err(error) => {
            tracing::error!(%error, "staff member could not be read");
            Err((StatusCode::SERVICE_UNAVAILABLE, NOT_NOW).into_response())
        }
    }
}
