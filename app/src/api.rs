//! The API contract: DTOs shared by server and browser, the server functions, and the [`Backend`] seam
//! through which those functions reach the server's domain services.

#[cfg(feature = "ssr")]
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// The visitor's CSRF token, provided by the server for each request. Forms carry it in a hidden `csrf`
/// field ([`crate::shell::CsrfField`]); scripts send it as the `x-csrf-token` header (from the `csrf-token`
/// meta tag).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsrfToken(pub String);

/// What every page shows about the municipality: branding and contact details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalityView {
    pub name: String,
    pub short_name: String,
    pub logo_url: String,
    pub phone: String,
    pub email: String,
    pub address: Vec<String>,
    pub opening_hours: Vec<OpeningLine>,
    /// True when Loket runs with demo data; the UI says so on every page.
    pub demo: bool,
}

/// One line of opening hours, e.g. weekday 1 (Monday) "08:30–17:00". `hours: None` means closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningLine {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    pub hours: Option<String>,
}

/// The overview page. `demo` is filled only while demo mode is on and nobody is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub demo: Option<DemoOverview>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoOverview {
    pub resident_name: String,
    pub cases: Vec<CaseSummary>,
    pub locations: Vec<LocationView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub identifier: String,
    pub type_name: String,
    pub status_text: String,
    /// Local calendar date (municipality's time zone) the current status was reached, `YYYY-MM-DD`.
    pub status_since: String,
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationView {
    pub name: String,
    pub street: String,
    pub postcode_city: String,
    pub opening_hours: Vec<OpeningLine>,
}

/// Errors a server function can return. The message is for residents (Dutch, B1); see [`ApiError::message_key`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("Loket kan uw gegevens nu niet ophalen. Probeer het over een paar minuten opnieuw.")]
    Unavailable,
    #[error("Er ging iets mis met de verbinding. Probeer het opnieuw.")]
    Transport(String),
}

impl ApiError {
    /// The i18n key of the resident-facing message.
    pub fn message_key(&self) -> &'static str {
        match self {
            ApiError::Unavailable => "error-unavailable",
            ApiError::Transport(_) => "error-transport",
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ApiError::Transport(value.to_string())
    }
}

/// The seam between the UI contract and the server's domain services. The server implements it and provides
/// an `Arc<dyn Backend>` as context to every request.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    async fn overview(&self, lang: Lang) -> Result<Overview, ApiError>;
}

#[cfg(feature = "ssr")]
pub type SharedBackend = std::sync::Arc<dyn Backend>;

#[cfg(feature = "ssr")]
fn backend() -> Result<SharedBackend, ApiError> {
    use_context::<SharedBackend>().ok_or(ApiError::Unavailable)
}

/// The overview for the current visitor.
#[server(prefix = "/fn", endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.overview(lang).await
}
