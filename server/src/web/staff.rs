//! The contact centre's search (`POST /medewerkers`): the text travels in the body and the results only in
//! this response, so what a caller says never lands in a URL, a browser history or an access log. Every person
//! or company in the results gets a staff-read entry in the audit log (and so in their activity log).

use super::appointments::{field, principal_of, read_form, sign_in_again};
use super::router::render_page;
use super::AppState;
use crate::authorization::{decide, Action, Principal, Resource};
use crate::identity::audit::{self, ReadOf};
use crate::staff::search::{self, HitKind, StaffError};
use app::api::{SearchHit, StaffSearch};
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{Request, StatusCode};
use jiff::Timestamp;

const UNAVAILABLE: &str = "Zoeken lukt nu niet. Probeer het over een paar minuten opnieuw.";

pub async fn search(State(state): State<AppState>, request: Request<Body>) -> Response {
    let principal = principal_of(&request);
    if principal == Principal::Anonymous {
        return sign_in_again();
    }
    let municipality_id = state.services.municipality.id.clone();
    let decision = decide(
        &principal,
        Action::Read,
        Resource::Residents {
            municipality_id: &municipality_id,
        },
    );
    let (parts, body) = request.into_parts();
    if !decision.allowed() {
        // The page itself tells a resident (or an admin) that it is for the contact centre.
        return render(state, parts, StaffSearch::default(), StatusCode::FORBIDDEN).await;
    }
    let Some(fields) = read_form(body).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let mut result = StaffSearch {
        query: field(&fields, "zoek").chars().take(100).collect(),
        ..StaffSearch::default()
    };
    let query = match search::classify(&result.query) {
        Ok(query) => query,
        Err(error) => {
            result.problem = Some(message(&error).to_owned());
            return render(state, parts, result, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let services = &state.services;
    let now = Timestamp::now();
    let hits = match search::find(&services.db, &municipality_id, &query).await {
        Ok(hits) => hits,
        Err(error) => {
            tracing::error!(%error, "staff search failed");
            result.problem = Some(UNAVAILABLE.to_owned());
            return render(state, parts, result, StatusCode::SERVICE_UNAVAILABLE).await;
        }
    };
    for hit in &hits {
        let read_of = match hit.kind {
            HitKind::Person => ReadOf::Person(&hit.id),
            HitKind::Organisation => ReadOf::Organisation(&hit.id),
        };
        let written = audit::staff_read(
            &services.db,
            &principal,
            decision,
            read_of,
            "zoekresultaat",
            "/medewerkers",
            now,
        )
        .await;
        if let Err(error) = written {
            // No result is shown whose look could not be written down.
            tracing::error!(%error, "staff search could not be audited");
            result.problem = Some(UNAVAILABLE.to_owned());
            return render(state, parts, result, StatusCode::SERVICE_UNAVAILABLE).await;
        }
    }
    tracing::info!(hits = hits.len(), "staff search");
    result.hits = hits
        .into_iter()
        .map(|hit| SearchHit {
            kind: match hit.kind {
                HitKind::Person => "person",
                HitKind::Organisation => "organisation",
            }
            .to_owned(),
            id: hit.id,
            name: hit.name,
            birth_date: hit.birth_date,
            place: hit.place,
        })
        .collect();
    render(state, parts, result, StatusCode::OK).await
}

fn message(error: &StaffError) -> &'static str {
    match error {
        StaffError::Invalid(message) => message,
        StaffError::Storage(_) => UNAVAILABLE,
    }
}

/// Renders `/medewerkers` (as a GET) with `result` on it.
async fn render(
    state: AppState,
    parts: http::request::Parts,
    result: StaffSearch,
    status: StatusCode,
) -> Response {
    let mut request = Request::from_parts(parts, Body::empty());
    *request.method_mut() = http::Method::GET;
    if status != StatusCode::FORBIDDEN {
        request.extensions_mut().insert(result);
    }
    let mut response = render_page(state, request).await;
    *response.status_mut() = status;
    response
}
