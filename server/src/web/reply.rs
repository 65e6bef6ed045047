//! What a page handler answers: a redirect (303) after success, or a [`PageError`]. A refused form is
//! answered by rendering the page again (as a GET) with what was wrong and what she typed, so nothing is lost;
//! the [`rerender`] middleware does that render, because an error's `IntoResponse` cannot.

use super::errors::Explain;
use super::router::render_page;
use super::AppState;
use app::api::FormProblem;
use app::paths::FormId;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, Method, StatusCode};
use std::sync::Arc;

/// After a form did what it was asked: go to `location` (never a render, so a reload posts nothing again).
pub(crate) fn see_other(location: impl Into<String>) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location.into())]).into_response()
}

/// Percent-encodes a path segment or query value (ids and dates only, but never trust them).
pub(crate) fn q(value: &str) -> String {
    app::paths::encode(value)
}

/// Why a page handler did not do what was asked. Each becomes exactly today's answer: a sign-in redirect,
/// a bare status, or the page again with the reason on its form.
pub(crate) enum PageError {
    /// No session (or it ended): to the sign-in page, which says why.
    SignIn,
    /// Not there, or not hers: the same answer, so ids cannot be probed.
    NotFound,
    /// The form is larger than any form Loket has.
    TooLarge,
    /// The database or a service behind it failed; nothing was done.
    Unavailable,
    /// A plain answer: `status` with Fluent message `key` in the visitor's language (a form posted by someone
    /// it is not for, or about something that is not there).
    Said(StatusCode, &'static str),
    /// Render a page again with a problem on it (see [`Refused`]).
    Render(Rerender),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::SignIn => see_other(app::paths::SIGN_IN_AGAIN),
            PageError::NotFound => StatusCode::NOT_FOUND.into_response(),
            PageError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE.into_response(),
            PageError::Unavailable => StatusCode::SERVICE_UNAVAILABLE.into_response(),
            PageError::Said(status, key) => super::plain_refusal(status, key),
            PageError::Render(again) => {
                let mut response = again.status.into_response();
                response.extensions_mut().insert(again);
                response
            }
        }
    }
}

/// A page to render again by [`rerender`]: which page, with which status, and what goes into its context.
#[derive(Clone)]
pub(crate) struct Rerender {
    /// Path and query of the page; `None`: the page the form was posted to.
    page: Option<String>,
    status: StatusCode,
    context: Arc<dyn Fn(&mut http::Extensions) + Send + Sync>,
}

impl PageError {
    /// The page again with `value` in its context (a search result, a check-in), answering `status`.
    pub(crate) fn render<T: Clone + Send + Sync + 'static>(
        page: Option<String>,
        status: StatusCode,
        value: T,
    ) -> PageError {
        PageError::Render(Rerender {
            page,
            status,
            context: Arc::new(move |extensions| {
                extensions.insert(value.clone());
            }),
        })
    }
}

/// The page the form was posted to, rendered with `value` in its context (a search result, a check-in, a
/// code shown once) and answering `status`: for forms whose answer is a page rather than a redirect.
pub(crate) fn show<T: Clone + Send + Sync + 'static>(status: StatusCode, value: T) -> Response {
    PageError::render(None, status, value).into_response()
}

/// The page the form was posted to, as it is (nothing of the form on it), answering `status`.
pub(crate) fn show_plain(status: StatusCode) -> Response {
    PageError::Render(Rerender {
        page: None,
        status,
        context: Arc::new(|_| {}),
    })
    .into_response()
}

/// A refused form, built up: `Refused::form(FormId::Cancel).at(page).keeping(values).because(&error)`.
pub(crate) struct Refused {
    form: FormId,
    page: Option<String>,
    values: Vec<(String, String)>,
}

impl Refused {
    /// The form (its id on the page, as in [`FormProblem::form`]) that was refused.
    pub(crate) fn form(form: FormId) -> Refused {
        Refused {
            form,
            page: None,
            values: Vec::new(),
        }
    }

    /// The page to show it on, when that is not the page the form was posted to.
    pub(crate) fn at(mut self, page: String) -> Refused {
        self.page = Some(page);
        self
    }

    /// What she typed, to come back in the form.
    pub(crate) fn keeping(mut self, values: Vec<(String, String)>) -> Refused {
        self.values = values;
        self
    }

    /// Refused for `error`: its field, its message in the visitor's language, 422 (503 when storage failed,
    /// which is logged here).
    pub(crate) fn because<E: Explain>(self, error: &E) -> PageError {
        let explained = error.explain(super::request_lang());
        self.saying(explained.status, explained.field, explained.message)
    }

    /// Refused for `error`, shown on `field` (for errors that do not know which field of this form they are
    /// about).
    pub(crate) fn because_on<E: Explain>(self, field: &str, error: &E) -> PageError {
        let explained = error.explain(super::request_lang());
        self.saying(explained.status, field, explained.message)
    }

    /// Refused with `message` on `field`, answering `status`.
    pub(crate) fn saying(
        self,
        status: StatusCode,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> PageError {
        let problem = FormProblem {
            form: self.form,
            field: field.into(),
            message: message.into(),
            values: self.values,
        };
        PageError::render(self.page, status, problem)
    }
}

/// Middleware on the page routes: a response that asks for a [`Rerender`] becomes that page, rendered with
/// the original request's session, language and nonce, and the handler's other headers kept.
pub(crate) async fn rerender(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let kept = parts.clone();
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let Some(again) = response.extensions_mut().remove::<Rerender>() else {
        return response;
    };
    let mut parts = kept;
    if let Some(uri) = again.page.as_deref().and_then(|page| page.parse().ok()) {
        parts.uri = uri;
    }
    parts.method = Method::GET;
    (again.context)(&mut parts.extensions);
    let mut rendered = render_page(state, Request::from_parts(parts, Body::empty())).await;
    *rendered.status_mut() = again.status;
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().append(name, value.clone());
        }
    }
    rendered
}
