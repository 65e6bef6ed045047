//! The identity API the sign-in pages' passkey island calls (JSON): activation, sign-in, passkeys, sign-out,
//! the session clock, the demo's activation codes and staff issuing codes. Thin handlers: rate limit, ask
//! the domain, set the cookie; every [`IdentityError`] becomes one Dutch (B1) message here, in [`Failure`].

use crate::authorization::{decide, Action, Decision, Principal, Resource};
use crate::identity::accounts::Account;
use crate::identity::activation::{self, CodeTarget};
use crate::identity::audit::{self, Event, ReadOf};
use crate::identity::links::{self, SecondCheck};
use crate::identity::passkeys::{self, Challenge, PasskeyInfo};
use crate::identity::ratelimit::{
    self, ACTIVATION_PER_IP, LINK_PER_IP, SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_IP,
};
use crate::identity::sessions::{self, Assurance, Method, Subject};
use crate::identity::IdentityError;
use crate::web::router::AppState;
use crate::web::session::{
    clear_cookie, session_cookie, set_cookie, ClientAddr, SessionToken, Visitor,
};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use http::header;
use http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

/// The account API's reads; its changes are in [`changing_routes`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/session", get(session_status))
        .route("/api/account/passkeys", get(passkey_list))
        .route("/api/persons/{id}", get(person_view))
        .route("/api/persons/{id}/activity", get(person_activity))
        .route("/api/organisations/{id}", get(organisation_view))
}

/// The account API's state-changing routes (sign-in, sessions, passkeys, codes), listed so the router and
/// the preview test share one list.
pub fn changing_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/auth/activation/start", post(activation_start)),
        ("/api/auth/activation/finish", post(activation_finish)),
        ("/api/auth/sign-in/start", post(sign_in_start)),
        ("/api/auth/sign-in/finish", post(sign_in_finish)),
        ("/api/auth/appointment-link", post(appointment_link)),
        (
            "/api/auth/appointment-link/code",
            post(appointment_link_code),
        ),
        ("/api/auth/sign-out", post(sign_out)),
        ("/api/auth/sign-out-everywhere", post(sign_out_everywhere)),
        ("/api/auth/session/extend", post(session_extend)),
        ("/api/account/passkeys/start", post(passkey_add_start)),
        ("/api/account/passkeys/finish", post(passkey_add_finish)),
        ("/api/account/passkeys/{id}/rename", post(passkey_rename)),
        ("/api/account/passkeys/{id}/remove", post(passkey_remove)),
        (
            "/api/persons/{id}/activation-codes",
            post(person_issue_code),
        ),
        ("/api/demo/activation-codes", post(demo_issue_code)),
    ]
}

/// An API failure: a status and the Fluent message for the resident, answered in her language. Never carries
/// her data.
#[derive(Debug)]
pub struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) key: &'static str,
}

#[derive(Serialize)]
struct FailureBody {
    message: String,
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(FailureBody {
                message: app::i18n::tr(crate::web::request_lang(), self.key),
            }),
        )
            .into_response()
    }
}

impl From<IdentityError> for Failure {
    fn from(error: IdentityError) -> Self {
        Failure::from(&error)
    }
}

impl From<&IdentityError> for Failure {
    fn from(error: &IdentityError) -> Self {
        let (status, key) = match error {
            IdentityError::CodeNotValid => (StatusCode::BAD_REQUEST, "sign-in-refused-code"),
            IdentityError::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                "sign-in-refused-too-many-tries",
            ),
            IdentityError::LinkNotValid => (StatusCode::BAD_REQUEST, "link-refused-not-valid"),
            IdentityError::LinkNeedsAccount => {
                (StatusCode::FORBIDDEN, "link-refused-needs-account")
            }
            IdentityError::SecondCheckFailed => {
                (StatusCode::BAD_REQUEST, "link-refused-birth-date")
            }
            IdentityError::BirthDateUnknown => {
                (StatusCode::BAD_REQUEST, "link-refused-birth-date-unknown")
            }
            IdentityError::LinkCodeWrong => (StatusCode::BAD_REQUEST, "link-refused-code-wrong"),
            IdentityError::LinkCodeExpired => {
                (StatusCode::BAD_REQUEST, "link-refused-code-expired")
            }
            IdentityError::CodeJustSent => {
                (StatusCode::TOO_MANY_REQUESTS, "link-refused-code-just-sent")
            }
            IdentityError::TooManyCodes => {
                (StatusCode::TOO_MANY_REQUESTS, "link-refused-too-many-codes")
            }
            IdentityError::CeremonyGone => {
                (StatusCode::BAD_REQUEST, "sign-in-refused-ceremony-gone")
            }
            IdentityError::PasskeyRefused(_) => {
                (StatusCode::BAD_REQUEST, "sign-in-refused-passkey")
            }
            IdentityError::NotSignedIn => {
                (StatusCode::UNAUTHORIZED, "sign-in-refused-not-signed-in")
            }
            IdentityError::RecentSignInNeeded => {
                (StatusCode::FORBIDDEN, "sign-in-refused-recent-sign-in")
            }
            IdentityError::LastPasskey => (StatusCode::CONFLICT, "sign-in-refused-last-passkey"),
            IdentityError::NotFound => (StatusCode::NOT_FOUND, "sign-in-refused-not-found"),
            IdentityError::AssuranceTooLow => (StatusCode::FORBIDDEN, "sign-in-refused-assurance"),
            IdentityError::Forbidden => (StatusCode::FORBIDDEN, "sign-in-refused-forbidden"),
            IdentityError::Invalid("passkey name") => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "sign-in-refused-passkey-name",
            ),
            IdentityError::Invalid("birth_date or code") => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "link-refused-birth-date-or-code",
            ),
            IdentityError::Invalid(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "sign-in-refused-invalid")
            }
            IdentityError::Config(_) | IdentityError::Corrupt(_) | IdentityError::Storage(_) => {
                tracing::error!(error = %error, "identity request failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "sign-in-refused-unavailable",
                )
            }
        };
        if matches!(error, IdentityError::PasskeyRefused(_)) {
            // The reason helps operators; it names no person (webauthn-rs reports protocol faults only).
            tracing::info!(error = %error, "passkey refused");
        }
        Failure { status, key }
    }
}

fn bad_request(_: JsonRejection) -> Failure {
    Failure {
        status: StatusCode::BAD_REQUEST,
        key: "sign-in-refused-bad-request",
    }
}

pub(crate) type ApiResult<T> = Result<T, Failure>;

fn body<T>(json: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    json.map(|Json(value)| value).map_err(bad_request)
}

/// The signed-in account of the request, or `NotSignedIn`.
pub(crate) fn signed_in(visitor: &Visitor) -> ApiResult<(Principal, Account)> {
    match visitor.identity() {
        (principal, Some(account)) => Ok((principal, account)),
        (_, None) => Err(IdentityError::NotSignedIn.into()),
    }
}

/// A response that signs the visitor in: ends the session they had (new id on every sign-in) and sets the
/// cookie for the new one.
async fn start_session(
    state: &AppState,
    old: Option<SessionToken>,
    account: &Account,
    body: impl Serialize,
    now: Timestamp,
) -> ApiResult<Response> {
    let db = &state.services.db;
    if let Some(SessionToken(old)) = old {
        sessions::end(db, &old).await?;
    }
    let (token, _) = sessions::start(
        db,
        &account.municipality_id,
        Subject::Account(account.id.clone()),
        Method::Passkey,
        // A passkey is a substantial means, but no more than the step that bound it to this identity.
        account.enrolment.min(Assurance::Substantial),
        now,
    )
    .await?;
    let mut response = Json(body).into_response();
    if let Some(cookie) = set_cookie(
        session_cookie(state.secure_cookies),
        &token,
        state.secure_cookies,
        cookie::SameSite::Lax,
    ) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[derive(Deserialize)]
struct CodeBody {
    code: String,
}

async fn activation_start(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    json: Result<Json<CodeBody>, JsonRejection>,
) -> ApiResult<Json<Challenge>> {
    let now = Timestamp::now();
    let input = body(json)?;
    let db = &state.services.db;
    ratelimit::hit(db, "activation-ip", &addr, ACTIVATION_PER_IP, now).await?;
    let code = activation::check(db, &input.code, now).await?;
    Ok(Json(
        state
            .services
            .passkeys
            .start_activation(db, &code, now)
            .await?,
    ))
}

#[derive(Deserialize)]
struct RegistrationBody {
    ceremony: String,
    credential: RegisterPublicKeyCredential,
    #[serde(default)]
    name: String,
}

#[derive(Serialize)]
struct SignedIn {
    account_number: String,
    next: &'static str,
}

/// Where a signed-in visitor goes first: a resident to her overview, staff to their own start, the search
/// for residents (a resident's overview is empty for them).
fn landing(account: &Account) -> &'static str {
    match account.holder {
        crate::identity::accounts::Holder::Person { .. } => app::paths::HOME,
        crate::identity::accounts::Holder::Staff { .. } => app::paths::STAFF,
    }
}

async fn activation_finish(
    State(state): State<AppState>,
    token: Option<axum::Extension<SessionToken>>,
    json: Result<Json<RegistrationBody>, JsonRejection>,
) -> ApiResult<Response> {
    let now = Timestamp::now();
    let input = body(json)?;
    let account = state
        .services
        .passkeys
        .finish_activation(
            &state.services.db,
            &input.ceremony,
            &input.credential,
            &input.name,
            now,
        )
        .await?;
    let reply = SignedIn {
        account_number: account.sign_in_name.clone(),
        next: landing(&account),
    };
    start_session(&state, token.map(|t| t.0), &account, reply, now).await
}

#[derive(Deserialize, Default)]
struct SignInBody {
    #[serde(default)]
    account_number: Option<String>,
}

async fn sign_in_start(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    json: Result<Json<SignInBody>, JsonRejection>,
) -> ApiResult<Json<Challenge>> {
    let now = Timestamp::now();
    let input = body(json)?;
    let db = &state.services.db;
    ratelimit::hit(db, "sign-in-ip", &addr, SIGN_IN_PER_IP, now).await?;
    let number = input
        .account_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(number) = number {
        // Counted under the form the lookup uses, so `abcd-efgh`, `ABCD EFGH` and `ABCDEFGH` share one limit;
        // what cannot be an account number shares one count too.
        let counted = crate::identity::secrets::normalise_code(number)
            .unwrap_or_else(|| String::from("(unreadable)"));
        ratelimit::hit(db, "sign-in-account", &counted, SIGN_IN_PER_ACCOUNT, now).await?;
    }
    Ok(Json(
        state
            .services
            .passkeys
            .start_sign_in(db, number, now)
            .await?,
    ))
}

#[derive(Deserialize)]
struct AssertionBody {
    ceremony: String,
    credential: PublicKeyCredential,
}

async fn sign_in_finish(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    token: Option<axum::Extension<SessionToken>>,
    json: Result<Json<AssertionBody>, JsonRejection>,
) -> ApiResult<Response> {
    let now = Timestamp::now();
    let input = body(json)?;
    let db = &state.services.db;
    ratelimit::hit(db, "sign-in-ip", &addr, SIGN_IN_PER_IP, now).await?;
    let account = state
        .services
        .passkeys
        .finish_sign_in(
            db,
            &state.services.municipality.id,
            &input.ceremony,
            &input.credential,
            now,
        )
        .await?;
    let reply = SignedIn {
        account_number: account.sign_in_name.clone(),
        next: landing(&account),
    };
    start_session(&state, token.map(|t| t.0), &account, reply, now).await
}

/// The token and one second check: `birth_date` (`YYYY-MM-DD`) or the `code` that was sent.
#[derive(Deserialize)]
struct LinkBody {
    token: String,
    #[serde(default)]
    birth_date: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

#[derive(Deserialize)]
struct LinkCodeBody {
    token: String,
}

#[derive(Serialize)]
struct LinkOpened {
    next: &'static str,
}

/// The link from a confirmation plus the birth date or the code: a short session for that one appointment.
async fn appointment_link(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    token: Option<axum::Extension<SessionToken>>,
    json: Result<Json<LinkBody>, JsonRejection>,
) -> ApiResult<Response> {
    let input = body(json)?;
    let old = token.map(|axum::Extension(SessionToken(old))| old);
    let check = match (&input.code, &input.birth_date) {
        (Some(code), _) => SecondCheck::Code(code),
        (None, Some(date)) => SecondCheck::BirthDate(date),
        (None, None) => return Err(IdentityError::Invalid("birth_date or code").into()),
    };
    let (_, cookie) =
        open_appointment_link(&state, &addr, old, &input.token, check, Timestamp::now()).await?;
    let mut response = Json(LinkOpened {
        next: app::paths::APPOINTMENTS,
    })
    .into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Sends a code for an appointment link (JSON): to where the appointment's confirmation went.
async fn appointment_link_code(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    json: Result<Json<LinkCodeBody>, JsonRejection>,
) -> ApiResult<Response> {
    let input = body(json)?;
    send_link_code(&state, &addr, &input.token, Timestamp::now()).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// Sends a link's code (rate limited per client address as the check itself, and per appointment in
/// `links::send_code`).
pub(crate) async fn send_link_code(
    state: &AppState,
    addr: &str,
    token: &str,
    now: Timestamp,
) -> Result<(), IdentityError> {
    let db = &state.services.db;
    ratelimit::hit(db, "link-ip", addr, LINK_PER_IP, now).await?;
    links::send_code(db, &state.services.municipality.id, token, now).await
}

/// Opens an appointment link: the token and the second check are checked (rate limited per client address,
/// five wrong answers block the link), the browser's earlier session ends, and a short session scoped to that
/// one appointment starts (audited). Returns the appointment and the session cookie to set.
pub(crate) async fn open_appointment_link(
    state: &AppState,
    addr: &str,
    old_session: Option<String>,
    token: &str,
    check: SecondCheck<'_>,
    now: Timestamp,
) -> Result<(String, Option<header::HeaderValue>), IdentityError> {
    let db = &state.services.db;
    ratelimit::hit(db, "link-ip", addr, LINK_PER_IP, now).await?;
    let appointment_id = links::redeem(db, token, check, now).await?;
    if let Some(old) = old_session {
        sessions::end(db, &old).await?;
    }
    let municipality = &state.services.municipality.id;
    let (session_token, _) = sessions::start(
        db,
        municipality,
        Subject::Appointment(appointment_id.clone()),
        Method::AppointmentLink,
        Assurance::Low,
        now,
    )
    .await?;
    // About her person, not an account (she may have none yet): her activity log shows it once she has one.
    let person = match crate::appointments::booking::get(db, municipality, &appointment_id).await {
        Ok(appointment) => Some(appointment.person_id),
        Err(error) => {
            tracing::warn!(%error, "the link's appointment could not be read for her activity log");
            None
        }
    };
    audit::record(
        &db.pool,
        municipality,
        Event::AppointmentLinkUsed,
        &audit::Entry {
            subject_person_id: person.as_deref(),
            ..audit::Entry::default()
        },
        now,
    )
    .await?;
    let cookie = set_cookie(
        session_cookie(state.secure_cookies),
        &session_token,
        state.secure_cookies,
        cookie::SameSite::Lax,
    );
    Ok((appointment_id, cookie))
}

pub(crate) fn cleared(state: &AppState) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(clear) = clear_cookie(session_cookie(state.secure_cookies), state.secure_cookies) {
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    response
}

pub(crate) async fn sign_out(
    State(state): State<AppState>,
    visitor: Visitor,
    token: Option<axum::Extension<SessionToken>>,
) -> ApiResult<Response> {
    end_own_session(&state, &visitor, token).await?;
    Ok(cleared(&state))
}

/// Ends the visitor's session (audited).
pub(crate) async fn end_own_session(
    state: &AppState,
    visitor: &Visitor,
    token: Option<axum::Extension<SessionToken>>,
) -> Result<(), IdentityError> {
    let now = Timestamp::now();
    let db = &state.services.db;
    if let Some(axum::Extension(SessionToken(token))) = token {
        sessions::end(db, &token).await?;
    }
    if let Some(session) = visitor.session() {
        audit::record(
            &db.pool,
            &session.municipality_id,
            Event::SignedOut,
            &audit::Entry {
                actor_account_id: session.account_id(),
                ..Default::default()
            },
            now,
        )
        .await?;
    }
    Ok(())
}

pub(crate) async fn sign_out_everywhere(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let now = Timestamp::now();
    let (_, account) = signed_in(&visitor)?;
    let db = &state.services.db;
    sessions::end_all(db, &account.id).await?;
    audit::record(
        &db.pool,
        &account.municipality_id,
        Event::SignedOutEverywhere,
        &audit::Entry::own(&account),
        now,
    )
    .await?;
    Ok(cleared(&state))
}

#[derive(Serialize)]
struct SessionStatus {
    signed_in: bool,
    /// Set when the cookie named a session that has ended (the pages say why the visitor was signed out).
    ended: bool,
    display_name: Option<String>,
    account_number: Option<String>,
    kind: Option<&'static str>,
    /// When the session ends without further activity (RFC 3339).
    ends_at: Option<Timestamp>,
    assurance: Option<&'static str>,
    /// The organisation a member person acts for.
    acting_as: Option<String>,
}

async fn session_status(visitor: Visitor) -> Json<SessionStatus> {
    let (_, account) = visitor.identity();
    let session = visitor.session();
    Json(SessionStatus {
        signed_in: session.is_some(),
        ended: matches!(visitor, Visitor::Ended),
        display_name: account.as_ref().map(|a| a.display_name.clone()),
        account_number: account.as_ref().map(|a| a.sign_in_name.clone()),
        kind: match (&account, session) {
            (Some(a), _) if a.staff().is_some() => Some("staff"),
            (Some(_), _) => Some("person"),
            (None, Some(_)) => Some("appointment"),
            (None, None) => None,
        },
        ends_at: session.map(sessions::Session::ends_at),
        assurance: session.map(|s| s.assurance.as_str()),
        acting_as: session.and_then(|s| s.acting_as.clone()),
    })
}

#[derive(Serialize)]
struct Extended {
    ends_at: Timestamp,
    /// Milliseconds from now; the browser's timer counts from its own clock.
    remaining_ms: i64,
}

async fn session_extend(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<Json<Extended>> {
    let Some(session) = visitor.session() else {
        return Err(IdentityError::NotSignedIn.into());
    };
    let now = Timestamp::now();
    let mut session = session.clone();
    sessions::extend(&state.services.db, &mut session, now).await?;
    Ok(Json(Extended {
        ends_at: session.ends_at(),
        remaining_ms: session.ends_at().duration_since(now).as_millis() as i64,
    }))
}

async fn passkey_list(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<Json<Vec<PasskeyInfo>>> {
    let (principal, account) = signed_in(&visitor)?;
    allow(
        &principal,
        Action::Read,
        Resource::Passkeys {
            account_id: &account.id,
        },
    )?;
    Ok(Json(passkeys::list(&state.services.db, &account.id).await?))
}

async fn passkey_add_start(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<Json<Challenge>> {
    let (principal, account) = signed_in(&visitor)?;
    allow(
        &principal,
        Action::Change,
        Resource::Passkeys {
            account_id: &account.id,
        },
    )?;
    Ok(Json(
        state
            .services
            .passkeys
            .start_adding(&state.services.db, &account, Timestamp::now())
            .await?,
    ))
}

async fn passkey_add_finish(
    State(state): State<AppState>,
    visitor: Visitor,
    json: Result<Json<RegistrationBody>, JsonRejection>,
) -> ApiResult<Json<PasskeyInfo>> {
    let (principal, account) = signed_in(&visitor)?;
    allow(
        &principal,
        Action::Change,
        Resource::Passkeys {
            account_id: &account.id,
        },
    )?;
    let input = body(json)?;
    Ok(Json(
        state
            .services
            .passkeys
            .finish_adding(
                &state.services.db,
                &account,
                &input.ceremony,
                &input.credential,
                &input.name,
                Timestamp::now(),
            )
            .await?,
    ))
}

#[derive(Deserialize)]
struct NameBody {
    name: String,
}

async fn passkey_rename(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    json: Result<Json<NameBody>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let (principal, account) = signed_in(&visitor)?;
    allow(
        &principal,
        Action::Change,
        Resource::Passkeys {
            account_id: &account.id,
        },
    )?;
    let input = body(json)?;
    passkeys::rename(&state.services.db, &account.id, &id, &input.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn passkey_remove(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let now = Timestamp::now();
    let (principal, account) = signed_in(&visitor)?;
    allow(
        &principal,
        Action::Change,
        Resource::Passkeys {
            account_id: &account.id,
        },
    )?;
    let recent = visitor.session().is_some_and(|s| s.signed_in_recently(now));
    passkeys::remove(&state.services.db, &account, &id, recent, now).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn allow(principal: &Principal, action: Action, resource: Resource<'_>) -> ApiResult<Decision> {
    match decide(principal, action, resource) {
        Decision::Deny => Err(if matches!(principal, Principal::Anonymous) {
            IdentityError::NotSignedIn.into()
        } else {
            IdentityError::Forbidden.into()
        }),
        decision => Ok(decision),
    }
}

/// A person as a staff member or the person sees them. The BSN is never shown in full.
#[derive(Serialize)]
struct PersonView {
    display_name: String,
    bsn_last_digits: Option<String>,
    has_account: bool,
}

async fn person_view(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonView>> {
    let db = &state.services.db;
    let (principal, _) = visitor.identity();
    let municipality = &state.services.municipality.id;
    let decision = allow(
        &principal,
        Action::Read,
        Resource::Person {
            municipality_id: municipality,
            person_id: &id,
        },
    )?;
    let person = crate::parties::person_summary(db, municipality, &id)
        .await
        .map_err(IdentityError::from)?
        .ok_or(IdentityError::NotFound)?;
    let (display_name, bsn, account) = (person.display_name, person.bsn, person.account_id);
    audit::staff_read(
        &state.services.db,
        &principal,
        decision,
        ReadOf::Person(&id),
        "persoonsgegevens",
        "/api/persons/{id}",
        Timestamp::now(),
    )
    .await?;
    Ok(Json(PersonView {
        display_name,
        // A BSN is nine ASCII digits: its last three characters are its last three bytes.
        bsn_last_digits: bsn.and_then(|b| b.get(b.len().saturating_sub(3)..).map(str::to_owned)),
        has_account: account.is_some(),
    }))
}

#[derive(Serialize)]
struct OrganisationView {
    name: String,
    kvk_number: String,
}

async fn organisation_view(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<Json<OrganisationView>> {
    let db = &state.services.db;
    let (principal, _) = visitor.identity();
    let municipality = &state.services.municipality.id;
    let decision = allow(
        &principal,
        Action::Read,
        Resource::Organisation {
            municipality_id: municipality,
            organisation_id: &id,
        },
    )?;
    let crate::parties::OrganisationSummary { name, kvk_number } =
        crate::parties::organisation_summary(db, municipality, &id)
            .await
            .map_err(IdentityError::from)?
            .ok_or(IdentityError::NotFound)?;
    audit::staff_read(
        &state.services.db,
        &principal,
        decision,
        ReadOf::Organisation(&id),
        "organisatiegegevens",
        "/api/organisations/{id}",
        Timestamp::now(),
    )
    .await?;
    Ok(Json(OrganisationView { name, kvk_number }))
}

#[derive(Serialize)]
struct ActivityView {
    at: Timestamp,
    event: &'static str,
    staff_name: Option<String>,
    staff_role: Option<String>,
    data_kind: Option<String>,
}

async fn person_activity(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ActivityView>>> {
    let db = &state.services.db;
    let (principal, account) = visitor.identity();
    allow(
        &principal,
        Action::Read,
        Resource::Activity {
            municipality_id: &state.services.municipality.id,
            person_id: &id,
        },
    )?;
    let entries = audit::for_person(db, &id, account.as_ref().map(|a| a.id.as_str()), 200).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|a| ActivityView {
                at: a.at,
                event: a.event.as_str(),
                staff_name: a.staff.as_ref().map(|(name, _)| name.clone()),
                staff_role: a.staff.map(|(_, role)| role),
                data_kind: a.data_kind,
            })
            .collect(),
    ))
}

#[derive(Serialize)]
struct IssuedView {
    code: String,
    expires_at: Timestamp,
}

#[derive(Deserialize, Default)]
struct IssueBody {
    /// Issue a membership code for this organisation instead of a personal one.
    #[serde(default)]
    organisation_id: Option<String>,
}

/// Staff (KCC, admin) issue an activation code for a person after checking their identity.
async fn person_issue_code(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    json: Result<Json<IssueBody>, JsonRejection>,
) -> ApiResult<Json<IssuedView>> {
    let now = Timestamp::now();
    let db = &state.services.db;
    let (principal, _) = visitor.identity();
    let municipality = &state.services.municipality.id;
    // The same question the card's form asks (an administrator may read no resident, so issues her no code).
    if !crate::staff::may_keep_codes_of(&principal, municipality, &id) {
        return Err(IdentityError::Forbidden.into());
    }
    // Binding someone's identity is only for staff who signed in with a passkey (substantial or higher).
    if let Some(session) = visitor.session() {
        session.require(Assurance::Substantial)?;
    }
    let input = body(json)?;
    let exists = crate::parties::person_exists(db, municipality, &id)
        .await
        .map_err(IdentityError::from)?;
    if !exists {
        return Err(IdentityError::NotFound.into());
    }
    if let Some(organisation_id) = &input.organisation_id {
        // A membership code needs the membership (registered by the back office) to exist.
        let member = crate::parties::is_member(db, municipality, organisation_id, &id)
            .await
            .map_err(IdentityError::from)?;
        if !member {
            return Err(IdentityError::NotFound.into());
        }
    }
    let target = match input.organisation_id {
        Some(organisation_id) => CodeTarget::Membership {
            organisation_id,
            person_id: id.clone(),
        },
        None => CodeTarget::Person {
            person_id: id.clone(),
        },
    };
    let issued =
        crate::staff::issue_resident_code(db, municipality, &target, &principal, &id, now).await?;
    Ok(Json(IssuedView {
        code: issued.code,
        expires_at: issued.expires_at,
    }))
}

#[derive(Deserialize)]
struct DemoBody {
    who: String,
}

/// Demo mode only: fresh activation codes for the demo resident, the demo company and the demo staff member,
/// so a newcomer can try both sides. Does not exist (404) when demo mode is off.
async fn demo_issue_code(
    State(state): State<AppState>,
    json: Result<Json<DemoBody>, JsonRejection>,
) -> ApiResult<Json<IssuedView>> {
    if !state.services.demo {
        return Err(IdentityError::NotFound.into());
    }
    let input = body(json)?;
    let issued = crate::demo::issue_code(
        &state.services.db,
        &state.services.municipality,
        &input.who,
        Timestamp::now(),
    )
    .await?;
    Ok(Json(IssuedView {
        code: issued.code,
        expires_at: issued.expires_at,
    }))
}
