//! Appointments: the list, the card, the booking and moving steps, the appointment link's page.

#[allow(unused_imports)]
use super::*;
use serde::{Deserialize, Serialize};

/// One appointment in the list: what, when (local date `YYYY-MM-DD`, times `HH:MM`) and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentLine {
    pub id: String,
    pub service: String,
    pub date: String,
    pub time: String,
    pub end_time: String,
    pub location: String,
    pub cancelled: bool,
    /// Started or over.
    pub past: bool,
}

/// Where an appointment is: address, route and what the building offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceView {
    pub name: String,
    pub street: String,
    pub postcode_city: String,
    pub route: String,
    pub wheelchair: bool,
    pub hearing_loop: bool,
    pub quiet_room: bool,
    pub map_url: Option<String>,
}

/// One thing to bring, with a picture of the document when there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BringView {
    pub text: String,
    pub picture: Option<String>,
}

/// What an appointment link's page offers. It says nothing about the appointment or the person: only which
/// second check works.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCheck {
    /// Loket knows the birth date: the page asks for it (a code is the other way).
    pub birth_date: bool,
    /// A code was sent for this link less than 15 minutes ago: the page shows where to type it.
    pub code_waiting: bool,
}

/// The appointment card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentCard {
    pub line: AppointmentLine,
    /// The version the page shows; a move sends it back so a change made meanwhile is noticed.
    pub sequence: i64,
    pub place: PlaceView,
    pub bring: Vec<BringView>,
    pub tips: String,
    /// Every reminder code (`evening-before`, `morning`, `2h`, `1h`) and whether it is on.
    pub reminders: Vec<(String, bool)>,
    /// The code the desk scans, and the same as a QR code (SVG markup made by the server).
    pub checkin_code: String,
    pub checkin_qr: String,
    /// Booked by the contact centre on the resident's behalf.
    pub by_contact_centre: bool,
    /// A fresh idempotency key for the forms on the card (cancel).
    pub key: String,
    /// Documents sent for this appointment, oldest first.
    pub documents: Vec<DocumentView>,
    /// Documents can be added now (booked, not over, and not a staff preview).
    pub uploads_open: bool,
    /// She may remove what she sent (not in a preview, nor in an appointment link's session).
    pub documents_removable: bool,
    /// The largest file the server takes; the page says so before sending a larger one.
    pub upload_max_bytes: u64,
}

/// Where the booking steps are: chosen service, location and day, as the page's query says. With
/// `appointment`, the steps move that appointment (service and location fixed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingQuery {
    pub service: Option<String>,
    pub location: Option<String>,
    pub day: Option<String>,
    pub appointment: Option<String>,
    /// The contact centre books for this person (staff only).
    pub person: Option<String>,
}

/// A choice on a booking step: value and what the resident reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A booking step: what is chosen so far and the choices of the next step.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingStep {
    pub services: Vec<Choice>,
    pub service: Option<Choice>,
    pub locations: Vec<Choice>,
    pub location: Option<Choice>,
    /// Local dates (`YYYY-MM-DD`) that have a free time.
    pub days: Vec<String>,
    /// The same dates by calendar week (Monday to Sunday): the Monday's date, and the week's free dates.
    pub weeks: Vec<(String, Vec<String>)>,
    pub day: Option<String>,
    /// Free times of the chosen day: value = the start instant in Unix milliseconds, label = `HH:MM`.
    pub times: Vec<Choice>,
    /// A fresh idempotency key for the confirm form.
    pub key: String,
    /// When moving: the appointment as it is now, and its version.
    pub moving: Option<AppointmentLine>,
    pub sequence: i64,
    /// The details the service needs, in order (not when moving).
    pub details: Vec<DetailStep>,
    /// Where the confirmation can go besides the resident's usual choice: her confirmed addresses
    /// (value = address id, label = how she named it and the address).
    pub channels: Vec<Choice>,
    /// The contact centre books for this person: (person id, name). The steps then offer every service
    /// (also those only the contact centre books) and a new address given on the phone.
    pub for_person: Option<(String, String)>,
}

/// The booking form's names of the detail inputs (the server reads them, the page shows a refusal naming one
/// of them next to it).
pub const DETAIL_INPUTS: [&str; 7] = [
    "telefoon",
    "email",
    "geboortedag",
    "geboortemaand",
    "geboortejaar",
    "postcode",
    "huisnummer",
];

/// A detail a service needs: `field` is `phone`, `email`, `birth-date` or `postal-address`; `known` is the
/// value Loket already has (shown, not asked), `None` means the form asks for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailStep {
    pub field: String,
    pub known: Option<String>,
}
