//! The HTTP edge: thin handlers, one router, and the security headers every response carries.

mod admin;
mod appointments;
mod backoffice;
mod bridge;
mod catalogue;
mod documents;
mod identity;
mod messages;
mod pwa;
mod router;
mod security;
mod session;
mod staff;
mod text_guard;

pub use backoffice::openapi_document;

/// The answer when the database or a service behind it fails: nothing was done, try again later.
const NOT_NOW: &str = "Dat lukt nu niet. Probeer het over een paar minuten opnieuw.";
pub use bridge::{Services, WebPush};
pub use router::{router, server_fn_names, state_changing_routes, AppState, Assets};
pub use security::CspNonce;
pub use session::{CsrfToken, Visitor, CSRF_FIELD, CSRF_HEADER, PREVIEW_MAY_POST};

/// The visitor's language (the language cookie, Dutch without one), for answers built outside Leptos.
pub(crate) struct VisitorLang(pub app::i18n::Lang);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for VisitorLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(VisitorLang(router::language(&parts.headers)))
    }
}
