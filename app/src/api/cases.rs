//! Cases (Zaken, a case's timeline) and contact moments as the resident and the contact centre read them.

#[allow(unused_imports)]
use super::*;
use serde::{Deserialize, Serialize};

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
