//! Overzicht and what every page shows about the municipality.

#[allow(unused_imports)]
use super::*;
use serde::{Deserialize, Serialize};

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
    /// The sign-in doors through a broker this installation has (`digid`), for the sign-in page.
    #[serde(default)]
    pub doors: Vec<String>,
}

/// One line of opening hours, e.g. weekday 1 (Monday) "08:30–17:00". `hours: None` means closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningLine {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    pub hours: Option<String>,
}

/// The overview page. `personal` is filled for a signed-in resident; `demo` only while demo mode is on and
/// nobody is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub personal: Option<PersonalOverview>,
    pub demo: Option<DemoOverview>,
}

/// Overzicht for a signed-in resident (or a member acting for an organisation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalOverview {
    /// The organisation the viewer acts for, when they do.
    pub acting_for: Option<String>,
    /// What needs the resident's action, earliest deadline first.
    pub actions: Vec<ActionItem>,
    pub open_cases: Vec<CaseListItem>,
    /// How many open cases there are in all (the list shows the most recent few).
    pub open_case_count: usize,
    pub recent_contacts: Vec<ContactLine>,
    /// Labels of the resident's addresses where the last message could not be delivered.
    #[serde(default)]
    pub unreachable: Vec<String>,
    /// The first appointment not yet over (filled in by the appointments side).
    #[serde(default)]
    pub next_appointment: Option<AppointmentLine>,
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
