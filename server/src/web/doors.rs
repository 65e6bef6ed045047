//! The doors' HTTP edge (DigiD through a broker): `GET /inloggen/{door}` sends the browser on to the broker,
//! `GET /inloggen/{door}/terug` takes the answer. A refusal goes back to the sign-in page with a word
//! (`?mislukt=poging`) that the page says in her language; nothing of the token or of her is in any URL.

use super::middleware::session::{
    clear_cookie, cookie, session_cookie, set_cookie, site_cookie, SessionToken,
};
use super::reply::see_other;
use super::AppState;
use crate::identity::doors::{self, Answer, DoorError};
use crate::identity::sessions::{self, Assurance};
use app::paths::{self, DoorRefusal};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use cookie::time::Duration as CookieAge;
use cookie::SameSite;
use http::header;
use jiff::Timestamp;
use serde::Deserialize;

/// Ties an attempt to the browser that began it, so a callback carried into another browser (login CSRF)
/// or replayed finds nothing. Lax: it must come along on the broker's top-level redirect back.
const BINDING_COOKIE: &str = "loket_deur";

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct StartQuery {
    /// Where to go afterwards: a path of this site.
    naar: String,
    /// The level the page she came from needs (`substantieel`): the broker is asked for at least that.
    niveau: String,
}

/// GET /inloggen/{door}: to the broker.
pub async fn start(
    State(state): State<AppState>,
    Path(door): Path<String>,
    Query(query): Query<StartQuery>,
) -> Response {
    let services = &state.services;
    let Some(door) = services.doors.get(&door) else {
        return see_other(DoorRefusal::UnknownDoor.page());
    };
    let return_to = local_path(&query.naar).unwrap_or(paths::HOME);
    let started = doors::begin(
        &services.db,
        &services.municipality.id,
        door,
        Assurance::parse(&query.niveau),
        return_to,
        Timestamp::now(),
    )
    .await;
    match started {
        Ok(started) => {
            let mut response = see_other(started.authorize_url);
            let age = CookieAge::seconds(doors::ATTEMPT_LIFETIME.as_secs());
            if let Some(value) = site_cookie(
                BINDING_COOKIE,
                &started.binding,
                state.secure_cookies,
                SameSite::Lax,
                Some(age),
            ) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => see_other(refusal(&error).page()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct BackQuery {
    state: String,
    code: Option<String>,
    error: Option<String>,
}

/// GET /inloggen/{door}/terug: the broker's answer. Signed in: the old session (if any) ends, a new one
/// begins, and she goes where she was going.
pub async fn back(
    State(state): State<AppState>,
    Path(door): Path<String>,
    Query(query): Query<BackQuery>,
    headers: http::HeaderMap,
    old: Option<Extension<SessionToken>>,
) -> Response {
    let services = &state.services;
    let Some(door) = services.doors.get(&door) else {
        return see_other(DoorRefusal::UnknownDoor.page());
    };
    let answer = match (&query.code, &query.error) {
        (_, Some(error)) => Answer::Refused(error),
        (Some(code), None) => Answer::Code(code),
        (None, None) => Answer::Refused("no_code"),
    };
    let finished = doors::finish(
        &services.db,
        services.population.as_deref(),
        door,
        &query.state,
        cookie(&headers, BINDING_COOKIE),
        answer,
        Timestamp::now(),
    )
    .await;
    let mut response = match finished {
        Ok(finished) => {
            if let Some(Extension(SessionToken(old))) = old {
                if let Err(error) = sessions::end(&services.db, &old).await {
                    tracing::warn!(%error, "the session before a DigiD sign-in could not be ended");
                }
            }
            let mut response = see_other(
                local_path(&finished.return_to)
                    .unwrap_or(paths::HOME)
                    .to_owned(),
            );
            if let Some(value) = set_cookie(
                session_cookie(state.secure_cookies),
                &finished.token,
                state.secure_cookies,
                SameSite::Lax,
            ) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => see_other(refusal(&error).page()),
    };
    if let Some(value) = clear_cookie(BINDING_COOKIE, state.secure_cookies) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The step after signing out of Loket from a session a door opened: a form to the broker's end-session
/// endpoint, submitted by a script at once and by her button without JavaScript. A form rather than a
/// redirect because the sign-out was a form post, and `form-action 'self'` would stop its redirect to the
/// broker; this one page's own policy lets its form go there.
pub(crate) fn end_session_page(end: &doors::EndSession) -> Response {
    use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
    let lang = crate::web::request_lang();
    let nonce = crate::web::CspNonce::generate();
    let Ok(endpoint) = url::Url::parse(&end.endpoint) else {
        return see_other(paths::SIGNED_OUT);
    };
    let fields: String = end
        .fields
        .iter()
        .map(|(name, value)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                attr(name),
                attr(value)
            )
        })
        .collect();
    let html = format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head><body><main><h1>{title}</h1><p>{said}</p><form method="get" action="{action}">{fields}<button type="submit">{button}</button></form></main><script nonce="{nonce}">document.forms[0].submit();</script></body></html>"#,
        lang = lang.code(),
        title = text(&app::i18n::tr(lang, "signing-out-title")),
        said = text(&app::i18n::tr(lang, "signing-out-text")),
        button = text(&app::i18n::tr(lang, "signing-out-button")),
        action = attr(endpoint.as_str()),
        nonce = nonce.0,
    );
    let policy = format!(
        "default-src 'none'; script-src 'nonce-{}'; form-action {}; base-uri 'none'; frame-ancestors 'none'",
        nonce.0,
        endpoint.origin().ascii_serialization()
    );
    let mut response = axum::response::Html(html).into_response();
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}

/// What the sign-in page says about `error`; the log gets the technical side, never a token or a BSN.
fn refusal(error: &DoorError) -> DoorRefusal {
    match error {
        DoorError::UnknownDoor => DoorRefusal::UnknownDoor,
        DoorError::UnknownAttempt => DoorRefusal::Attempt,
        DoorError::BrokerRefused("access_denied") => DoorRefusal::Cancelled,
        DoorError::BrokerRefused(answer) => {
            tracing::warn!(%answer, "the broker sent an error back");
            DoorRefusal::Broker
        }
        DoorError::Token(check) => {
            tracing::warn!(%check, "an ID token was refused");
            DoorRefusal::Token
        }
        DoorError::LevelTooLow => DoorRefusal::Level,
        DoorError::NoIdentifier => {
            tracing::warn!("an ID token carried no usable BSN");
            DoorRefusal::Identifier
        }
        DoorError::Broker(_) | DoorError::Identity(_) | DoorError::Storage(_) => {
            tracing::error!(%error, "a sign-in through a door failed");
            DoorRefusal::Broker
        }
    }
}

/// `path` when it is a path of this site (`/zaken/…`), not another site (`//evil`, `/\evil`, `https:`).
fn local_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    ok.then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_of_this_site_is_a_place_to_return_to() {
        assert_eq!(local_path("/zaken/abc"), Some("/zaken/abc"));
        assert_eq!(local_path("/"), Some("/"));
        assert_eq!(local_path("//evil.example/x"), None);
        assert_eq!(local_path("/\\evil.example"), None);
        assert_eq!(local_path("https://evil.example"), None);
        assert_eq!(local_path(""), None);
        assert_eq!(local_path("/a\nb"), None);
    }
}
