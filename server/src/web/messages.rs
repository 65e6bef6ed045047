//! POST /instellingen/berichten: the forms of the Berichten settings page (plain HTML forms, so they work
//! without JavaScript). Success redirects back (303) with a short notice key; a refusal renders the same page
//! again with status 422, the reason in her language and what the resident typed, so nothing is lost.

use super::router::render_page;
use super::AppState;
use crate::cases::resident;
use crate::notifications::channels::Channel;
use crate::notifications::{addresses, MessageKind, NotificationsError};
use app::api::FormProblem;
use app::i18n::{tr, tr_args, Lang};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{header, Request, StatusCode};
use std::collections::HashMap;

const PAGE: &str = "/instellingen/berichten";

fn done(notice: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("{PAGE}?gelukt={notice}"))],
    )
        .into_response()
}

/// The field a refusal is about and what it says, in the visitor's language.
fn message(lang: Lang, error: &NotificationsError) -> (&'static str, String) {
    match error {
        NotificationsError::Invalid { field, key } => (field, tr(lang, key)),
        NotificationsError::WrongCode { tries_left } => (
            "code",
            tr_args(
                lang,
                "address-refused-wrong-code",
                &[("n", &tries_left.to_string())],
            ),
        ),
        NotificationsError::CodeExpired => ("code", tr(lang, "address-refused-code-expired")),
        NotificationsError::NotFound => ("address", tr(lang, "address-refused-not-found")),
        NotificationsError::Storage(_) => ("form", tr(lang, "address-refused-unavailable")),
    }
}

pub async fn post(State(state): State<AppState>, request: Request<Body>) -> Response {
    let Some(person_id) = visitor_person(&request) else {
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, "/inloggen?reden=verlopen")],
        )
            .into_response();
    };
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let fields: HashMap<String, String> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let form = get("form").to_owned();
    let db = &state.services.db;
    let municipality = &state.services.municipality.id;
    let now = jiff::Timestamp::now();
    let outcome = match form.as_str() {
        "add" => {
            let channel = if get("channel") == "sms" {
                Channel::Sms
            } else {
                Channel::Email
            };
            addresses::add(
                db,
                municipality,
                &person_id,
                channel,
                get("value"),
                get("label"),
                now,
            )
            .await
            .map(|_| "code-verstuurd")
        }
        "verify" => addresses::verify(db, &person_id, get("address"), get("code"), now)
            .await
            .map(|()| "bevestigd"),
        "resend" => addresses::resend_code(db, municipality, &person_id, get("address"), now)
            .await
            .map(|()| "code-verstuurd"),
        "remove" => addresses::remove(db, &person_id, get("address"))
            .await
            .map(|()| "verwijderd"),
        "fallback" => {
            addresses::set_fallback(db, &person_id, get("address"), get("fallback") == "ja", now)
                .await
                .map(|()| "opgeslagen")
        }
        // Sent by the page's script after the browser subscribed (public/push.js).
        "push" => addresses::add_push(
            db,
            &person_id,
            get("endpoint"),
            get("p256dh"),
            get("auth"),
            get("label"),
            &state.services.push.services,
            now,
        )
        .await
        .map(|_| "meldingen-aan"),
        "choose" => choose(db, &person_id, &fields, now)
            .await
            .map(|()| "opgeslagen"),
        _ => Err(NotificationsError::Invalid {
            field: "form",
            key: "address-refused-form",
        }),
    };
    match outcome {
        Ok(notice) => done(notice),
        Err(error) => {
            let values = ["channel", "value", "label", "address"]
                .into_iter()
                .filter_map(|k| fields.get(k).map(|v| (k.to_owned(), v.clone())))
                .collect();
            refused(state, parts, form, values, &error).await
        }
    }
}

/// POST /zaken/{id}/berichten: "send everything about this case to …" (or back to the usual choice).
/// Success goes back to the case page (303); a refusal renders the case page again with 422 and the reason.
pub async fn post_case(
    State(state): State<AppState>,
    Path(case_id): Path<String>,
    request: Request<Body>,
) -> Response {
    let Some(person_id) = visitor_person(&request) else {
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, "/inloggen?reden=verlopen")],
        )
            .into_response();
    };
    let (mut parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, super::router::BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let fields: HashMap<String, String> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let address = fields
        .get("address")
        .map(String::as_str)
        .filter(|a| !a.is_empty());
    let services = &state.services;
    let now = jiff::Timestamp::now();
    match resident::visible_to_person(&services.db, &services.municipality, &person_id, &case_id)
        .await
    {
        Ok(true) => {}
        // Someone else's case, or none: the same answer as the page gives.
        Ok(false) => return StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "case lookup failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let page = format!("/zaken/{}", super::appointments::q(&case_id));
    match addresses::choose_for_case(&services.db, &person_id, &case_id, address, now).await {
        Ok(()) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("{page}?gelukt=berichten"))],
        )
            .into_response(),
        Err(error) => {
            if let Ok(uri) = page.parse() {
                parts.uri = uri;
            }
            refused(
                state,
                parts,
                String::from("case-messages"),
                Vec::new(),
                &error,
            )
            .await
        }
    }
}

/// The page of `parts` again (as a GET) with the refusal: 422 and the reason in Dutch, or 503 when the database
/// failed; what the resident typed comes back in `values`. Nothing was stored.
async fn refused(
    state: AppState,
    parts: http::request::Parts,
    form: String,
    values: Vec<(String, String)>,
    error: &NotificationsError,
) -> Response {
    let status = if matches!(error, NotificationsError::Storage(_)) {
        tracing::error!(%error, "message settings could not be saved");
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (field, text) = message(super::router::language(&parts.headers), error);
    let problem = FormProblem {
        form,
        field: field.to_owned(),
        message: text,
        values,
    };
    let mut request = Request::from_parts(parts, Body::empty());
    *request.method_mut() = http::Method::GET;
    request.extensions_mut().insert(problem);
    let mut response = render_page(state, request).await;
    *response.status_mut() = status;
    response
}

async fn choose(
    db: &crate::storage::Db,
    person_id: &str,
    fields: &HashMap<String, String>,
    now: jiff::Timestamp,
) -> Result<(), NotificationsError> {
    for kind in MessageKind::ALL {
        if let Some(address) = fields.get(kind.as_str()) {
            let address = Some(address.as_str()).filter(|a| !a.is_empty());
            addresses::choose(db, person_id, kind, address, now).await?;
        }
    }
    Ok(())
}

pub(super) fn visitor_person(request: &Request<Body>) -> Option<String> {
    request
        .extensions()
        .get::<super::session::Visitor>()?
        .person_id()
}
