//! The contact centre's screens: search, check-in, the resident card, today's appointments, the report.

#[allow(unused_imports)]
use super::*;
use serde::{Deserialize, Serialize};

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
    /// Persons: postcode and house number (or the BRP's address lines); companies: the KvK number.
    pub place: Option<String>,
    /// The BRP's `geheimhoudingPersoonsgegevens`: her data must not be passed on to third parties.
    #[serde(default)]
    pub secret: bool,
    /// The parts of her BRP record under investigation: `naam`, `geboorte`, `adres`, `persoon`.
    #[serde(default)]
    pub in_research: Vec<String>,
    /// Recorded by the contact centre as told, not identified by BSN yet.
    #[serde(default)]
    pub unverified: bool,
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
