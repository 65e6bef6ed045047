//! The request's identity and request safety at the edge: the session cookie (loaded once per request into a
//! [`Visitor`]), the CSRF check every state-changing request passes, and the client address for rate limits.

use crate::authorization::Principal;
use crate::identity::accounts::{self, Account};
use crate::identity::sessions::{self, Lookup, Session, Subject};
use crate::identity::{secrets, IdentityError};
use crate::web::router::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::time::Duration as CookieAge;
use cookie::{Cookie, SameSite};
use http::header::{self, HeaderValue};
use http::request::Parts;
use http::{Method, StatusCode};
use std::net::SocketAddr;

/// Cookie names; with TLS the `__Host-` prefix pins them to this exact host and path.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-loket_sessie"
    } else {
        "loket_sessie"
    }
}

fn csrf_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-loket_csrf"
    } else {
        "loket_csrf"
    }
}

/// The value of the first cookie called `name` across all Cookie headers (as sent, not percent-decoded:
/// Loket's own values are base64url or a language code).
pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name_raw() == Some(name))
        .and_then(|c| c.value_raw())
}

/// A cookie for the whole site that scripts cannot read, kept for the browser session (`max_age` `None`) or
/// for `max_age`.
pub fn site_cookie(
    name: &str,
    value: &str,
    secure: bool,
    same_site: SameSite,
    max_age: Option<CookieAge>,
) -> Option<HeaderValue> {
    let mut built = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(same_site)
        .secure(secure);
    if let Some(max_age) = max_age {
        built = built.max_age(max_age);
    }
    HeaderValue::from_str(&built.build().to_string()).ok()
}

pub fn set_cookie(
    name: &str,
    value: &str,
    secure: bool,
    same_site: SameSite,
) -> Option<HeaderValue> {
    site_cookie(name, value, secure, same_site, None)
}

pub fn clear_cookie(name: &str, secure: bool) -> Option<HeaderValue> {
    site_cookie(name, "", secure, SameSite::Lax, Some(CookieAge::ZERO))
}

/// A live session with the identity behind it: loaded once per request, by [`load_session`].
#[derive(Clone, Debug)]
pub struct Active {
    pub session: Session,
    pub principal: Principal,
    pub account: Option<Account>,
    /// The person's confirmed memberships, with names (the principal keeps only their ids).
    memberships: Vec<accounts::Membership>,
    /// In a preview: the name of the resident whose pages are shown.
    previewed_name: Option<String>,
    /// DigiD Machtigen: the name of the person the signed-in person acts for.
    represented_name: Option<String>,
    /// The level this session lacks to open a person's records (see [`crate::identity::doors::Doors::records_missing`]).
    records_missing: Option<crate::identity::sessions::Assurance>,
}

/// Who is making the request, as far as the session cookie says.
#[derive(Clone, Debug, Default)]
pub enum Visitor {
    #[default]
    Anonymous,
    /// The cookie named a session that has ended (idle timeout, 12 hours, signed out elsewhere).
    Ended,
    Active(Box<Active>),
}

impl Visitor {
    pub fn session(&self) -> Option<&Session> {
        match self {
            Visitor::Active(active) => Some(&active.session),
            _ => None,
        }
    }

    /// The signed-in person themself (never the organisation they act for), if a person is signed in.
    pub fn person_id(&self) -> Option<String> {
        match self.identity().0 {
            // A preview reads her pages as she would; the edge refuses every change it could make.
            Principal::Person { person_id, .. } | Principal::Preview { person_id, .. } => {
                Some(person_id)
            }
            _ => None,
        }
    }

    /// Whether this request is a staff member's read-only look at a resident's pages.
    pub fn previewing(&self) -> bool {
        matches!(self.identity().0, Principal::Preview { .. })
    }

    /// The principal for [`crate::authorization`] and the account behind it.
    pub fn identity(&self) -> (Principal, Option<Account>) {
        match self {
            Visitor::Active(active) => (active.principal.clone(), active.account.clone()),
            _ => (Principal::Anonymous, None),
        }
    }
}

/// The raw session cookie of the request, for handlers that end or replace the session.
#[derive(Clone, Debug)]
pub struct SessionToken(pub String);

/// Loads the session named by the cookie into the request (as [`Visitor`]) and clears the cookie of a session
/// that has ended.
pub async fn load_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let name = session_cookie(state.secure_cookies);
    let token = cookie(request.headers(), name).map(str::to_owned);
    let now = jiff::Timestamp::now();
    let visitor = match &token {
        None => Visitor::Anonymous,
        Some(token) => {
            let db = &state.services.db;
            let found = match sessions::resume(db, token, now).await {
                Ok(Some(Lookup::Active(session))) => identify(db, &state.services.doors, *session)
                    .await
                    .map(|active| Visitor::Active(Box::new(active))),
                Ok(Some(Lookup::Ended)) => Ok(Visitor::Ended),
                Ok(None) => Ok(Visitor::Anonymous),
                Err(error) => Err(error),
            };
            match found {
                Ok(visitor) => visitor,
                Err(error) => {
                    tracing::error!(error = %error, "session lookup failed");
                    return unavailable();
                }
            }
        }
    };
    let ended = matches!(visitor, Visitor::Ended);
    request.extensions_mut().insert(viewer(&visitor, now));
    request.extensions_mut().insert(visitor);
    if let Some(token) = token {
        request.extensions_mut().insert(SessionToken(token));
    }
    let mut response = next.run(request).await;
    if ended && !response.headers().contains_key(header::SET_COOKIE) {
        if let Some(clear) = clear_cookie(name, state.secure_cookies) {
            response.headers_mut().append(header::SET_COOKIE, clear);
        }
    }
    response
}

/// The identity behind a live session: its account, memberships and principal.
async fn identify(
    db: &crate::storage::Db,
    doors: &crate::identity::doors::Doors,
    session: Session,
) -> Result<Active, IdentityError> {
    let records_missing = doors.records_missing(&session);
    let (principal, account, memberships) = match &session.subject {
        Subject::Appointment(appointment_id) => (
            Principal::AppointmentLink {
                appointment_id: appointment_id.clone(),
                municipality_id: session.municipality_id.clone(),
            },
            None,
            Vec::new(),
        ),
        Subject::Account(account_id) => match accounts::by_id(db, account_id).await? {
            None => (Principal::Anonymous, None, Vec::new()),
            Some(account) => {
                let memberships = match account.person_id() {
                    Some(person_id) => accounts::memberships(db, person_id).await?,
                    None => Vec::new(),
                };
                let ids = memberships
                    .iter()
                    .map(|m| m.organisation_id.clone())
                    .collect();
                let records = records_missing.is_none();
                (
                    Principal::of(&account, ids, records),
                    Some(account),
                    memberships,
                )
            }
        },
    };
    // "Bekijk als inwoner": a staff session that previews a person of its own municipality.
    let mut previewed_name = None;
    let principal = match (principal, &session.previewing) {
        (
            Principal::Staff {
                account_id,
                staff_id,
                municipality_id,
                role,
            },
            Some(person_id),
        ) => {
            let name = crate::parties::person_name(db, &municipality_id, person_id)
                .await
                .map_err(crate::storage::StorageError::Query)?;
            match name {
                Some(name) => {
                    previewed_name = Some(name);
                    Principal::Preview {
                        account_id,
                        staff_id,
                        municipality_id,
                        role,
                        person_id: person_id.clone(),
                    }
                }
                None => Principal::Staff {
                    account_id,
                    staff_id,
                    municipality_id,
                    role,
                },
            }
        }
        (principal, _) => principal,
    };
    // DigiD Machtigen: the session reads the represented person's pages, as her own but read-only, and acts
    // for no organisation.
    let mut represented_name = None;
    let (principal, memberships) = match (principal, &session.represented) {
        (
            Principal::Person {
                account_id,
                person_id,
                municipality_id,
                records,
                ..
            },
            Some(represented),
        ) => {
            let name = crate::parties::person_name(db, &municipality_id, represented)
                .await
                .map_err(crate::storage::StorageError::Query)?;
            let Some(name) = name else {
                return Err(IdentityError::Corrupt(String::from("represented person")));
            };
            represented_name = Some(name);
            (
                Principal::Person {
                    account_id,
                    person_id: represented.clone(),
                    municipality_id,
                    memberships: Vec::new(),
                    records,
                    representative: Some(person_id),
                },
                Vec::new(),
            )
        }
        (principal, _) => (principal, memberships),
    };
    Ok(Active {
        session,
        principal,
        account,
        memberships,
        previewed_name,
        represented_name,
        records_missing,
    })
}

/// What the pages need to know about the visitor (name, account number, when the session ends).
fn viewer(visitor: &Visitor, now: jiff::Timestamp) -> app::api::Viewer {
    if let Visitor::Active(active) = visitor {
        if let (
            Principal::Preview {
                person_id, role, ..
            },
            Some(account),
        ) = (&active.principal, &active.account)
        {
            // The resident as she would see herself; no memberships (the preview shows her own pages).
            return app::api::Viewer {
                signed_in: Some(app::api::SignedInViewer {
                    account_id: account.id.clone(),
                    display_name: active.previewed_name.clone().unwrap_or_default(),
                    account_number: String::new(),
                    staff: false,
                    admin: false,
                    memberships: Vec::new(),
                    acting_as: None,
                    remaining_ms: active.session.ends_at().duration_since(now).as_millis() as i64,
                    records_closed: None,
                    on_behalf_of: None,
                }),
                session_ended: false,
                appointment_link: None,
                preview: Some(app::api::PreviewViewer {
                    staff_name: account.display_name.clone(),
                    role: role.as_str().to_owned(),
                    person_id: person_id.clone(),
                }),
            };
        }
    }
    let signed_in = match visitor {
        Visitor::Active(active) => active.account.as_ref().map(|account| {
            let session = &active.session;
            let memberships: Vec<(String, String)> = active
                .memberships
                .iter()
                .map(|m| (m.organisation_id.clone(), m.name.clone()))
                .collect();
            let acting_as = session
                .acting_as
                .as_ref()
                .and_then(|id| memberships.iter().find(|(m, _)| m == id).cloned());
            app::api::SignedInViewer {
                memberships,
                acting_as,
                account_id: account.id.clone(),
                // Someone known only by BSN so far has no name: the account number stands in.
                display_name: if account.display_name.is_empty() {
                    account.sign_in_name.clone()
                } else {
                    account.display_name.clone()
                },
                account_number: account.sign_in_name.clone(),
                staff: account.staff().is_some(),
                admin: account
                    .staff()
                    .is_some_and(|(_, role)| role == crate::identity::accounts::StaffRole::Admin),
                remaining_ms: session.ends_at().duration_since(now).as_millis() as i64,
                // Acting for a company, its records are what the pages show (opened by the membership).
                on_behalf_of: active.represented_name.clone(),
                records_closed: match &active.principal {
                    Principal::Person { records: false, .. } if session.acting_as.is_none() => {
                        active.records_missing.map(|level| app::api::RecordsClosed {
                            level: level.as_str().to_owned(),
                            by_digid: session.method == sessions::Method::Digid,
                        })
                    }
                    _ => None,
                },
            }
        }),
        _ => None,
    };
    let appointment_link = match visitor {
        Visitor::Active(active) => match &active.principal {
            Principal::AppointmentLink { appointment_id, .. } => Some(appointment_id.clone()),
            _ => None,
        },
        _ => None,
    };
    app::api::Viewer {
        signed_in,
        session_ended: matches!(visitor, Visitor::Ended),
        appointment_link,
        preview: None,
    }
}

fn unavailable() -> Response {
    crate::web::plain_refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        "sign-in-refused-unavailable",
    )
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .unwrap_or_default())
    }
}

/// The per-visitor CSRF token (double-submit: an HttpOnly cookie, echoed by pages in forms and a meta tag).
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Every POST, PUT, PATCH and DELETE — server functions included — must come from a Loket page: the Origin
/// (when sent) must be Loket's, and the token in the `x-csrf-token` header or the `csrf` form field must equal
/// the visitor's CSRF cookie.
pub async fn csrf(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let name = csrf_cookie(state.secure_cookies);
    let existing = cookie(request.headers(), name)
        .filter(|t| t.len() == 43)
        .map(str::to_owned);
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let mut request = request;
    if unsafe_method {
        if !origin_allowed(request.headers(), &state.public_origin) {
            return refused();
        }
        let Some(expected) = existing.as_deref() else {
            return refused();
        };
        let (provided, rebuilt) = match submitted_token(request).await {
            Ok(found) => found,
            Err(response) => return response,
        };
        request = rebuilt;
        if !provided.is_some_and(|p| secrets::same(&p, expected)) {
            return refused();
        }
    }
    let (token, fresh) = match existing {
        Some(token) => (token, false),
        None => (secrets::token(), true),
    };
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    let is_page_or_api = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    // A new session (sign-in, activation, an appointment link) gets a new token too: one learnt before the
    // sign-in (say, on a shared computer) is worth nothing after it.
    let session_prefix = format!("{}=", session_cookie(state.secure_cookies));
    let starts_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(&session_prefix) && !v[session_prefix.len()..].starts_with(';'));
    let token = if starts_session {
        secrets::token()
    } else {
        token
    };
    if (fresh && is_page_or_api) || starts_session {
        if let Some(value) = set_cookie(name, &token, state.secure_cookies, SameSite::Strict) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn refused() -> Response {
    crate::web::plain_refusal(StatusCode::FORBIDDEN, "page-refused-expired")
}

/// An Origin header, when present, must be Loket's public origin or the origin the request was sent to.
/// `null` counts as absent: with `Referrer-Policy: no-referrer` browsers send it for Loket's own form posts
/// (the token check still applies).
fn origin_allowed(headers: &http::HeaderMap, public_origin: &str) -> bool {
    let Some(origin) = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null")
    else {
        return true;
    };
    if origin == public_origin {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    host.is_some() && origin_host == host
}

/// The token from the header, or else from the `csrf` field of a url-encoded form (the body is read and put
/// back for the handler).
async fn submitted_token(request: Request) -> Result<(Option<String>, Request), Response> {
    if let Some(token) = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        let token = token.to_owned();
        return Ok((Some(token), request));
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((None, request));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, crate::web::router::BODY_LIMIT)
        .await
        .map_err(|_| {
            crate::web::plain_refusal(StatusCode::PAYLOAD_TOO_LARGE, "page-refused-too-large")
        })?;
    let token = form_field(&bytes, CSRF_FIELD);
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    body.split(|b| *b == b'&').find_map(|pair| {
        let text = std::str::from_utf8(pair).ok()?;
        let (k, v) = text.split_once('=')?;
        // Tokens are URL-safe base64: no percent-decoding needed, and a token that needed it is wrong anyway.
        (k == name).then(|| v.to_owned())
    })
}

/// The client address for rate limits: the peer, or the last `X-Forwarded-For` hop when configured.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .trust_forwarded_for
            .then(|| {
                parts
                    .headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .map(str::trim)
                    .rfind(|v| !v.is_empty())
                    .map(str::to_owned)
            })
            .flatten();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(ClientAddr(
            forwarded
                .or(peer)
                .unwrap_or_else(|| String::from("unknown")),
        ))
    }
}

/// What a read-only look (a staff preview, a DigiD Machtigen session) may still send besides reads: leaving
/// the preview, signing out, and keeping the session alive. Each ends or extends only the looker's own
/// session, never touches the resident.
pub const PREVIEW_MAY_POST: [&str; 4] = [
    app::paths::PREVIEW_STOP,
    app::paths::SIGN_OUT,
    "/api/auth/sign-out",
    "/api/auth/session/extend",
];

/// Routes a read-only look refuses even as a GET: a sign-in through a door starts an attempt and its
/// callback replaces the session (sign out first).
const LOOK_REFUSES: [&str; 2] = ["/inloggen/{door}", "/inloggen/{door}/terug"];

/// Whose pages a read-only session looks at, and as whom.
enum Look {
    /// "Bekijk als inwoner": a staff member's preview of person `0`.
    Preview(String),
    /// DigiD Machtigen: a representative reading the represented person's pages.
    OnBehalf,
}

/// A staff preview ("Bekijk als inwoner") and a DigiD Machtigen session are read-only on the server: every
/// request that could change state (any method but GET/HEAD/OPTIONS, and server functions that are not
/// reads) is refused here, whatever the route, so a new route is covered without being listed. Each page and
/// read shown is written to the audit log (and so to her activity log, and to the representative's).
pub async fn read_only_guard(
    State(state): State<AppState>,
    matched: Option<axum::extract::MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let visitor = request
        .extensions()
        .get::<Visitor>()
        .cloned()
        .unwrap_or_default();
    let (principal, _) = visitor.identity();
    let look = match &principal {
        Principal::Preview { person_id, .. } => Look::Preview(person_id.clone()),
        Principal::Person {
            representative: Some(_),
            ..
        } => Look::OnBehalf,
        _ => return next.run(request).await,
    };
    let path = request.uri().path();
    let reads = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let server_fn = path.strip_prefix("/fn/");
    let route = matched.as_ref().map_or("/", |m| m.as_str());
    let allowed = match server_fn {
        Some(name) => app::api::READ_ONLY_FNS.contains(&name),
        None => (reads && !LOOK_REFUSES.contains(&route)) || PREVIEW_MAY_POST.contains(&path),
    };
    if !allowed {
        tracing::info!("change refused in a read-only session");
        // A form of her pages (cancel, move, reminders, …) sent in the look: back to her overview, where
        // the banner says why nothing changed. Scripts get the sentence.
        let form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| {
                t.starts_with("application/x-www-form-urlencoded")
                    || t.starts_with("multipart/form-data")
            });
        if form && server_fn.is_none() {
            return (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, "/?voorbeeld=alleen-lezen")],
            )
                .into_response();
        }
        let key = match look {
            Look::Preview(_) => "preview-refused-change",
            Look::OnBehalf => "on-behalf-refused-change",
        };
        return crate::web::plain_refusal(StatusCode::FORBIDDEN, key);
    }
    // Every look is written down: a page, and a server function that reads her data (the page's own data
    // calls as much as a hand-made one).
    if reads || server_fn.is_some() {
        let route = if server_fn.is_some() { path } else { route };
        let db = &state.services.db;
        let now = jiff::Timestamp::now();
        let written = match &look {
            Look::Preview(person_id) => {
                let decision = crate::authorization::decide(
                    &principal,
                    crate::authorization::Action::Read,
                    crate::authorization::Resource::Person {
                        municipality_id: &state.services.municipality.id,
                        person_id,
                    },
                );
                crate::identity::audit::staff_read(
                    db,
                    &principal,
                    decision,
                    crate::identity::audit::ReadOf::Person(person_id),
                    "voorbeeld",
                    route,
                    now,
                )
                .await
            }
            Look::OnBehalf => {
                crate::identity::audit::read_on_behalf(db, &principal, route, now).await
            }
        };
        if let Err(error) = written {
            // Nothing is shown whose look could not be written down.
            tracing::error!(%error, "a read-only look could not be audited");
            return unavailable();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_across_headers() {
        let mut headers = http::HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; loket_csrf=abc"),
        );
        assert_eq!(cookie(&headers, "loket_csrf"), Some("abc"));
        assert_eq!(cookie(&headers, "b"), None);
    }

    #[test]
    fn loket_s_cookies_are_for_the_whole_site_and_out_of_scripts_reach() {
        let set = set_cookie("loket_csrf", "abc", true, SameSite::Strict).unwrap();
        let set = set.to_str().unwrap();
        for part in [
            "loket_csrf=abc",
            "Path=/",
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
        ] {
            assert!(set.split("; ").any(|p| p == part), "{part} in {set}");
        }
        assert!(!set.contains("Max-Age"), "a session cookie: {set}");
        let cleared = clear_cookie("loket_sessie", false).unwrap();
        let cleared = cleared.to_str().unwrap();
        assert!(cleared.starts_with("loket_sessie=;"), "{cleared}");
        assert!(
            cleared.contains("Max-Age=0") && !cleared.contains("Secure"),
            "{cleared}"
        );
    }

    #[test]
    fn a_foreign_origin_is_refused_and_loket_s_own_accepted() {
        let mut headers = http::HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("localhost:3000"));
        assert!(origin_allowed(&headers, "http://localhost:3000"));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://localhost:3000"),
        );
        assert!(origin_allowed(&headers, "https://loket.example.nl"));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!origin_allowed(&headers, "http://localhost:3000"));
    }

    #[test]
    fn the_csrf_field_is_read_from_a_form_body() {
        assert_eq!(
            form_field(b"lang=en&csrf=abc&x=1", "csrf").as_deref(),
            Some("abc")
        );
        assert_eq!(form_field(b"lang=en", "csrf"), None);
    }
}
