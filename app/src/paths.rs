//! Route paths and the notices a form leaves after success, built in one place for the pages (links, form
//! actions) and the server (redirects, re-renders), so neither spells a path or a notice by hand.

/// Percent-encodes everything but unreserved characters (RFC 3986), for path segments and query values.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The query parameter that carries a [`Notice`].
pub const NOTICE: &str = "gelukt";

/// What a form did, said on the page it redirects to (`?gelukt=…`): a word, never data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Booked,
    Moved,
    Cancelled,
    Reminders,
    DocumentSent,
    DocumentRemoved,
    DocumentTaken,
    CodeSent,
    Confirmed,
    Removed,
    Saved,
    PushOn,
    CaseMessages,
    Contact,
    Address,
    CodeRevoked,
    /// An administrator revoked a staff member's activation code.
    StaffCodeRevoked,
    Left,
    Role,
    Services,
    Locations,
    Agendas,
    /// The contact centre recorded a first-time caller as she told it.
    CallerRecorded,
}

impl Notice {
    pub const ALL: [Notice; 23] = [
        Notice::Booked,
        Notice::Moved,
        Notice::Cancelled,
        Notice::Reminders,
        Notice::DocumentSent,
        Notice::DocumentRemoved,
        Notice::DocumentTaken,
        Notice::CodeSent,
        Notice::Confirmed,
        Notice::Removed,
        Notice::Saved,
        Notice::PushOn,
        Notice::CaseMessages,
        Notice::Contact,
        Notice::Address,
        Notice::CodeRevoked,
        Notice::StaffCodeRevoked,
        Notice::Left,
        Notice::Role,
        Notice::Services,
        Notice::Locations,
        Notice::Agendas,
        Notice::CallerRecorded,
    ];

    /// The word in the URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Notice::Booked => "geboekt",
            Notice::Moved => "verzet",
            Notice::Cancelled => "geannuleerd",
            Notice::Reminders => "herinneringen",
            Notice::DocumentSent => "document",
            Notice::DocumentRemoved => "document-verwijderd",
            Notice::DocumentTaken => "document-in-behandeling",
            Notice::CodeSent => "code-verstuurd",
            Notice::Confirmed => "bevestigd",
            Notice::Removed => "verwijderd",
            Notice::Saved => "opgeslagen",
            Notice::PushOn => "meldingen-aan",
            Notice::CaseMessages => "berichten",
            Notice::Contact => "contact",
            Notice::Address => "adres",
            Notice::CodeRevoked => "code-ingetrokken",
            Notice::StaffCodeRevoked => "ingetrokken",
            Notice::Left => "uit-dienst",
            Notice::Role => "rol",
            Notice::Services => "diensten",
            Notice::Locations => "locaties",
            Notice::Agendas => "agendas",
            Notice::CallerRecorded => "beller-vastgelegd",
        }
    }

    pub fn parse(word: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|n| n.as_str() == word)
    }

    /// `path` with this notice: `/afspraken/x?gelukt=geboekt`.
    pub fn on(self, path: &str) -> String {
        format!("{path}?{NOTICE}={}", self.as_str())
    }
}

/// The sign-in page, saying the session ended.
pub const SIGN_IN_AGAIN: &str = "/inloggen?reden=verlopen";
/// The sign-in page, saying she signed out.
pub const SIGNED_OUT: &str = "/inloggen?reden=uitgelogd";
pub const BOOK: &str = "/afspraak-maken";
pub const MESSAGE_SETTINGS: &str = "/instellingen/berichten";

/// The booking page at a chosen service, location and day.
pub fn book_at(service: &str, location: &str, day: &str) -> String {
    format!(
        "{BOOK}?dienst={}&locatie={}&dag={}",
        encode(service),
        encode(location),
        encode(day)
    )
}

/// One appointment's card, and its sub-pages and forms.
pub fn appointment(id: &str) -> String {
    format!("/afspraken/{}", encode(id))
}

pub fn appointment_move(id: &str) -> String {
    format!("{}/verzetten", appointment(id))
}

/// The moving page at a chosen day.
pub fn appointment_move_on(id: &str, day: &str) -> String {
    format!("{}?dag={}", appointment_move(id), encode(day))
}

/// The query parameter that says why a sign-in through a door did not happen.
pub const DOOR_REFUSED: &str = "mislukt";

/// Why a sign-in through a door (DigiD) did not happen, said on the sign-in page (`/inloggen?mislukt=…`):
/// a word, never data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoorRefusal {
    /// No such door here.
    UnknownDoor,
    /// The attempt is unknown, used, expired or from another browser.
    Attempt,
    /// She stopped at the broker.
    Cancelled,
    /// The broker could not be reached or answered wrongly.
    Broker,
    /// The ID token failed a check.
    Token,
    /// The level was too low for what she asked for.
    Level,
    /// The broker gave no usable BSN.
    Identifier,
}

impl DoorRefusal {
    pub const ALL: [DoorRefusal; 7] = [
        DoorRefusal::UnknownDoor,
        DoorRefusal::Attempt,
        DoorRefusal::Cancelled,
        DoorRefusal::Broker,
        DoorRefusal::Token,
        DoorRefusal::Level,
        DoorRefusal::Identifier,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DoorRefusal::UnknownDoor => "ingang",
            DoorRefusal::Attempt => "poging",
            DoorRefusal::Cancelled => "afgebroken",
            DoorRefusal::Broker => "storing",
            DoorRefusal::Token => "controle",
            DoorRefusal::Level => "niveau",
            DoorRefusal::Identifier => "bsn",
        }
    }

    pub fn parse(word: &str) -> Option<DoorRefusal> {
        DoorRefusal::ALL.into_iter().find(|r| r.as_str() == word)
    }

    /// Its sentence's Fluent key.
    pub fn key(self) -> &'static str {
        match self {
            DoorRefusal::UnknownDoor => "door-refused-unknown",
            DoorRefusal::Attempt => "door-refused-attempt",
            DoorRefusal::Cancelled => "door-refused-cancelled",
            DoorRefusal::Broker => "door-refused-broker",
            DoorRefusal::Token => "door-refused-token",
            DoorRefusal::Level => "door-refused-level",
            DoorRefusal::Identifier => "door-refused-identifier",
        }
    }

    /// The sign-in page saying this.
    pub fn page(self) -> String {
        format!("{SIGN_IN}?{DOOR_REFUSED}={}", self.as_str())
    }
}

/// Where a sign-in through `door` begins (`/inloggen/digid`); the browser is sent on to the broker.
pub fn door_start(door: &str) -> String {
    format!("{SIGN_IN}/{}", encode(door))
}

/// Sign in through `door` at `level` (`laag`, `substantieel`, `hoog`) and come back to `back_to`:
/// `/inloggen/digid?niveau=substantieel&naar=/zaken`.
pub fn door_start_at(door: &str, level: &str, back_to: &str) -> String {
    format!(
        "{}?niveau={}&naar={}",
        door_start(door),
        encode(level),
        encode(back_to)
    )
}

/// Where the broker sends her back (`/inloggen/digid/terug`).
pub fn door_back(door: &str) -> String {
    format!("{}/terug", door_start(door))
}

pub fn appointment_cancel(id: &str) -> String {
    format!("{}/annuleren", appointment(id))
}

pub fn appointment_reminders(id: &str) -> String {
    format!("{}/herinneringen", appointment(id))
}

/// The calendar file of one appointment.
pub fn appointment_calendar(id: &str) -> String {
    format!("{}/agenda.ics", appointment(id))
}

/// Where the upload island starts a document for one appointment.
pub fn appointment_documents(id: &str) -> String {
    format!("{}/documenten", appointment(id))
}

/// The page an appointment link (from a message) opens, before its second check.
pub fn appointment_link(token: &str) -> String {
    format!("/afspraak/{}", encode(token))
}

pub fn appointment_link_code(token: &str) -> String {
    format!("{}/code", appointment_link(token))
}

/// One case of hers (by its opaque id, never its number, which can name the case type).
pub fn case(id: &str) -> String {
    format!("/zaken/{}", encode(id))
}

pub fn case_messages(id: &str) -> String {
    format!("{}/berichten", case(id))
}

/// The contact centre's card of one resident, and its forms.
pub fn staff_resident(id: &str) -> String {
    format!("/medewerkers/inwoners/{}", encode(id))
}

/// The contact centre's booking page for her, and the forms on her card.
pub fn staff_book(id: &str) -> String {
    format!("{}/afspraak-maken", staff_resident(id))
}

pub fn staff_preview(id: &str) -> String {
    format!("{}/bekijken", staff_resident(id))
}

pub fn staff_contacts(id: &str) -> String {
    format!("{}/contactmomenten", staff_resident(id))
}

pub fn staff_code(id: &str) -> String {
    format!("{}/activeringscode", staff_resident(id))
}

pub fn staff_code_revoke(id: &str) -> String {
    format!("{}/intrekken", staff_code(id))
}

pub fn staff_address_correct(id: &str, address: &str) -> String {
    format!(
        "{}/adressen/{}/verbeteren",
        staff_resident(id),
        encode(address)
    )
}

pub fn staff_appointment_cancel(id: &str, appointment: &str) -> String {
    format!(
        "{}/afspraken/{}/annuleren",
        staff_resident(id),
        encode(appointment)
    )
}

pub fn staff_appointment_move(id: &str, appointment: &str) -> String {
    format!(
        "{}/afspraken/{}/verzetten",
        staff_resident(id),
        encode(appointment)
    )
}

/// The contact centre's booking page for her at a chosen service, location and day.
pub fn staff_book_at(id: &str, service: &str, location: &str, day: &str) -> String {
    format!(
        "{}?dienst={}&locatie={}&dag={}",
        staff_book(id),
        encode(service),
        encode(location),
        encode(day)
    )
}

/// The contact centre's moving page for one of her appointments, at a chosen day.
pub fn staff_move_on(id: &str, appointment: &str, day: &str) -> String {
    format!(
        "{}?dag={}",
        staff_appointment_move(id, appointment),
        encode(day)
    )
}

pub const STAFF: &str = "/medewerkers";

// The pages and forms with a fixed path.
/// The front page (Overzicht).
pub const HOME: &str = "/";
pub const SIGN_IN: &str = "/inloggen";
/// Where an activation code becomes a passkey.
pub const ACTIVATE: &str = "/activeren";
pub const CASES: &str = "/zaken";
pub const CONTACTS: &str = "/contactmomenten";
pub const APPOINTMENTS: &str = "/afspraken";
/// Her activity log: every sign-in and every staff read.
pub const ACTIVITY: &str = "/activiteit";
pub const SETTINGS: &str = "/instellingen";
/// Mijn gegevens: what the BRP knows of her.
pub const MY_DETAILS: &str = "/mijn-gegevens";
/// The language switch (POST).
pub const LANGUAGE: &str = "/taal";
pub const SIGN_OUT: &str = "/uitloggen";
pub const SIGN_OUT_EVERYWHERE: &str = "/overal-uitloggen";
/// A member person chooses whom she acts for (POST).
pub const ACT_AS: &str = "/handelen-als";
/// Ends a staff preview of a resident's pages (POST).
pub const PREVIEW_STOP: &str = "/voorbeeld-stoppen";
pub const STAFF_CHECK_IN: &str = "/medewerkers/inchecken";
/// The contact centre records a first-time caller as she told it.
pub const STAFF_NEW_CALLER: &str = "/medewerkers/nieuwe-beller";
pub const STAFF_REPORT: &str = "/medewerkers/rapport";
pub const STAFF_REPORT_CSV: &str = "/medewerkers/rapport.csv";
/// The administrators' page of employees.
pub const ADMIN_STAFF: &str = "/beheer/medewerkers";
/// The administrators' appointment catalogue.
pub const ADMIN_CATALOGUE: &str = "/beheer/afspraken";

/// Instellingen after one of her passkeys got a new name: the notice names that passkey, so the page says
/// it next to it.
pub fn passkey_renamed(id: &str) -> String {
    format!("{SETTINGS}?{NOTICE}=passkey-{}#passkeys-title", encode(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_reads_back_as_itself_and_no_two_share_a_word() {
        for notice in Notice::ALL {
            assert_eq!(Notice::parse(notice.as_str()), Some(notice));
        }
        let mut words: Vec<_> = Notice::ALL.iter().map(|n| n.as_str()).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), Notice::ALL.len());
        assert_eq!(Notice::parse("<script>"), None);
    }

    #[test]
    fn values_in_paths_are_percent_encoded() {
        assert_eq!(case("a/b c"), "/zaken/a%2Fb%20c");
        assert_eq!(
            book_at("paspoort", "stadhuis", "2026-03-03&x=1"),
            "/afspraak-maken?dienst=paspoort&locatie=stadhuis&dag=2026-03-03%26x%3D1"
        );
        assert_eq!(
            staff_move_on("p 1", "a/2", "2026-03-03"),
            "/medewerkers/inwoners/p%201/afspraken/a%2F2/verzetten?dag=2026-03-03"
        );
        assert_eq!(
            staff_address_correct("p", "x?y"),
            "/medewerkers/inwoners/p/adressen/x%3Fy/verbeteren"
        );
        assert_eq!(
            Notice::Booked.on(&appointment("demo-1")),
            "/afspraken/demo-1?gelukt=geboekt"
        );
    }
}

/// Which form on a page a refusal is about ([`crate::api::FormProblem::form`]), so the page puts the reason at
/// the right form and no id is spelt twice.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FormId {
    Book,
    Move,
    Cancel,
    Reminders,
    /// The appointment link's birth-date check.
    Link,
    /// The appointment link's e-mailed code.
    LinkCode,
    /// Asking for the appointment link's code.
    LinkSend,
    CaseMessages,
    /// The contact centre's contact-moment form.
    Contact,
    /// The contact centre recording a first-time caller.
    NewCaller,
    /// The contact centre correcting the digital address with this id.
    Correct(String),
    /// Renaming the passkey with this id.
    Passkey(String),
    AddStaff,
    Catalogue(crate::api::CatalogueKind),
    Messages(MessagesForm),
    /// No form in particular (a refusal the page shows at the top).
    #[default]
    Other,
}

/// The forms of the Berichten settings page; the posted `form` field names one ([`MessagesForm::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MessagesForm {
    Add,
    Verify,
    Resend,
    Remove,
    Fallback,
    Push,
    Choose,
}

impl MessagesForm {
    pub const ALL: [MessagesForm; 7] = [
        MessagesForm::Add,
        MessagesForm::Verify,
        MessagesForm::Resend,
        MessagesForm::Remove,
        MessagesForm::Fallback,
        MessagesForm::Push,
        MessagesForm::Choose,
    ];

    /// The value of the page's hidden `form` field.
    pub fn as_str(self) -> &'static str {
        match self {
            MessagesForm::Add => "add",
            MessagesForm::Verify => "verify",
            MessagesForm::Resend => "resend",
            MessagesForm::Remove => "remove",
            MessagesForm::Fallback => "fallback",
            MessagesForm::Push => "push",
            MessagesForm::Choose => "choose",
        }
    }

    pub fn parse(value: &str) -> Option<MessagesForm> {
        MessagesForm::ALL
            .into_iter()
            .find(|form| form.as_str() == value)
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn every_messages_form_reads_back_from_its_field_value() {
        for form in MessagesForm::ALL {
            assert_eq!(MessagesForm::parse(form.as_str()), Some(form));
        }
        assert_eq!(MessagesForm::parse("drop"), None);
    }
}
