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

/// Instellingen → Berichten: the resident's addresses, where each kind of message goes, and what was sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSettings {
    pub addresses: Vec<AddressLine>,
    /// Kind of message (`case-update`, `action-request`, `appointment-confirmation`, `reminder`) → chosen
    /// address id; `None` means the first confirmed address.
    pub choices: Vec<(String, Option<String>)>,
    pub recent: Vec<MessageLine>,
    /// The VAPID public key a browser subscribes with (base64url), for "notifications on this device".
    pub push_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressLine {
    pub id: String,
    /// `email`, `sms` or `push`.
    pub channel: String,
    pub value: String,
    pub label: String,
    /// `confirmed`, `waiting` (code sent, not typed yet), `reconfirm` (confirmed over a year ago) or `gone`
    /// (a device whose push subscription ended).
    pub state: String,
    /// The last message to it could not be delivered.
    pub failed: bool,
    /// She marked it as the address to try when the one chosen for a message does not work.
    pub fallback: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageLine {
    pub date: String,
    pub time: String,
    /// `case-status`, `action-request` or `address-verification`.
    pub kind: String,
    pub to_label: String,
    /// `queued`, `sending`, `sent`, `delivered` (the provider reported it delivered), `failed` or `dropped`.
    pub status: String,
}

/// What the files route of the embedded default wrote (Medewerkers → Berichten in bestanden).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxFiles {
    /// `false` when e-mail and SMS both go out for real (SMTP or the Notify API): there are no files.
    pub files_route: bool,
    /// Newest first.
    pub messages: Vec<OutboxFile>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxFile {
    pub date: String,
    pub time: String,
    /// `email` or `sms`.
    pub channel: String,
    /// The recipient, shortened (`de…@example.nl`, `+316…78`): enough to tell messages apart.
    pub to: String,
    pub subject: Option<String>,
    pub text: String,
}

/// A form on a page that the server refused: which form, which field, why (Dutch B1 from the domain), and
/// what the visitor typed, so the page shows it again and nothing is lost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormProblem {
    pub form: crate::paths::FormId,
    pub field: String,
    pub message: String,
    pub values: Vec<(String, String)>,
}

impl FormProblem {
    pub fn value(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }
}

/// Something the municipality needs from the resident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    /// The case's opaque id, for its link (`/zaken/{id}`): the case number can name the case type.
    pub case_id: String,
    pub case_identifier: String,
    pub case_type_name: String,
    pub text: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
}

/// One case in a list (Overzicht, Zaken).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseListItem {
    /// Opaque; the link is `/zaken/{id}`, never the number.
    pub id: String,
    pub identifier: String,
    pub type_name: String,
    pub description: String,
    /// The current status's resident text; `None` before the first status.
    pub status_text: Option<String>,
    /// Local date of the last change the resident can see, `YYYY-MM-DD`.
    pub last_change: String,
    pub start_date: String,
    pub closed: bool,
    /// Changed since this resident last opened it.
    pub new: bool,
    pub action_deadline: Option<String>,
}

/// Which cases the Zaken page lists, in which order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseQuery {
    pub closed: bool,
    /// `wijziging` (last change, default), `start`, `soort` (type) or `nummer`.
    pub sort: String,
    /// `None`: the column's natural order (last change newest first, the others ascending).
    pub descending: Option<bool>,
    /// Words to find in the type, description or number.
    pub filter: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseList {
    pub acting_for: Option<String>,
    pub cases: Vec<CaseListItem>,
    pub open_count: usize,
    pub closed_count: usize,
}

/// Zaak detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDetail {
    /// Opaque; the page is `/zaken/{id}`.
    pub id: String,
    pub identifier: String,
    pub type_name: String,
    pub description: String,
    pub start_date: String,
    pub planned_end_date: Option<String>,
    pub status_text: Option<String>,
    pub closed: bool,
    pub result: Option<String>,
    pub result_explanation: Option<String>,
    pub action: Option<ActionItem>,
    /// What happened, oldest first; then the next step, if any.
    pub timeline: Vec<TimelineItem>,
    pub next_step: Option<String>,
    pub uploads_allowed: bool,
    /// Where the reader's messages about this case go (their own override), for their own view only.
    pub messages: Option<CaseMessages>,
    /// Documents the reader sent for this case, oldest first.
    pub documents: Vec<DocumentView>,
    /// The reader is the one who sent them (not a staff preview): she may remove those not yet taken.
    pub documents_removable: bool,
    /// Documents can be sent now (open case of a type that takes them, the reader herself, not a preview).
    pub uploads_open: bool,
    /// The largest file the server takes.
    pub upload_max_bytes: u64,
}

/// "Send everything about this case to …": the reader's confirmed addresses (id, label) and the chosen one;
/// `None` means their usual choice for the kind of message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseMessages {
    pub addresses: Vec<(String, String)>,
    pub chosen: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineItem {
    /// Local date and time (`YYYY-MM-DD`, `HH:MM`).
    pub date: String,
    pub time: String,
    pub kind: TimelineKind,
    pub title: String,
    pub text: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimelineKind {
    Started,
    Status,
    Contact,
    Result,
    /// A message Loket sent the reader about the case: `title` is the address's label, `text` the delivery
    /// status (`sent`, `delivered`, `failed`, `queued`, `sending`).
    Message,
}

/// One contact moment as the viewer may see it. `subject` and `text` are `None` for a confidential contact the
/// viewer may only know took place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactLine {
    pub date: String,
    pub time: String,
    pub at_ms: i64,
    /// telefoon, balie, e-mail, web, brief or chat.
    pub channel: String,
    pub subject: Option<String>,
    /// The contact centre's reason (a [`CONTACT_REASONS`] code), shown in the reader's language instead of
    /// the stored (Dutch) subject.
    pub reason: Option<String>,
    pub text: Option<String>,
    pub confidential: bool,
    pub registered_by: String,
    /// The linked case's opaque id (for the link) and number (to show).
    pub case_id: Option<String>,
    pub case_identifier: Option<String>,
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

/// A document the resident sent (always one PDF, however many photos it was made of).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: String,
    pub title: String,
    pub pages: i64,
    /// Local date and time it arrived, `YYYY-MM-DD HH:MM`.
    pub sent: String,
    /// The municipality has not taken it into processing yet: the resident may still remove it (and the back
    /// office may take it).
    pub removable: bool,
    /// The reader may open its pages (the resident; staff whose role sees WHAT of documents).
    pub openable: bool,
}

/// Documents sent for one appointment (or case), for the Documenten page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentGroup {
    pub heading: String,
    /// The page of what they were sent for.
    pub link: Option<String>,
    /// The visitor may remove them (she herself; never a staff preview).
    pub removable: bool,
    pub documents: Vec<DocumentView>,
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

/// The contact centre's search: what was typed, why it could not be used, and who was found. It travels only
/// in a POST body and the page it renders: what a caller told the contact centre never goes into a URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSearch {
    pub query: String,
    /// A Dutch reason when the text could not be used.
    pub problem: Option<String>,
    pub hits: Vec<SearchHit>,
}

/// The desk's check-in: the code as typed, why it did not work, or the appointment checked in (no name:
/// the desk sees the resident in person).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInResult {
    pub code: String,
    pub problem: Option<String>,
    pub done: Option<CheckedIn>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedIn {
    pub service: String,
    pub time: String,
    pub location: String,
    /// The code was scanned before: nothing changed.
    pub again: bool,
}

/// One search result: enough to pick the right person or company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    /// `person` or `organisation`.
    pub kind: String,
    pub id: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Persons: postcode and house number; companies: the KvK number.
    pub place: Option<String>,
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

/// The contact centre's card of one resident: who, how to reach her (shortened), and her appointments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffResident {
    pub id: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Postcode and house number.
    pub place: Option<String>,
    /// Confirmed addresses: label and the address shortened (`d…@example.nl`, `06…5678`).
    pub addresses: Vec<Choice>,
    /// Booked appointments not yet over, soonest first, each with a fresh idempotency key for its cancel form.
    pub appointments: Vec<(AppointmentLine, String)>,
    /// The details she gave while booking, per appointment id: (field: `phone`, `email`, `birth-date`,
    /// `postal-address`; value).
    pub appointment_details: Vec<(String, Vec<(String, String)>)>,
    /// Documents she sent, per appointment id (the contact centre sees THAT: title and date, no link).
    pub appointment_documents: Vec<(String, Vec<DocumentView>)>,
    /// Her cases, newest first, as far as the employee's role may know them.
    pub cases: Vec<StaffCase>,
    /// Contact history, newest first; a confidential one without subject or text for roles that may know
    /// only THAT it took place.
    pub contacts: Vec<ContactLine>,
    /// The latest messages sent to her and whether they arrived (never their content).
    pub messages: Vec<MessageLine>,
    /// What matters right now, shown in a dialog when the card opens: (i18n key, arguments).
    pub notices: Vec<(String, Vec<(String, String)>)>,
    /// The form for recording a contact: her cases to link it to (identifier, label) and a fresh key.
    pub contact_cases: Vec<Choice>,
    /// Case types a contact can start a case of (value `nieuw:{code}`, the type's name).
    pub new_cases: Vec<Choice>,
    pub contact_key: String,
    /// The employee's role may issue her an activation code (the contact centre may; the back office not).
    pub may_issue_code: bool,
    /// A code she could still use is out: until when (local date `YYYY-MM-DD`, time `HH:MM`); only for roles
    /// that may issue (and so revoke) one.
    pub open_code: Option<(String, String)>,
    /// Addresses whose last message did not arrive (label and shortened value; id), to correct on the phone.
    pub failing: Vec<Choice>,
}

/// The desk's day: today's booked appointments at every location, soonest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffToday {
    /// Local date `YYYY-MM-DD`.
    pub date: String,
    pub items: Vec<TodayItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayItem {
    pub line: AppointmentLine,
    /// Whose appointment it is: the person's id (for her card) and name.
    pub person_id: String,
    pub name: String,
    pub checked_in: bool,
}

/// The report page: counts per local week, no personal data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffReport {
    /// The Mondays (`YYYY-MM-DD`) of the weeks shown, oldest first.
    pub weeks: Vec<String>,
    /// (measure, category, detail, count per week in the order of `weeks`); measure is `contacten`,
    /// `afspraken` or `berichten`.
    pub rows: Vec<ReportRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    pub measure: String,
    pub category: String,
    pub detail: String,
    pub counts: Vec<i64>,
}

/// An activation code just issued from the resident card: shown once in that answer (never in a URL), for the
/// employee to read out or send by letter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedActivation {
    /// Whom it is for, where the page lists several people (the administrators' staff page).
    pub for_whom: Option<String>,
    pub code: String,
    /// Local date `YYYY-MM-DD` and time `HH:MM` it stops working.
    pub until_date: String,
    pub until_time: String,
}

/// The kinds of item on the administrators' catalogue pages: the path segment
/// of its pages (`/beheer/afspraken/{segment}/…`), which the handlers that save them share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CatalogueKind {
    Service,
    Location,
    Resource,
}

impl CatalogueKind {
    pub fn segment(self) -> &'static str {
        match self {
            CatalogueKind::Service => "diensten",
            CatalogueKind::Location => "locaties",
            CatalogueKind::Resource => "agendas",
        }
    }
}

/// The appointment catalogue on the administrators' pages (`/beheer/afspraken`). Each item carries its values
/// as its edit form holds them (field name → text; a group of checkboxes repeats its name), so a refused form
/// shows what was typed in exactly the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueAdmin {
    pub services: Vec<CatalogueItem>,
    pub locations: Vec<CatalogueItem>,
    pub resources: Vec<CatalogueItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueItem {
    pub id: String,
    pub name: String,
    pub values: Vec<(String, String)>,
}

impl CatalogueItem {
    /// The first value of field `name`; empty when it has none.
    pub fn value(&self, name: &str) -> String {
        first_value(&self.values, name)
    }
}

/// The first value of field `name` among form values; empty when it has none.
pub fn first_value(values: &[(String, String)], name: &str) -> String {
    values
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
        .unwrap_or_default()
}

/// A form the server refused with several problems at once (the catalogue forms): every field with its reason
/// (Dutch B1), and everything that was typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormProblems {
    pub form: crate::paths::FormId,
    pub problems: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
}

/// One employee on the administrators' page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMemberView {
    pub id: String,
    pub name: String,
    /// `kcc`, `backoffice` or `admin`.
    pub role: String,
    /// Passkeys on their account: 0 means they cannot sign in until they use a code.
    pub passkeys: i64,
    /// A code they could still use is out: until when (local date `YYYY-MM-DD`, time `HH:MM`).
    pub open_code: Option<(String, String)>,
    /// They left (no sign-in, no new codes).
    pub left: bool,
}

/// One case on the staff card. `what: None` when the role may know only THAT there is a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffCase {
    /// `YYYY-MM-DD`.
    pub start_date: String,
    pub closed: bool,
    pub what: Option<StaffCaseWhat>,
    /// The documents she sent for it, when the role may know what the case is and that documents exist.
    pub documents: Vec<DocumentView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffCaseWhat {
    pub identifier: String,
    pub type_name: String,
    pub status: Option<String>,
}

/// The channels a contact can have come through, as the server checks them.
pub const CONTACT_CHANNELS: [&str; 6] = ["telefoon", "balie", "e-mail", "web", "brief", "chat"];

/// The reasons the contact centre chooses from when it records a contact; each reads as the contact's subject
/// (Fluent `contact-reason-{code}`). The codes feed the report; changing a label keeps the history countable.
pub const CONTACT_REASONS: [&str; 11] = [
    "afspraak",
    "zaak",
    "paspoort-id",
    "rijbewijs",
    "verhuizing",
    "afval",
    "belastingen",
    "zorg",
    "geldzaken",
    "klacht",
    "overig",
];

/// The Fluent message naming contact reason `code`.
pub fn contact_reason_key(code: &str) -> String {
    format!("contact-reason-{code}")
}

/// What the reader sees as a contact's subject: its reason in her language, else the subject as stored.
pub fn contact_subject(lang: crate::i18n::Lang, contact: &ContactLine) -> Option<String> {
    match &contact.reason {
        Some(code) if CONTACT_REASONS.contains(&code.as_str()) => {
            Some(crate::i18n::tr(lang, &contact_reason_key(code)))
        }
        _ => contact.subject.clone(),
    }
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

/// Errors a server function can return. The message is for residents (Dutch, B1); see [`ApiError::message_key`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("Loket kan uw gegevens nu niet ophalen. Probeer het over een paar minuten opnieuw.")]
    Unavailable,
    #[error("Er ging iets mis met de verbinding. Probeer het opnieuw.")]
    Transport(String),
    /// The server could not read the arguments (a hand-made or damaged request); answered with 400.
    #[error("Loket kon niet lezen wat uw browser stuurde. Laad de pagina opnieuw en probeer het nog eens.")]
    BadRequest,
}

impl ApiError {
    /// The i18n key of the resident-facing message.
    pub fn message_key(&self) -> &'static str {
        match self {
            ApiError::Unavailable => "error-unavailable",
            ApiError::Transport(_) => "error-transport",
            ApiError::BadRequest => "error-bad-request",
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The parser's own words say nothing to a resident and something to an attacker.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => ApiError::BadRequest,
            other => ApiError::Transport(other.to_string()),
        }
    }
}

/// The seam between the UI contract and the server's domain services. The server implements it and provides
/// an `Arc<dyn Backend>` as context to every request.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    async fn overview(&self, viewer: &Viewer, lang: Lang) -> Result<Overview, ApiError>;
    /// The viewer's cases (their own, or those of the organisation they act for).
    async fn cases(
        &self,
        viewer: &Viewer,
        lang: Lang,
        query: CaseQuery,
    ) -> Result<CaseList, ApiError>;
    /// One of the viewer's cases; `None` when it does not exist or is not theirs to see. Opening it marks it seen.
    async fn case(
        &self,
        viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<CaseDetail>, ApiError>;
    /// The viewer's contact history, newest first.
    async fn contacts(&self, viewer: &Viewer) -> Result<Vec<ContactLine>, ApiError>;
    /// The signed-in person's activity log (their security events and every staff read of their data).
    async fn activity(&self, viewer: &Viewer) -> Result<Vec<ActivityLine>, ApiError>;
    /// The signed-in account's passkeys.
    async fn passkeys(&self, viewer: &Viewer) -> Result<Vec<PasskeyLine>, ApiError>;
    /// The signed-in person's addresses and message choices; `None` for anyone else.
    async fn message_settings(&self, viewer: &Viewer) -> Result<Option<MessageSettings>, ApiError>;
    /// The messages the embedded default wrote to files, for staff of this municipality; `None` for anyone else.
    async fn outbox_files(&self, viewer: &Viewer) -> Result<Option<OutboxFiles>, ApiError>;
    /// The contact centre's card of person `id` (audited); `None` for anyone who may not see it.
    async fn staff_resident(
        &self,
        viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<StaffResident>, ApiError>;
    /// The report for staff of this municipality; `None` for anyone else.
    async fn staff_report(&self, viewer: &Viewer) -> Result<Option<StaffReport>, ApiError>;
    async fn staff_today(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<StaffToday>, ApiError>;
    /// The municipality's employees, for its administrators; `None` for anyone else.
    async fn staff_members(
        &self,
        viewer: &Viewer,
    ) -> Result<Option<Vec<StaffMemberView>>, ApiError>;
    /// The appointment catalogue, for administrators of this municipality; `None` for anyone else.
    async fn catalogue_admin(&self, viewer: &Viewer) -> Result<Option<CatalogueAdmin>, ApiError>;
    /// The signed-in person's appointments, soonest first; `None` for anyone without a personal page.
    async fn appointments(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<Vec<AppointmentLine>>, ApiError>;
    /// One of the signed-in person's appointments; `None` when it is not theirs (or does not exist).
    async fn appointment(
        &self,
        viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<AppointmentCard>, ApiError>;
    /// The signed-in person's documents, grouped; `None` for anyone without a personal page.
    async fn documents(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<Vec<DocumentGroup>>, ApiError>;
    /// What the page of appointment link `token` offers; `None` for an unknown, expired or blocked link.
    async fn appointment_link(&self, token: String) -> Result<Option<LinkCheck>, ApiError>;
    /// The booking (or moving) step the query points at; `None` for anyone without a personal page.
    async fn booking_step(
        &self,
        viewer: &Viewer,
        lang: Lang,
        query: BookingQuery,
    ) -> Result<Option<BookingStep>, ApiError>;
}

/// The server functions that only read. A staff preview of a resident's pages may call these and no others:
/// a new server function that changes state is refused there until it is listed here (which it must not be).
pub const READ_ONLY_FNS: [&str; 18] = [
    "activity",
    "staff-today",
    "passkeys",
    "overview",
    "cases",
    "case",
    "contacts",
    "outbox-files",
    "staff-resident",
    "staff-report",
    "staff-members",
    "message-settings",
    "appointments",
    "appointment",
    "documents",
    "booking-step",
    "appointment-link",
    "catalogue-admin",
];

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
    backend()?.overview(&viewer(), lang).await
}

/// The viewer's cases, open or closed, sorted and filtered.
#[server(prefix = "/fn", endpoint = "cases")]
pub async fn get_cases(query: CaseQuery) -> Result<CaseList, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.cases(&viewer(), lang, query).await
}

/// One of the viewer's cases with its timeline.
#[server(prefix = "/fn", endpoint = "case")]
pub async fn get_case(id: String) -> Result<Option<CaseDetail>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.case(&viewer(), lang, id).await
}

/// The viewer's contact history.
#[server(prefix = "/fn", endpoint = "contacts")]
pub async fn get_contacts() -> Result<Vec<ContactLine>, ApiError> {
    backend()?.contacts(&viewer()).await
}

/// Staff only: the messages written to files instead of being sent (the embedded default).
#[server(prefix = "/fn", endpoint = "outbox-files")]
pub async fn get_outbox_files() -> Result<Option<OutboxFiles>, ApiError> {
    backend()?.outbox_files(&viewer()).await
}

/// Staff only: the card of one resident.
#[server(prefix = "/fn", endpoint = "staff-resident")]
pub async fn get_staff_resident(id: String) -> Result<Option<StaffResident>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.staff_resident(&viewer(), lang, id).await
}

/// Staff only: the report (counts, no personal data).
#[server(prefix = "/fn", endpoint = "staff-report")]
pub async fn get_staff_report() -> Result<Option<StaffReport>, ApiError> {
    backend()?.staff_report(&viewer()).await
}

/// Staff who serve residents: today's appointments (each listed person's name is a read in her log).
#[server(prefix = "/fn", endpoint = "staff-today")]
pub async fn get_staff_today() -> Result<Option<StaffToday>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.staff_today(&viewer(), lang).await
}

/// Administrators only: the municipality's employees.
#[server(prefix = "/fn", endpoint = "staff-members")]
pub async fn get_staff_members() -> Result<Option<Vec<StaffMemberView>>, ApiError> {
    backend()?.staff_members(&viewer()).await
}

/// The signed-in person's addresses, choices and recent messages.
#[server(prefix = "/fn", endpoint = "message-settings")]
pub async fn get_message_settings() -> Result<Option<MessageSettings>, ApiError> {
    backend()?.message_settings(&viewer()).await
}

/// The signed-in person's appointments.
#[server(prefix = "/fn", endpoint = "appointments")]
pub async fn get_appointments() -> Result<Option<Vec<AppointmentLine>>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.appointments(&viewer(), lang).await
}

/// The Documenten page.
#[server(prefix = "/fn", endpoint = "documents")]
pub async fn get_documents() -> Result<Option<Vec<DocumentGroup>>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.documents(&viewer(), lang).await
}

/// One appointment card.
#[server(prefix = "/fn", endpoint = "appointment")]
pub async fn get_appointment(id: String) -> Result<Option<AppointmentCard>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.appointment(&viewer(), lang, id).await
}

/// What an appointment link's page offers (nothing about the appointment or the person behind it).
#[server(prefix = "/fn", endpoint = "appointment-link")]
pub async fn get_appointment_link(token: String) -> Result<Option<LinkCheck>, ApiError> {
    backend()?.appointment_link(token).await
}

/// The appointment catalogue for its administrators.
#[server(prefix = "/fn", endpoint = "catalogue-admin")]
pub async fn get_catalogue_admin() -> Result<Option<CatalogueAdmin>, ApiError> {
    backend()?.catalogue_admin(&viewer()).await
}

/// A step of booking or moving an appointment.
#[server(prefix = "/fn", endpoint = "booking-step")]
pub async fn get_booking_step(query: BookingQuery) -> Result<Option<BookingStep>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.booking_step(&viewer(), lang, query).await
}
