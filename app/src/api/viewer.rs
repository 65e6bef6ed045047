//! Who is looking: the viewer the server provides per request, the CSRF token, the Activiteit page and passkeys.

#[allow(unused_imports)]
use super::*;
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
    /// Someone without sign-in who opened an appointment link: the one appointment they may see.
    pub appointment_link: Option<String>,
    /// A staff member looking at a resident's own pages ("Bekijk als inwoner"): who looks, and the role's
    /// name. `signed_in` then describes the resident as she would see herself.
    pub preview: Option<PreviewViewer>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewViewer {
    pub staff_name: String,
    /// `kcc`, `backoffice` or `admin`.
    pub role: String,
    /// The resident's id, for the way back to her card.
    pub person_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedInViewer {
    pub account_id: String,
    pub display_name: String,
    pub account_number: String,
    pub staff: bool,
    /// A staff member with the administrator role (manages staff accounts).
    pub admin: bool,
    /// Organisations the person is a confirmed member of: (id, name).
    pub memberships: Vec<(String, String)>,
    /// The organisation the person currently acts for, if any: (id, name).
    pub acting_as: Option<(String, String)>,
    /// How long until the session ends without further activity, in milliseconds (relative, so a device
    /// clock that is off does not matter).
    pub remaining_ms: i64,
    /// Set when this session does not open her cases, contact moments and documents.
    pub records_closed: Option<RecordsClosed>,
    /// DigiD Machtigen: the name of the person this session acts for; the pages are hers, read-only.
    pub on_behalf_of: Option<String>,
}

/// Why her records stay closed in this session, and what opens them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordsClosed {
    /// The DigiD level (`laag`, `substantieel`, `hoog`) she must sign in with.
    pub level: String,
    /// She did sign in with DigiD, at a lower level (otherwise: with a passkey).
    pub by_digid: bool,
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

/// Mijn gegevens: what the BRP says about her, read for this page in her own DigiD session and kept nowhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MyDetails {
    /// This Loket has no connection to the BRP.
    NoRegister,
    /// The BRP did not find her (or Loket knows no BSN of hers).
    NotFound,
    Found {
        name: String,
        /// `YYYY-MM-DD`, or the BRP's own wording for an incomplete date.
        birth_date: Option<String>,
        birth_place: Option<String>,
        address: Vec<String>,
        /// The parts under investigation at the BRP: `naam`, `geboorte`, `adres`, `persoon`.
        in_research: Vec<String>,
    },
}
