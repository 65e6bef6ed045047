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

/// Who is looking at the page, provided by the server for each request (never sent to the browser as a whole).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Viewer {
    pub signed_in: Option<SignedInViewer>,
    /// The request carried the cookie of a session that has ended (timed out, or signed out elsewhere).
    pub session_ended: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedInViewer {
    pub account_id: String,
    pub display_name: String,
    pub account_number: String,
    pub staff: bool,
    /// Organisations the person is a confirmed member of: (id, name).
    pub memberships: Vec<(String, String)>,
    /// The organisation the person currently acts for, if any: (id, name).
    pub acting_as: Option<(String, String)>,
    /// How long until the session ends without further activity, in milliseconds (relative, so a device
    /// clock that is off does not matter).
    pub remaining_ms: i64,
}

/// One line on the Activiteit page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityLine {
    /// Local date `YYYY-MM-DD` and time `HH:MM` in the municipality's time zone.
    pub date: String,
    pub time: String,
    /// The event, e.g. `signed-in` or `staff-read` (an i18n key suffix).
    pub event: String,
    /// Set when a staff member acted: their name and role.
    pub staff_name: Option<String>,
    pub staff_role: Option<String>,
    pub data_kind: Option<String>,
}

/// A passkey as its owner sees it in Instellingen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyLine {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
}

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
    /// The signed-in person's activity log (their security events and every staff read of their data).
    async fn activity(&self, viewer: &Viewer) -> Result<Vec<ActivityLine>, ApiError>;
    /// The signed-in account's passkeys.
    async fn passkeys(&self, viewer: &Viewer) -> Result<Vec<PasskeyLine>, ApiError>;
}

#[cfg(feature = "ssr")]
pub type SharedBackend = std::sync::Arc<dyn Backend>;

#[cfg(feature = "ssr")]
fn backend() -> Result<SharedBackend, ApiError> {
    use_context::<SharedBackend>().ok_or(ApiError::Unavailable)
}

#[cfg(feature = "ssr")]
fn viewer() -> Viewer {
    use_context::<Viewer>().unwrap_or_default()
}

/// The current visitor's activity log; empty when nobody is signed in.
#[server(prefix = "/fn", endpoint = "activity")]
pub async fn get_activity() -> Result<Vec<ActivityLine>, ApiError> {
    backend()?.activity(&viewer()).await
}

/// The current visitor's passkeys; empty when nobody is signed in.
#[server(prefix = "/fn", endpoint = "passkeys")]
pub async fn get_passkeys() -> Result<Vec<PasskeyLine>, ApiError> {
    backend()?.passkeys(&viewer()).await
}

/// The overview for the current visitor.
#[server(prefix = "/fn", endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.overview(lang).await
}
