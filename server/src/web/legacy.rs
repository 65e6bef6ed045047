//! The field-list helpers of the page handlers not yet on typed extractors ([`super::extract`]) and
//! [`super::reply::PageError`]. Each handler moved over drops its uses; the module goes with the last one.

use super::reply::see_other;
use super::router::render_page;
use super::AppState;
use crate::authorization::Principal;
use axum::body::Body;
use axum::response::Response;
use http::{Request, StatusCode};

fn fields(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(bytes).unwrap_or_default()
}

pub(super) fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

pub(super) fn sign_in_again() -> Response {
    see_other(app::paths::SIGN_IN_AGAIN)
}

/// The form's fields, read up to the request limit: the longest field any form takes (a contact text of 4,000
/// characters, each up to 4 bytes of UTF-8 and 12 once percent-encoded) fits in it with the rest of the form.
pub(super) async fn read_form(body: Body) -> Option<Vec<(String, String)>> {
    axum::body::to_bytes(body, super::router::BODY_LIMIT)
        .await
        .ok()
        .map(|bytes| fields(&bytes))
}

/// Renders `page` (as a GET) with `problem` (a [`FormProblem`] or [`app::api::FormProblems`]) shown on its
/// form, answering `status`.
pub(super) async fn problem_page<P: Clone + Send + Sync + 'static>(
    state: AppState,
    mut parts: http::request::Parts,
    page: String,
    problem: P,
    status: StatusCode,
) -> Response {
    if let Ok(uri) = page.parse() {
        parts.uri = uri;
    }
    let mut request = Request::from_parts(parts, Body::empty());
    *request.method_mut() = http::Method::GET;
    request.extensions_mut().insert(problem);
    let mut response = render_page(state, request).await;
    *response.status_mut() = status;
    response
}

pub(super) fn principal_of(request: &Request<Body>) -> Principal {
    request
        .extensions()
        .get::<super::session::Visitor>()
        .map_or(Principal::Anonymous, |visitor| visitor.identity().0)
}
